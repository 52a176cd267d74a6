// A session's register as a whole: open records, the summary, closing, standing the group down.
#include "domain/register.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace upw::domain {
namespace {

UtcSeconds At(std::string_view rfc3339) { return ParseTimestamp(rfc3339).value(); }

// 09:00-16:00 BST on Wednesday 15 July 2026.
const SessionWindow kDay{At("2026-07-15T08:00:00Z"), At("2026-07-15T15:00:00Z")};
const UtcSeconds kMidday = At("2026-07-15T11:00:00Z");

AttendanceFacts OnSite(UtcSeconds since) {
  AttendanceFacts f;
  f.sign_in = since;
  return f;
}

AttendanceRecord Rec(const std::string& id, const std::string& person, AttendanceFacts f,
                     bool voided = false) {
  AttendanceRecord r;
  r.record_id = id;
  r.service_user_id = person;
  r.facts = f;
  r.voided = voided;
  return r;
}

TEST(OpenRecord, OnSiteIsAllowedOnlyWhileTheRegisterIsOpen) {
  const AttendanceFacts f = OnSite(kDay.start);
  EXPECT_TRUE(IsOpen(f));
  EXPECT_TRUE(ValidateFacts(f, kDay, kMidday, /*register_open=*/true).ok());
  EXPECT_EQ(ValidateFacts(f, kDay, kMidday, /*register_open=*/false).field(), "sign_out");
}

TEST(OpenRecord, OnlyAttendedAndCompliedMayStayOpen) {
  AttendanceFacts f = OnSite(kDay.start);
  f.outcome = Outcome::kSentHomeBehaviour;  // sent home: they have left, so a sign-out is due
  EXPECT_EQ(ValidateFacts(f, kDay, kMidday, true).field(), "sign_out");
}

TEST(OpenRecord, SignInMayNotBeInTheFutureAndBreaksFitTheTimeSoFar) {
  EXPECT_EQ(ValidateFacts(OnSite(kMidday + 6 * 60), kDay, kMidday, true).field(), "sign_in");
  EXPECT_TRUE(ValidateFacts(OnSite(kMidday + 5 * 60), kDay, kMidday, true).ok()) << "clock slack";
  AttendanceFacts f = OnSite(kMidday - 30 * 60);
  f.break_minutes = 30;
  EXPECT_TRUE(ValidateFacts(f, kDay, kMidday, true).ok());
  f.break_minutes = 31;
  EXPECT_EQ(ValidateFacts(f, kDay, kMidday, true).field(), "break_minutes");
}

TEST(OpenRecord, ArrivalMayComeBeforeTheStartButNotWithoutASignIn) {
  const UtcSeconds early = kDay.start - 10 * 60;
  EXPECT_TRUE(ValidateFacts(OnSite(early), kDay, early, true).ok());
  AttendanceFacts finished = OnSite(early);
  finished.sign_out = early + 60;  // a finished record still waits for the session to start
  EXPECT_EQ(ValidateFacts(finished, kDay, early + 60, true).field(), "outcome");
  EXPECT_EQ(ValidateFacts(AttendanceFacts{}, kDay, kMidday, true).field(), "sign_in");
}

TEST(OpenRecord, EarnsNothingUntilSignedOut) {
  EXPECT_EQ(TimeWorkedMinutes(OnSite(kDay.start)), 0);
}

TEST(UpdateEvent, NeedsNoReasonButALiveRecord) {
  AttendanceEvent rec{"r1", "r1", EventKind::kRecord, "p1", OnSite(kDay.start), "", "sup", 0};
  const auto records = FoldEvents({rec});
  AttendanceEvent up{"u1", "r1", EventKind::kUpdate, "p1", {}, "", "sup", 0};
  up.facts = OnSite(kDay.start);
  up.facts.sign_out = kMidday;
  EXPECT_TRUE(CheckEventFits(records, up).ok());
  const auto folded = FoldEvents({rec, up});
  ASSERT_EQ(folded.size(), 1u);
  EXPECT_FALSE(IsOpen(folded[0].facts));
  EXPECT_EQ(folded[0].history.size(), 2u) << "an update is kept in the history";
  up.record_id = "nope";
  EXPECT_EQ(CheckEventFits(records, up).code(), Code::kNotFound);
  AttendanceEvent amend = up;
  amend.kind = EventKind::kAmend;
  amend.record_id = "r1";
  EXPECT_EQ(CheckEventFits(records, amend).field(), "reason") << "an amendment still needs one";
}

TEST(Summary, CountsEachOutcomeOnceAndListsWhoIsStillToRecord) {
  AttendanceFacts done = OnSite(kDay.start);
  done.sign_out = kDay.end;
  AttendanceFacts other = done;
  other.activity = Activity::kOtherActivity;
  AttendanceFacts home = done;
  home.outcome = Outcome::kSentHomeService;
  AttendanceFacts unacceptable;
  unacceptable.outcome = Outcome::kUnacceptableAbsence;
  AttendanceFacts medical;
  medical.outcome = Outcome::kAcceptableAbsence;
  medical.reason = Reason::kMedical;
  AttendanceFacts stood;
  stood.outcome = Outcome::kAcceptableAbsence;
  stood.reason = Reason::kStoodDownInAdvance;
  AttendanceFacts behaviour = done;
  behaviour.outcome = Outcome::kSentHomeBehaviour;
  const std::vector<AttendanceRecord> records = {Rec("a", "p1", done),
                                                 Rec("b", "p2", other),
                                                 Rec("c", "p3", home),
                                                 Rec("d", "p4", unacceptable),
                                                 Rec("e", "p5", medical),
                                                 Rec("f", "p6", stood),
                                                 Rec("g", "p7", behaviour),
                                                 Rec("h", "p8", OnSite(kDay.start)),
                                                 Rec("x", "p9", done, /*voided=*/true)};
  const std::map<std::string, int> credited = {
      {"a", 390}, {"b", 60}, {"c", 30}, {"g", 100}, {"x", 999}};
  const auto s = SummariseRegister({"p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10"},
                                   records, credited);
  EXPECT_EQ(s.allocated, 10);
  EXPECT_EQ(s.attended, 4);  // p1, p2, p3 (sent home, service), p7
  EXPECT_EQ(s.on_site, 1);
  EXPECT_EQ(s.credited_minutes, 390 + 60 + 30 + 100) << "a voided record counts for nothing";
  EXPECT_EQ(s.other_activity_minutes, 60);
  EXPECT_EQ(s.unacceptable_absences, 1);
  EXPECT_EQ(s.acceptable_absences, 1);
  EXPECT_EQ(s.stood_down, 2);  // sent home for a service issue, and stood down before starting
  EXPECT_EQ(s.incidents, 2);   // unacceptable absence, sent home for behaviour
  EXPECT_EQ(s.still_to_record, (std::vector<std::string>{"p8", "p9", "p10"}));
}

TEST(Close, NeedsTheSessionStartedAndEveryoneRecorded) {
  RegisterSummary s;
  EXPECT_EQ(CheckCanClose(s, kDay, kDay.start - 1).field(), "now");
  EXPECT_TRUE(CheckCanClose(s, kDay, kDay.start).ok());
  s.still_to_record = {"p1"};
  const Status st = CheckCanClose(s, kDay, kMidday);
  EXPECT_EQ(st.code(), Code::kConflict);
  EXPECT_EQ(st.field(), "still_to_record");
  EXPECT_NE(st.message().find("1 person has"), std::string::npos) << st.message();
}

TEST(StandDown, SignsOutWhoIsOnSiteRecordsWhoIsNotAndLeavesFinishedRecords) {
  AttendanceFacts done = OnSite(kDay.start);
  done.sign_out = kDay.start + 3600;
  const std::vector<AttendanceRecord> records = {
      Rec("a", "p1", OnSite(kDay.start)), Rec("b", "p2", done),
      Rec("v", "p3", OnSite(kDay.start), /*voided=*/true)};
  const auto steps =
      PlanStandDown({"p1", "p2", "p3"}, records, kMidday, StandDownReason::kWeather, "storm");
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].service_user_id, "p1");
  EXPECT_EQ(steps[0].kind, EventKind::kUpdate);
  EXPECT_EQ(steps[0].record_id, "a");
  EXPECT_EQ(steps[0].facts.outcome, Outcome::kSentHomeService);
  EXPECT_EQ(steps[0].facts.sign_out, kMidday);
  EXPECT_EQ(steps[0].facts.note, "Stood down: Weather. storm");
  EXPECT_TRUE(ValidateFacts(steps[0].facts, kDay, kMidday, true).ok());
  EXPECT_EQ(steps[1].service_user_id, "p3") << "a voided record is as good as none";
  EXPECT_EQ(steps[1].kind, EventKind::kRecord);
  EXPECT_EQ(steps[1].facts.outcome, Outcome::kAcceptableAbsence);
  EXPECT_EQ(steps[1].facts.reason, Reason::kStoodDownInAdvance);
  EXPECT_TRUE(ValidateFacts(steps[1].facts, kDay, kMidday, true).ok());
}

TEST(StandDown, SignedInThisMinuteStillSignsOutAfterSigningIn) {
  const auto steps =
      PlanStandDown({"p1"}, {Rec("a", "p1", OnSite(kMidday))}, kMidday, StandDownReason::kVan, "");
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_GT(*steps[0].facts.sign_out, *steps[0].facts.sign_in);
  EXPECT_EQ(steps[0].facts.note, "Stood down: Van unavailable");
}

TEST(StandDown, ReasonNamesRoundTrip) {
  for (auto r : {StandDownReason::kWeather, StandDownReason::kVan, StandDownReason::kSupervisor,
                 StandDownReason::kOversubscribed, StandDownReason::kOther}) {
    EXPECT_EQ(ParseStandDownReason(ToString(r)), r);
  }
  EXPECT_FALSE(ParseStandDownReason("boredom").has_value());
}

}  // namespace
}  // namespace upw::domain
