// Attendance outcome classes and names, and attendance as events: FoldEvents and CheckEventFits.
#include "domain/attendance.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace upw::domain {
namespace {

AttendanceFacts Worked(int minutes, std::string note = "", bool sensitive = false) {
  AttendanceFacts f;
  f.sign_in = 1'800'000'000;
  f.sign_out = *f.sign_in + minutes * 60;
  f.note = std::move(note);
  f.note_sensitive = sensitive;
  return f;
}

AttendanceEvent Record(std::string id, std::string person, AttendanceFacts f = Worked(420)) {
  AttendanceEvent e;
  e.id = id;
  e.record_id = std::move(id);
  e.kind = EventKind::kRecord;
  e.service_user_id = std::move(person);
  e.facts = std::move(f);
  e.author = "supervisor";
  return e;
}

AttendanceEvent Amend(std::string id, std::string record_id, AttendanceFacts f,
                      std::string reason = "sign-out time was wrong") {
  AttendanceEvent e;
  e.id = std::move(id);
  e.record_id = std::move(record_id);
  e.kind = EventKind::kAmend;
  e.facts = std::move(f);
  e.reason = std::move(reason);
  e.author = "planner";
  return e;
}

AttendanceEvent Void(std::string id, std::string record_id, std::string reason = "wrong person") {
  AttendanceEvent e = Amend(std::move(id), std::move(record_id), {}, std::move(reason));
  e.kind = EventKind::kVoid;
  return e;
}

std::vector<std::string> HistoryIds(const AttendanceRecord& r) {
  std::vector<std::string> ids;
  for (const auto& e : r.history) ids.push_back(e.id);
  return ids;
}

template <typename E, typename Parse>
void ExpectNames(const std::vector<std::pair<E, const char*>>& names, Parse parse) {
  for (const auto& [value, name] : names) {
    EXPECT_EQ(ToString(value), name);
    EXPECT_EQ(parse(name), value) << name;
    EXPECT_FALSE(parse(std::string(name) + " ").has_value()) << name;
  }
  EXPECT_FALSE(parse("").has_value());
}

TEST(AttendanceNames, EveryValueRoundTripsAndNearMissesAreRefused) {
  ExpectNames<Outcome>({{Outcome::kAttendedComplied, "attended_complied"},
                        {Outcome::kAttendedFailedToComply, "attended_failed_to_comply"},
                        {Outcome::kSentHomeBehaviour, "sent_home_behaviour"},
                        {Outcome::kSentHomeService, "sent_home_service"},
                        {Outcome::kUnacceptableAbsence, "unacceptable_absence"},
                        {Outcome::kAcceptableAbsence, "acceptable_absence"},
                        {Outcome::kRescheduled, "rescheduled"}},
                       ParseOutcome);
  ExpectNames<Reason>({{Reason::kNone, "none"},
                       {Reason::kMedical, "medical"},
                       {Reason::kEmployment, "employment"},
                       {Reason::kFamily, "family"},
                       {Reason::kCourt, "court"},
                       {Reason::kStoodDownInAdvance, "stood_down_in_advance"},
                       {Reason::kProfessionalJudgement, "professional_judgement"},
                       {Reason::kServiceRequest, "service_request"},
                       {Reason::kPersonRequest, "person_request"}},
                      ParseReason);
  ExpectNames<Activity>(
      {{Activity::kUnpaidWork, "unpaid_work"}, {Activity::kOtherActivity, "other_activity"}},
      ParseActivity);
  ExpectNames<EventKind>(
      {{EventKind::kRecord, "record"}, {EventKind::kAmend, "amend"}, {EventKind::kVoid, "void"}},
      ParseEventKind);
  EXPECT_FALSE(ParseOutcome("Attended_Complied").has_value());
  EXPECT_FALSE(ParseEventKind("VOID").has_value());
  EXPECT_FALSE(ParseActivity("other activity").has_value());
}

TEST(Outcome, CreditAndEnforceabilityFollowTheDomainTable) {
  struct Row {
    Outcome outcome;
    bool attended;
    bool enforceable;
  };
  const std::vector<Row> rows = {
      {Outcome::kAttendedComplied, true, false},    {Outcome::kAttendedFailedToComply, true, true},
      {Outcome::kSentHomeBehaviour, true, true},    {Outcome::kSentHomeService, true, false},
      {Outcome::kUnacceptableAbsence, false, true}, {Outcome::kAcceptableAbsence, false, false},
      {Outcome::kRescheduled, false, false},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(IsAttended(r.outcome), r.attended) << ToString(r.outcome);
    EXPECT_EQ(IsEnforceable(r.outcome), r.enforceable) << ToString(r.outcome);
    EXPECT_EQ(IsAbsenceOrReschedule(r.outcome), !r.attended) << ToString(r.outcome);
  }
}

TEST(FoldEvents, ARecordAlone) {
  const auto records = FoldEvents({Record("r1", "p1", Worked(300, "good work"))});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].record_id, "r1");
  EXPECT_EQ(records[0].service_user_id, "p1");
  EXPECT_FALSE(records[0].voided);
  EXPECT_EQ(TimeWorkedMinutes(records[0].facts), 300);
  EXPECT_EQ(records[0].facts.note, "good work");
  EXPECT_EQ(HistoryIds(records[0]), std::vector<std::string>{"r1"});
}

