// A supervisor's day through the real server: record outcomes, amend, void, and read back hours.
#include <gtest/gtest.h>

#include "world.h"

namespace upw::testing {
namespace {

using nlohmann::json;

class AttendanceDay : public ::testing::Test {
 protected:
  void SetUp() override { w = MakeWorld(4); }
  std::string Register() const { return "/api/v1/work-groups/" + w->group + "/attendance"; }
  std::unique_ptr<World> w;
};

TEST_F(AttendanceDay, RecordAmendVoidAndCreditedHoursFoldFromEvents) {
  auto& sup = *w->supervisor;
  // Present all day with a 30-minute break: 7h - 30m = 390 minutes.
  auto r = sup.Post(Register(), {{"service_user_id", w->people[0]},
                                 {"outcome", "attended_complied"},
                                 {"sign_in", w->At(9, 0)},
                                 {"sign_out", w->At(16, 0)},
                                 {"break_minutes", 30}});
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string record = r.json()["record_id"];
  EXPECT_EQ(r.json()["credited_minutes"], 390);

  // Late and left early.
  r = sup.Post(Register(), {{"service_user_id", w->people[1]},
                            {"outcome", "attended_complied"},
                            {"sign_in", w->At(9, 40)},
                            {"sign_out", w->At(14, 0)}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(r.json()["late"]);
  EXPECT_TRUE(r.json()["left_early"]);
  EXPECT_EQ(r.json()["credited_minutes"], 260);

  // Unacceptable absence: enforceable, raises a first warning.
  r = sup.Post(Register(),
               {{"service_user_id", w->people[2]}, {"outcome", "unacceptable_absence"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(r.json()["enforceable"]);

  // Acceptable absence, medical: evidence expected.
  r = sup.Post(Register(), {{"service_user_id", w->people[3]},
                            {"outcome", "acceptable_absence"},
                            {"absence_reason", "medical"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(r.json()["evidence_expected"]);

  // A second record for the same person is refused: corrections are amendments.
  r = sup.Post(Register(),
               {{"service_user_id", w->people[0]}, {"outcome", "unacceptable_absence"}});
  EXPECT_EQ(r.status, 409) << r.body;

  // Amend: sign-out was really 15:00. The history keeps both versions.
  r = sup.Post(Register() + "/" + record + "/amendments",
               {{"outcome", "attended_complied"},
                {"sign_in", w->At(9, 0)},
                {"sign_out", w->At(15, 0)},
                {"break_minutes", 30},
                {"reason", "signed out at 15:00, tapped late"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json()["credited_minutes"], 330);
  EXPECT_EQ(r.json()["history"].size(), 2u);
  EXPECT_TRUE(r.json()["amended"]);

  // An amendment without a reason changes nothing.
  r = sup.Post(
      Register() + "/" + record + "/amendments",
      {{"outcome", "attended_complied"}, {"sign_in", w->At(9, 0)}, {"sign_out", w->At(16, 0)}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["field"], "reason");

  // Void the absence of person 2: the warning goes with it.
  auto reg = sup.Get(Register()).json();
  const std::string absent_record =
      reg["people"][2]["record"].is_null()
          ? std::string()
          : reg["people"][2]["record"]["record_id"].get<std::string>();
  ASSERT_FALSE(absent_record.empty()) << reg.dump(2);
  r = sup.Post(Register() + "/" + absent_record + "/void",
               {{"reason", "recorded against the wrong person"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(r.json()["voided"]);

  // Hours through the orders API: fold of events, never a stored number.
  auto order = w->planner->Get("/api/v1/orders/" + w->orders[0]).json();
  EXPECT_EQ(order["hours"]["credited_minutes"], 330);
  EXPECT_EQ(order["hours"]["remaining_minutes"], 80 * 60 - 330);
  auto absent_order = w->planner->Get("/api/v1/orders/" + w->orders[2]).json();
  EXPECT_EQ(absent_order["hours"]["warnings"].size(), 0u);

  // The audit trail names who did each thing.
  auto audit = w->planner->Get("/api/v1/audit?entity=attendance_event&entity_id=" + record).json();
  ASSERT_EQ(audit["count"], 2);
  EXPECT_EQ(audit["items"][0]["action"], "attendance.amend");
  EXPECT_EQ(audit["items"][0]["username"], "sup");
}

TEST_F(AttendanceDay, RetryWithTheSameIdReplaysAndADifferentBodyIsRefused) {
  const json body = {{"id", "01890a5d-ac96-774b-bcce-b302099a8057"},
                     {"service_user_id", w->people[0]},
                     {"outcome", "attended_complied"},
                     {"sign_in", w->At(9, 0)},
                     {"sign_out", w->At(12, 0)}};
  auto first = w->supervisor->Post(Register(), body);
  ASSERT_EQ(first.status, 201) << first.body;
  auto again = w->supervisor->Post(Register(), body);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()["record_id"], first.json()["record_id"]);
  json changed = body;
  changed["sign_out"] = w->At(13, 0);
  EXPECT_EQ(w->supervisor->Post(Register(), changed).status, 409);
  auto reg = w->supervisor->Get(Register()).json();
  EXPECT_EQ(reg["people"][0]["record"]["history"].size(), 1u);
}

// Guards: an amendment without note_sensitive used to reveal the earlier sensitive note to a
// supervisor through the record's history.
TEST_F(AttendanceDay, SensitiveNoteStaysWithheldThroughAmendments) {
  auto r = w->planner->Post(Register(), {{"service_user_id", w->people[0]},
                                         {"outcome", "acceptable_absence"},
                                         {"absence_reason", "medical"},
                                         {"note", "hospital appointment: mental health"},
                                         {"note_sensitive", true}});
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string record = r.json()["record_id"];
  EXPECT_EQ(r.json()["note"], "hospital appointment: mental health") << "the author sees it";
  r = w->planner->Post(Register() + "/" + record + "/amendments",
                       {{"outcome", "acceptable_absence"},
                        {"absence_reason", "medical"},
                        {"note", "letter seen"},
                        {"reason", "evidence received"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(r.json()["note_sensitive"]) << "a sensitive note stays sensitive";
  const std::string seen = w->supervisor->Get(Register() + "/" + record).body;
  EXPECT_EQ(seen.find("hospital"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("letter seen"), std::string::npos) << seen;
  EXPECT_NE(seen.find("note_withheld"), std::string::npos) << seen;
}

// Guards: a supervisor's sign-out (an update without the note they were never shown) used to
// erase a planner's sensitive note from the record as it stands.
TEST_F(AttendanceDay, AChangeBySomeoneNotShownTheSensitiveNoteKeepsIt) {
  auto r = w->planner->Post(Register(), {{"service_user_id", w->people[1]},
                                         {"outcome", "attended_complied"},
                                         {"sign_in", w->At(9, 0)},
                                         {"note", "bail conditions: no contact with X"},
                                         {"note_sensitive", true}});
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string record = r.json()["record_id"];
  r = w->supervisor->Post(
      Register() + "/" + record + "/updates",
      {{"outcome", "attended_complied"}, {"sign_in", w->At(9, 0)}, {"sign_out", w->At(15, 0)}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(r.json()["note"].is_null()) << "still withheld from the supervisor";
  auto seen = w->planner->Get(Register() + "/" + record).json();
  EXPECT_EQ(seen["note"], "bail conditions: no contact with X");
  EXPECT_TRUE(seen["note_sensitive"]);
  EXPECT_EQ(seen["credited_minutes"], 360);
}

TEST_F(AttendanceDay, SupervisorSeesAndRecordsOnlyTheirOwnGroups) {
  auto& sup = *w->supervisor;
  EXPECT_EQ(sup.Get("/api/v1/work-groups/" + w->other_group).status, 404);
  EXPECT_EQ(sup.Get("/api/v1/work-groups/" + w->other_group + "/attendance").status, 404);
  auto list = sup.Get("/api/v1/work-groups").json();
  ASSERT_EQ(list["count"], 1);
  EXPECT_EQ(list["items"][0]["id"], w->group);
  EXPECT_EQ(sup.Post("/api/v1/placements", {{"name", "x"}}).status, 403);
  EXPECT_EQ(sup.Get("/api/v1/orders").status, 403);
  EXPECT_EQ(sup.Get("/api/v1/audit").status, 403);
}

TEST_F(AttendanceDay, StaleEditIsRefusedWith412AndMissingIfMatchWith428) {
  auto& p = *w->planner;
  const std::string path = "/api/v1/placements/" + w->placement_id;
  auto got = p.Get(path);
  const std::string etag = got.header("etag");
  ASSERT_EQ(etag, "\"v1\"");
  auto first = p.Patch(path, {{"notes", "bring gloves"}}, etag);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.header("etag"), "\"v2\"");
  auto stale = p.Patch(path, {{"notes", "bring boots"}}, etag);
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(
      p.Request("PATCH", path, R"({"notes":"x"})", {{"Content-Type", "application/json"}}).status,
      428);
  EXPECT_EQ(p.Get(path).json()["notes"], "bring gloves");
}

}  // namespace
}  // namespace upw::testing
