// The register through the day over the real API: an open record signed out by an update, the
// group stood down, the session closed, and after that only amendments with a reason.
#include <gtest/gtest.h>

#include "world.h"

namespace upw::testing {
namespace {

using nlohmann::json;

TEST(RegisterFlow, OpenRecordUpdateStandDownCloseThenOnlyAmendments) {
  auto w = MakeWorld(4);
  auto& sup = *w->supervisor;
  const std::string reg = "/api/v1/work-groups/" + w->group + "/attendance";

  // Arrived: an open record earns nothing yet.
  auto r = sup.Post(reg, {{"service_user_id", w->people[0]},
                          {"outcome", "attended_complied"},
                          {"sign_in", w->At(9, 0)}});
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string record = r.json()["record_id"];
  EXPECT_TRUE(r.json()["sign_out"].is_null());
  EXPECT_EQ(r.json()["credited_minutes"], 0);

  // Closing now is refused: someone is still on site and two have no record.
  r = sup.Post("/api/v1/work-groups/" + w->group + "/close", json::object());
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.json()["field"], "still_to_record");

  // Signed out: an update, no reason needed, kept in the history.
  r = sup.Post(reg + "/" + record + "/updates", {{"outcome", "attended_complied"},
                                                 {"sign_in", w->At(9, 0)},
                                                 {"sign_out", w->At(15, 0)},
                                                 {"break_minutes", 30}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json()["credited_minutes"], 330);
  ASSERT_EQ(r.json()["history"].size(), 2u);
  EXPECT_EQ(r.json()["history"][1]["kind"], "update");

  r = sup.Post(reg, {{"service_user_id", w->people[1]},
                     {"outcome", "attended_complied"},
                     {"sign_in", w->At(9, 0)},
                     {"sign_out", w->At(12, 0)}});
  ASSERT_EQ(r.status, 201) << r.body;

  // Stand the rest down: the two not yet recorded become stood-down absences.
  r = sup.Post("/api/v1/work-groups/" + w->group + "/stand-down",
               {{"reason", "weather"}, {"note", "storm warning"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["stood_down"], 2);
  auto got = sup.Get(reg);
  ASSERT_EQ(got.status, 200) << got.body;
  const json people = got.json()["people"];
  EXPECT_EQ(people[2]["record"]["outcome"], "acceptable_absence");
  EXPECT_EQ(people[2]["record"]["absence_reason"], "stood_down_in_advance");
  EXPECT_EQ(people[2]["record"]["note"], "Stood down: Weather. storm warning");
  EXPECT_EQ(got.json()["summary"]["stood_down"], 2);
  EXPECT_EQ(got.json()["summary"]["credited_minutes"], 330 + 180);

  // Close: the summary the supervisor confirms.
  r = sup.Post("/api/v1/work-groups/" + w->group + "/close", json::object());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["work_group"]["status"], "closed");
  EXPECT_EQ(r.json()["summary"]["attended"], 2);
  EXPECT_EQ(r.json()["summary"]["still_to_record"].size(), 0u);
  EXPECT_EQ(sup.Post("/api/v1/work-groups/" + w->group + "/close", json::object()).status, 409);

  // After the close an update is refused, and nothing is written; an amendment with a reason is
  // the way to correct a record.
  r = sup.Post(
      reg + "/" + record + "/updates",
      {{"outcome", "attended_complied"}, {"sign_in", w->At(9, 0)}, {"sign_out", w->At(16, 0)}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.json()["field"], "reason");
  r = sup.Post(reg + "/" + record + "/amendments", {{"outcome", "attended_complied"},
                                                    {"sign_in", w->At(9, 0)},
                                                    {"sign_out", w->At(16, 0)},
                                                    {"break_minutes", 30},
                                                    {"reason", "signed out at 16:00"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json()["credited_minutes"], 390);
  EXPECT_EQ(r.json()["history"].size(), 3u);
  // An open record is no longer possible once the session is closed.
  EXPECT_EQ(sup.Post(reg + "/" + record + "/amendments", {{"outcome", "attended_complied"},
                                                          {"sign_in", w->At(9, 0)},
                                                          {"reason", "undo sign-out"}})
                .json()["field"],
            "sign_out");

  // The audit trail has the close and the stand-down's events.
  auto audit = w->planner->Get("/api/v1/audit?entity=work_group&entity_id=" + w->group).json();
  bool closed = false;
  for (const auto& item : audit["items"]) closed = closed || item["action"] == "work_group.close";
  EXPECT_TRUE(closed) << audit.dump(2);
}

}  // namespace
}  // namespace upw::testing