TEST(FoldEvents, AmendReplacesTheFactsAndKeepsEveryEvent) {
  const auto records = FoldEvents({Record("r1", "p1", Worked(420)), Amend("a1", "r1", Worked(360)),
                                   Amend("a2", "r1", Worked(390, "corrected"))});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].service_user_id, "p1");  // the amend does not name the person
  EXPECT_FALSE(records[0].voided);
  EXPECT_EQ(TimeWorkedMinutes(records[0].facts), 390);  // the last amend wins
  EXPECT_EQ(records[0].facts.note, "corrected");
  EXPECT_EQ(HistoryIds(records[0]), (std::vector<std::string>{"r1", "a1", "a2"}));
  EXPECT_EQ(records[0].history[1].kind, EventKind::kAmend);
  EXPECT_EQ(records[0].history[1].reason, "sign-out time was wrong");
  EXPECT_EQ(TimeWorkedMinutes(records[0].history[0].facts), 420);  // nothing edited in place
}

TEST(FoldEvents, VoidMarksTheRecordAndNothingChangesItAfterwards) {
  const auto records =
      FoldEvents({Record("r1", "p1", Worked(420)), Void("v1", "r1"), Amend("a1", "r1", Worked(60)),
                  Void("v2", "r1"), Record("r1", "p9", Worked(1))});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_TRUE(records[0].voided);
  EXPECT_EQ(records[0].service_user_id, "p1");
  EXPECT_EQ(TimeWorkedMinutes(records[0].facts), 420);
  EXPECT_EQ(HistoryIds(records[0]), (std::vector<std::string>{"r1", "v1", "a1", "v2", "r1"}));
}

TEST(FoldEvents, ASecondRecordEventForTheSameIdChangesNothing) {
  const auto records =
      FoldEvents({Record("r1", "p1", Worked(420)), Record("r1", "p2", Worked(60))});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].service_user_id, "p1");
  EXPECT_EQ(TimeWorkedMinutes(records[0].facts), 420);
  EXPECT_EQ(records[0].history.size(), 2u);
}

TEST(FoldEvents, AmendOrVoidOfAnUnknownRecordCreatesNothing) {
  EXPECT_TRUE(FoldEvents({Amend("a1", "ghost", Worked(60)), Void("v1", "ghost")}).empty());
  const auto records = FoldEvents({Record("r1", "p1"), Amend("a1", "ghost", Worked(60))});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(TimeWorkedMinutes(records[0].facts), 420);
  EXPECT_EQ(records[0].history.size(), 1u);
}

