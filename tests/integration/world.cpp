#include "world.h"

#include <signal.h>

#include <chrono>

#include "domain/civil_time.h"

namespace upw::testing {

using nlohmann::json;

std::string World::At(int hour, int minute) const {
  const auto d = *domain::ParseDate(yesterday);
  return domain::FormatTimestamp(domain::UkLocalToUtc(d, hour * 60 + minute));
}

void World::Restart(bool kill) {
  server->Signal(kill ? SIGKILL : SIGTERM);
  server = ServerProcess::Start(db);
  for (auto* c : {&planner, &supervisor, &admin}) *c = Client();
  EXPECT_TRUE(planner->Login("planner", kPlannerPassword));
  EXPECT_TRUE(supervisor->Login("sup", kSupervisorPassword));
  EXPECT_TRUE(admin->Login("admin", kAdminPassword));
}

static std::string Created(const HttpResponse& r) {
  EXPECT_EQ(r.status, 201) << r.body;
  return r.json().value("id", std::string());
}

std::unique_ptr<World> MakeWorld(int n_people) {
  auto w = std::make_unique<World>();
  w->db = w->dir.file("upw.db");
  std::string out;
  EXPECT_EQ(RunUpw({"user", "add", "--db", w->db, "--username", "admin", "--role", "admin"},
                   std::string(kAdminPassword) + "\n", &out),
            0)
      << out;
  w->server = ServerProcess::Start(w->db);
  w->admin = w->Client();
  EXPECT_TRUE(w->admin->Login("admin", kAdminPassword));
  EXPECT_EQ(
      w->admin
          ->Post("/api/v1/users",
                 {{"username", "planner"}, {"role", "planner"}, {"password", kPlannerPassword}})
          .status,
      201);
  w->planner = w->Client();
  EXPECT_TRUE(w->planner->Login("planner", kPlannerPassword));
  auto& p = *w->planner;
  w->supervisor_id =
      Created(p.Post("/api/v1/supervisors", {{"name", "Sam Supervisor"}, {"can_drive", true}}));
  w->other_supervisor_id = Created(p.Post("/api/v1/supervisors", {{"name", "Olive Other"}}));
  EXPECT_EQ(w->admin
                ->Post("/api/v1/users", {{"username", "sup"},
                                         {"role", "supervisor"},
                                         {"password", kSupervisorPassword},
                                         {"supervisor_id", w->supervisor_id}})
                .status,
            201);
  w->supervisor = w->Client();
  EXPECT_TRUE(w->supervisor->Login("sup", kSupervisorPassword));
  w->van_id = Created(
      p.Post("/api/v1/vans", {{"registration", "SV21 ABC"}, {"name", "Van 1"}, {"seats", 8}}));
  w->placement_id = Created(
      p.Post("/api/v1/placements", {{"name", "Community garden"},
                                    {"kind", "group"},
                                    {"address", "1 High St"},
                                    {"capacity", 6},
                                    {"days_available", {"mon", "tue", "wed", "thu", "fri"}}}));
  const auto today = domain::UkLocalDate(std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
  w->yesterday = domain::FormatDate(domain::AddDays(today, -1));
  const std::string imposed = domain::FormatDate(domain::AddDays(today, -30));
  for (int i = 0; i < n_people; ++i) {
    const std::string id = Created(p.Post(
        "/api/v1/service-users", {{"first_name", "Person"},
                                  {"last_name", "Number " + std::to_string(i)},
                                  {"date_of_birth", "1990-01-0" + std::to_string(1 + i % 9)}}));
    w->people.push_back(id);
    w->orders.push_back(Created(p.Post("/api/v1/orders", {{"service_user_id", id},
                                                          {"court", "Edinburgh Sheriff Court"},
                                                          {"imposed_on", imposed},
                                                          {"hours_ordered", 80},
                                                          {"status", "active"}})));
  }
  w->group = Created(p.Post("/api/v1/work-groups", {{"session_date", w->yesterday},
                                                    {"starts_at", "09:00"},
                                                    {"ends_at", "16:00"},
                                                    {"placement_id", w->placement_id},
                                                    {"supervisor_id", w->supervisor_id},
                                                    {"van_id", w->van_id}}));
  w->other_group =
      Created(p.Post("/api/v1/work-groups", {{"session_date", w->yesterday},
                                             {"starts_at", "09:00"},
                                             {"ends_at", "16:00"},
                                             {"placement_id", w->placement_id},
                                             {"supervisor_id", w->other_supervisor_id}}));
  for (const auto& person : w->people) {
    EXPECT_EQ(
        p.Post("/api/v1/work-groups/" + w->group + "/allocations", {{"service_user_id", person}})
            .status,
        201);
  }
  return w;
}

}  // namespace upw::testing
