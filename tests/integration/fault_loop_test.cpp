// Fault loops on the write path (STYLE.md 6): for N = 1, 2, ... fail the Nth write or sync of the
// real database file, then reopen it and check the action either committed whole (change, audit
// row and outbox row) or left nothing, and that success was never claimed for what is not there.
#include <gtest/gtest.h>
#include <sodium.h>

#include "app/allocations.h"
#include "app/attendance.h"
#include "app/resource.h"
#include "common/ids.h"
#include "domain/civil_time.h"
#include "fault_vfs.h"
#include "server_process.h"
#include "store/migrations.h"

namespace upw::testing {
namespace {

using nlohmann::json;

struct Harness {
  explicit Harness(const std::string& path) : path(path) {
    RegisterFaultVfs();
    {
      auto db = store::Db::Open(path, {}).value();
      EXPECT_TRUE(store::Migrate(*db, NewUuidV7(clock.NowMs())).ok());
    }
    store::OpenOptions opts;
    opts.vfs = kFaultVfs;
    writer = store::Writer::Start(store::Db::Open(path, opts).value(), clock).value();
    reads = store::ReadPool::Open(path, 2).value();
    services.reset(new app::Services{*writer, *reads, clock, profile});
  }
  std::int64_t Count(const std::string& sql) {
    auto db = store::Db::Open(path, {.read_only = true}).value();
    auto& st = db->Prepare(sql);
    return st.Step() ? st.Int(0) : -1;
  }
  std::string path;
  SystemClock clock;
  domain::Profile profile;
  std::unique_ptr<store::Writer> writer;
  std::unique_ptr<store::ReadPool> reads;
  std::unique_ptr<app::Services> services;
};

const app::Actor kPlanner{"", "planner", app::Role::kPlanner, std::nullopt};

std::string MustCreate(Harness& h, const std::string& resource, const json& body) {
  auto r = app::CreateEntity(*h.services, kPlanner, app::Spec(resource), body);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r->body["id"].get<std::string>() : "";
}

TEST(FaultLoop, CreateIsWholeOrNothingWithItsAuditAndOutbox) {
  ASSERT_GE(sodium_init(), 0);
  int committed = 0, refused = 0;
  for (int n = 1; n < 200; ++n) {
    TempDir dir;
    Harness h(dir.file("upw.db"));
    FailWritesFrom(n);
    auto r = app::CreateEntity(*h.services, kPlanner, app::Spec("vans"),
                               {{"registration", "SV21 ABC"}, {"name", "Van"}, {"seats", 8}});
    const bool triggered = FaultTriggered();
    FailWritesFrom(0);
    // The writer recovers: the next action succeeds.
    auto next = app::CreateEntity(*h.services, kPlanner, app::Spec("vans"),
                                  {{"registration", "SV21 XYZ"}, {"name", "Van 2"}, {"seats", 8}});
    EXPECT_TRUE(next.ok()) << "n=" << n << ": " << next.status().message();
    h.writer->Stop();
    const auto vans = h.Count("SELECT count(*) FROM van WHERE registration = 'SV21 ABC'");
    const auto audit = h.Count(
        "SELECT count(*) FROM audit a JOIN van v ON v.id = a.entity_id WHERE v.registration = "
        "'SV21 ABC'");
    const auto outbox = h.Count(
        "SELECT count(*) FROM outbox o JOIN van v ON v.id = o.entity_id WHERE v.registration = "
        "'SV21 ABC'");
    EXPECT_TRUE((vans == 0 && audit == 0 && outbox == 0) ||
                (vans == 1 && audit == 1 && outbox == 1))
        << "n=" << n << ": half-written: van " << vans << ", audit " << audit << ", outbox "
        << outbox;
    if (r.ok()) {
      EXPECT_EQ(vans, 1) << "n=" << n << ": acknowledged but not stored";
    }
    (r.ok() ? committed : refused)++;
    if (!triggered) break;  // every write and sync of the action has had its turn to fail
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(committed, 0);
}

TEST(FaultLoop, AttendanceEventIsWholeOrNothingWithItsAuditAndOutbox) {
  ASSERT_GE(sodium_init(), 0);
  int refused = 0;
  for (int n = 1; n < 200; ++n) {
    TempDir dir;
    Harness h(dir.file("upw.db"));
    const auto yesterday = domain::AddDays(domain::UkLocalDate(h.clock.NowSeconds()), -1);
    const std::string sup = MustCreate(h, "supervisors", {{"name", "Sam"}});
    const std::string place = MustCreate(
        h, "placements",
        {{"name", "Garden"}, {"kind", "group"}, {"address", "1 High St"}, {"capacity", 5}});
    const std::string person =
        MustCreate(h, "service-users",
                   {{"first_name", "A"}, {"last_name", "B"}, {"date_of_birth", "1990-01-01"}});
    MustCreate(h, "orders",
               {{"service_user_id", person},
                {"court", "Edinburgh"},
                {"imposed_on", domain::FormatDate(domain::AddDays(yesterday, -10))},
                {"hours_ordered", 60},
                {"status", "active"}});
    const std::string group = MustCreate(h, "work-groups",
                                         {{"session_date", domain::FormatDate(yesterday)},
                                          {"starts_at", "09:00"},
                                          {"ends_at", "16:00"},
                                          {"placement_id", place},
                                          {"supervisor_id", sup}});
    ASSERT_TRUE(
        app::AddAllocation(*h.services, kPlanner, group, {{"service_user_id", person}}).ok());

    FailWritesFrom(n);
    auto r = app::RecordAttendance(
        *h.services, kPlanner, group,
        {{"service_user_id", person},
         {"outcome", "attended_complied"},
         {"sign_in", domain::FormatTimestamp(domain::UkLocalToUtc(yesterday, 9 * 60))},
         {"sign_out", domain::FormatTimestamp(domain::UkLocalToUtc(yesterday, 15 * 60))}});
    const bool triggered = FaultTriggered();
    FailWritesFrom(0);
    h.writer->Stop();
    const auto events = h.Count("SELECT count(*) FROM attendance_event");
    const auto audit = h.Count("SELECT count(*) FROM audit WHERE entity = 'attendance_event'");
    const auto outbox = h.Count("SELECT count(*) FROM outbox WHERE entity = 'attendance_event'");
    EXPECT_TRUE((events == 0 && audit == 0 && outbox == 0) ||
                (events == 1 && audit == 1 && outbox == 1))
        << "n=" << n << ": half-written: events " << events << ", audit " << audit << ", outbox "
        << outbox;
    if (r.ok()) {
      EXPECT_EQ(events, 1) << "n=" << n << ": acknowledged but not stored";
    }
    if (!r.ok()) refused++;
    if (!triggered) break;
  }
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace upw::testing