TEST(FoldEvents, RecordsInOrderOfFirstAppearanceWithTheirOwnEvents) {
  const auto records =
      FoldEvents({Record("b", "p2", Worked(100)), Record("a", "p1", Worked(200)),
                  Amend("x", "b", Worked(150)), Void("y", "a"), Record("c", "p1", Worked(250))});
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].record_id, "b");
  EXPECT_EQ(TimeWorkedMinutes(records[0].facts), 150);
  EXPECT_FALSE(records[0].voided);
  EXPECT_EQ(HistoryIds(records[0]), (std::vector<std::string>{"b", "x"}));
  EXPECT_EQ(records[1].record_id, "a");
  EXPECT_TRUE(records[1].voided);
  EXPECT_EQ(HistoryIds(records[1]), (std::vector<std::string>{"a", "y"}));
  EXPECT_EQ(records[2].record_id, "c");
  EXPECT_EQ(records[2].service_user_id, "p1");
  EXPECT_FALSE(records[2].voided);
}

TEST(FoldEvents, ANoteMarkedSensitiveStaysSensitive) {
  const auto records = FoldEvents({Record("r1", "p1", Worked(420, "disclosed at break", true)),
                                   Amend("a1", "r1", Worked(390, "disclosed at break", false))});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_TRUE(records[0].facts.note_sensitive);
  EXPECT_EQ(TimeWorkedMinutes(records[0].facts), 390);  // the rest of the amend applies
  // Marking a note sensitive later works too.
  const auto later = FoldEvents(
      {Record("r1", "p1", Worked(420, "note")), Amend("a1", "r1", Worked(420, "note", true))});
  EXPECT_TRUE(later[0].facts.note_sensitive);
}

struct FitsCase {
  const char* name;
  AttendanceEvent next;
  Code code;
  const char* field;
};

TEST(CheckEventFits, RecordsAmendsAndVoids) {
  // r1 is live for p1; r2 was p2's record and is voided.
  const auto records = FoldEvents({Record("r1", "p1"), Record("r2", "p2"), Void("v2", "r2")});
  const std::vector<FitsCase> cases = {
      {"record for a new person", Record("r3", "p3"), Code::kOk, ""},
      {"record for a person with a live record", Record("r3", "p1"), Code::kConflict,
       "service_user_id"},
      {"record for a person whose record was voided", Record("r3", "p2"), Code::kOk, ""},
      {"record reusing a record id", Record("r1", "p3"), Code::kConflict, "id"},
      {"amend live", Amend("a", "r1", Worked(60)), Code::kOk, ""},
      {"void live", Void("v", "r1"), Code::kOk, ""},
      {"amend voided", Amend("a", "r2", Worked(60)), Code::kConflict, "record_id"},
      {"void voided", Void("v", "r2"), Code::kConflict, "record_id"},
      {"amend unknown", Amend("a", "ghost", Worked(60)), Code::kNotFound, "record_id"},
      {"void unknown", Void("v", "ghost"), Code::kNotFound, "record_id"},
      {"amend without reason", Amend("a", "r1", Worked(60), ""), Code::kInvalid, "reason"},
      {"void with blank reason", Void("v", "r1", " \t\r\n"), Code::kInvalid, "reason"},
      {"amend with padded reason", Amend("a", "r1", Worked(60), " typo "), Code::kOk, ""},
  };
  for (const auto& c : cases) {
    const Status s = CheckEventFits(records, c.next);
    EXPECT_EQ(s.code(), c.code) << c.name;
    EXPECT_EQ(s.field(), c.field) << c.name;
  }
  EXPECT_TRUE(CheckEventFits({}, Record("r1", "p1")).ok());
}

TEST(CheckEventFits, AcceptedEventsFoldAsChecked) {
  // Appending only what fits keeps the fold and the check in step.
  std::vector<AttendanceEvent> stored;
  const std::vector<AttendanceEvent> attempts = {Record("r1", "p1"),
                                                 Record("r2", "p1"),
                                                 Amend("a1", "r1", Worked(200)),
                                                 Void("v1", "r1"),
                                                 Amend("a2", "r1", Worked(10)),
                                                 Record("r3", "p1", Worked(100))};
  for (const auto& e : attempts) {
    if (CheckEventFits(FoldEvents(stored), e).ok()) stored.push_back(e);
  }
  std::vector<std::string> ids;
  for (const auto& e : stored) ids.push_back(e.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"r1", "a1", "v1", "r3"}));
  const auto records = FoldEvents(stored);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_TRUE(records[0].voided);
  EXPECT_EQ(TimeWorkedMinutes(records[1].facts), 100);
}

}  // namespace
}  // namespace upw::domain
