// Attendance facts: validation, time worked, what may be claimed, late and early.
// Outcome classes, names and event folding live in attendance_events_test.cpp.
#include "domain/attendance.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace upw::domain {
namespace {

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}
UtcSeconds At(std::string_view rfc3339) { return ParseTimestamp(rfc3339).value(); }

// 09:00-16:00 BST on Wednesday 15 July 2026: 420 minutes.
const SessionWindow kDay{At("2026-07-15T08:00:00Z"), At("2026-07-15T15:00:00Z")};
const UtcSeconds kAfter = At("2026-07-15T15:30:00Z");

AttendanceFacts Attended() {
  AttendanceFacts f;
  f.sign_in = kDay.start;
  f.sign_out = kDay.end;
  f.break_minutes = 30;
  return f;
}

AttendanceFacts Absent(Outcome o, Reason r) {
  AttendanceFacts f;
  f.outcome = o;
  f.reason = r;
  return f;
}

struct FactsCase {
  const char* name;
  AttendanceFacts facts;
  const char* field;  // nullptr: valid
};

void ExpectCases(const std::vector<FactsCase>& cases, const SessionWindow& w, UtcSeconds now) {
  for (const auto& c : cases) {
    const Status s = ValidateFacts(c.facts, w, now);
    if (c.field == nullptr) {
      EXPECT_TRUE(s.ok()) << c.name << ": " << s.field() << " " << s.message();
    } else {
      EXPECT_EQ(s.code(), Code::kInvalid) << c.name;
      EXPECT_EQ(s.field(), c.field) << c.name;
    }
  }
}

template <typename F>
AttendanceFacts With(AttendanceFacts f, F change) {
  change(f);
  return f;
}

TEST(ValidateFacts, AttendedRecords) {
  const UtcSeconds in = kDay.start;
  ExpectCases(
      {
          {"full session", Attended(), nullptr},
          {"reason on attended", With(Attended(), [](auto& f) { f.reason = Reason::kMedical; }),
           "absence_reason"},
          {"no sign_in", With(Attended(), [](auto& f) { f.sign_in.reset(); }), "sign_in"},
          {"no sign_out", With(Attended(), [](auto& f) { f.sign_out.reset(); }), "sign_out"},
          {"out == in", With(Attended(), [&](auto& f) { f.sign_out = in; }), "sign_out"},
          {"out < in", With(Attended(), [&](auto& f) { f.sign_out = in - 60; }), "sign_out"},
          {"negative break", With(Attended(), [](auto& f) { f.break_minutes = -1; }),
           "break_minutes"},
          {"negative penalty", With(Attended(), [](auto& f) { f.penalty_minutes = -1; }),
           "penalty_minutes"},
          {"break == signed in", With(Attended(), [](auto& f) { f.break_minutes = 420; }), nullptr},
          {"break > signed in", With(Attended(), [](auto& f) { f.break_minutes = 421; }),
           "break_minutes"},
          {"break + penalty == signed in",
           With(Attended(), [](auto& f) { f.penalty_minutes = 390; }), nullptr},
          {"break + penalty > signed in",
           With(Attended(), [](auto& f) { f.penalty_minutes = 391; }), "penalty_minutes"},
          {"sign_in 12 h early", With(Attended(), [&](auto& f) { f.sign_in = in - 12 * 3600; }),
           nullptr},
          {"sign_in 12 h 1 s early",
           With(Attended(), [&](auto& f) { f.sign_in = in - 12 * 3600 - 1; }), "sign_in"},
          {"sign_out now + 5 min", With(Attended(), [](auto& f) { f.sign_out = kAfter + 300; }),
           nullptr},
          {"sign_out now + 5 min 1 s", With(Attended(), [](auto& f) { f.sign_out = kAfter + 301; }),
           "sign_out"},
      },
      kDay, kAfter);
}

TEST(ValidateFacts, PenaltyMayNotExceedTheSessionEvenWhenSignedInLonger) {
  // Signed in 07:00Z-15:30Z: 510 minutes, but the session is 420.
  const auto long_day = [](int penalty) {
    AttendanceFacts f;
    f.sign_in = kDay.start - 3600;
    f.sign_out = kAfter;
    f.penalty_minutes = penalty;
    return f;
  };
  ExpectCases({{"penalty == session", long_day(420), nullptr},
               {"penalty > session", long_day(421), "penalty_minutes"}},
              kDay, kAfter);
}

TEST(ValidateFacts, NotesMustBeUnderFourThousandCharacters) {
  const auto noted = [](std::string note) {
    return With(Attended(), [&](auto& f) { f.note = std::move(note); });
  };
  std::string accented;
  for (int i = 0; i < 3999; ++i) accented += "\xC3\xA9";  // U+00E9: two bytes in UTF-8
  ExpectCases({{"empty", noted(""), nullptr},
               {"3999 chars", noted(std::string(3999, 'x')), nullptr},
               {"4000 chars", noted(std::string(4000, 'x')), "note"},
               {"3999 two-byte chars", noted(accented), nullptr},
               {"4000 two-byte chars", noted(accented + "\xC3\xA9"), "note"}},
              kDay, kAfter);
}

TEST(ValidateFacts, SignedInAtMostTwentyFourHours) {
  const UtcSeconds in = kDay.start - 12 * 3600;
  const auto span = [&](UtcSeconds seconds) {
    return With(Attended(), [&](auto& f) {
      f.sign_in = in;
      f.sign_out = in + seconds;
    });
  };
  ExpectCases({{"24 h", span(24 * 3600), nullptr}, {"24 h 1 s", span(24 * 3600 + 1), "sign_out"}},
              kDay, in + 25 * 3600);
}

TEST(ValidateFacts, AbsencesAndReschedulesNeedTheRightReasonAndNoTimes) {
  ExpectCases(
      {
          {"unacceptable", Absent(Outcome::kUnacceptableAbsence, Reason::kNone), nullptr},
          {"unacceptable with reason", Absent(Outcome::kUnacceptableAbsence, Reason::kMedical),
           "absence_reason"},
          {"acceptable medical", Absent(Outcome::kAcceptableAbsence, Reason::kMedical), nullptr},
          {"acceptable employment", Absent(Outcome::kAcceptableAbsence, Reason::kEmployment),
           nullptr},
          {"acceptable family", Absent(Outcome::kAcceptableAbsence, Reason::kFamily), nullptr},
          {"acceptable court", Absent(Outcome::kAcceptableAbsence, Reason::kCourt), nullptr},
          {"acceptable stood down",
           Absent(Outcome::kAcceptableAbsence, Reason::kStoodDownInAdvance), nullptr},
          {"acceptable judgement",
           Absent(Outcome::kAcceptableAbsence, Reason::kProfessionalJudgement), nullptr},
          {"acceptable no reason", Absent(Outcome::kAcceptableAbsence, Reason::kNone),
           "absence_reason"},
          {"acceptable reschedule reason",
           Absent(Outcome::kAcceptableAbsence, Reason::kServiceRequest), "absence_reason"},
          {"rescheduled service", Absent(Outcome::kRescheduled, Reason::kServiceRequest), nullptr},
          {"rescheduled person", Absent(Outcome::kRescheduled, Reason::kPersonRequest), nullptr},
          {"rescheduled no reason", Absent(Outcome::kRescheduled, Reason::kNone), "absence_reason"},
          {"rescheduled absence reason", Absent(Outcome::kRescheduled, Reason::kMedical),
           "absence_reason"},
          {"absence with sign_in",
           With(Absent(Outcome::kUnacceptableAbsence, Reason::kNone),
                [](auto& f) { f.sign_in = kDay.start; }),
           "sign_in"},
          {"absence with sign_out",
           With(Absent(Outcome::kUnacceptableAbsence, Reason::kNone),
                [](auto& f) { f.sign_out = kDay.end; }),
           "sign_out"},
          {"absence with break",
           With(Absent(Outcome::kRescheduled, Reason::kPersonRequest),
                [](auto& f) { f.break_minutes = 15; }),
           "break_minutes"},
          {"absence with penalty",
           With(Absent(Outcome::kAcceptableAbsence, Reason::kCourt),
                [](auto& f) { f.penalty_minutes = 15; }),
           "penalty_minutes"},
      },
      kDay, kAfter);
}

TEST(ValidateFacts, BeforeTheSessionStartsOnlyAbsencesAndReschedules) {
  const UtcSeconds before = kDay.start - 1;
  for (const Outcome o : {Outcome::kAttendedComplied, Outcome::kAttendedFailedToComply,
                          Outcome::kSentHomeBehaviour, Outcome::kSentHomeService}) {
    AttendanceFacts f = Attended();
    f.outcome = o;
    f.sign_in = before - 3600;  // in the 12 h before the start: only the outcome is wrong
    f.sign_out = before;
    f.break_minutes = 0;
    EXPECT_EQ(ValidateFacts(f, kDay, before).field(), "outcome") << ToString(o);
  }
  // Nobody can be absent without acceptable reason from a session that has not begun.
  ExpectCases({{"unacceptable", Absent(Outcome::kUnacceptableAbsence, Reason::kNone), "outcome"},
               {"medical", Absent(Outcome::kAcceptableAbsence, Reason::kMedical), nullptr},
               {"rescheduled", Absent(Outcome::kRescheduled, Reason::kPersonRequest), nullptr}},
              kDay, before);
  AttendanceFacts at_start = Attended();  // from the start, attendance may be recorded
  at_start.sign_out = kDay.start + 60;
  at_start.break_minutes = 0;
  EXPECT_TRUE(ValidateFacts(at_start, kDay, kDay.start).ok());
}

TEST(ValidateFacts, SessionCrossingMidnightIsOneFourHourWindow) {
  // 22:00-02:00 BST, built as the app does: the end on the next local date.
  const SessionWindow night{UkLocalToUtc(D(2026, 7, 15), 22 * 60),
                            UkLocalToUtc(D(2026, 7, 16), 2 * 60)};
  ASSERT_EQ(night.end - night.start, 4 * 3600);
  AttendanceFacts f;
  f.sign_in = At("2026-07-15T21:10:00Z");
  f.sign_out = At("2026-07-16T01:00:00Z");
  f.break_minutes = 15;
  EXPECT_TRUE(ValidateFacts(f, night, At("2026-07-16T01:10:00Z")).ok());
  EXPECT_EQ(TimeWorkedMinutes(f), 215);  // 230 signed in - 15
  EXPECT_TRUE(IsLate(f, night));
  EXPECT_FALSE(LeftEarly(f, night));
  f.sign_in = night.start - 3600;
  f.break_minutes = 0;
  f.penalty_minutes = 240;
  EXPECT_TRUE(ValidateFacts(f, night, night.end).ok());
  f.penalty_minutes = 241;
  EXPECT_EQ(ValidateFacts(f, night, night.end).field(), "penalty_minutes");
}

TEST(TimeWorkedMinutes, RealElapsedTimeOverTheClockChanges) {
  const auto worked = [](Date d) {
    AttendanceFacts f;
    f.sign_in = UkLocalToUtc(d, 22 * 60);
    f.sign_out = UkLocalToUtc(AddDays(d, 1), 2 * 60);
    return TimeWorkedMinutes(f);
  };
  EXPECT_EQ(worked(D(2026, 7, 15)), 240);
  EXPECT_EQ(worked(D(2026, 3, 28)), 180);   // an hour is skipped
  EXPECT_EQ(worked(D(2026, 10, 24)), 300);  // an hour is repeated
}

TEST(TimeWorkedMinutes, SignedInLessBreaksAndPenaltyNeverNegative) {
  const auto worked = [](std::optional<UtcSeconds> in, std::optional<UtcSeconds> out, int brk,
                         int pen) {
    AttendanceFacts f;
    f.sign_in = in;
    f.sign_out = out;
    f.break_minutes = brk;
    f.penalty_minutes = pen;
    return TimeWorkedMinutes(f);
  };
  const UtcSeconds s = kDay.start;
  EXPECT_EQ(worked(std::nullopt, std::nullopt, 0, 0), 0);
  EXPECT_EQ(worked(s, std::nullopt, 0, 0), 0);
  EXPECT_EQ(worked(std::nullopt, s + 3600, 0, 0), 0);
  EXPECT_EQ(worked(s, s, 0, 0), 0);
  EXPECT_EQ(worked(s, s - 3600, 0, 0), 0);
  EXPECT_EQ(worked(s, s + 7 * 3600, 30, 0), 390);
  EXPECT_EQ(worked(s, s + 7 * 3600 + 59, 0, 0), 420);  // part minutes drop
  EXPECT_EQ(worked(s, s + 7 * 3600, 30, 60), 330);
  EXPECT_EQ(worked(s, s + 7 * 3600, 400, 60), 0);
}

TEST(ClaimableMinutes, FollowsTheOutcomeAndTheProfileSwitches) {
  for (const bool ftc : {true, false}) {
    for (const bool stand_down : {true, false}) {
      Profile p;
      p.credit_failed_to_comply = ftc;
      p.credit_service_stand_down = stand_down;
      const auto claim = [&](Outcome o) {
        AttendanceFacts f = Attended();  // 420 signed in, 30 break: 390 worked
        f.outcome = o;
        return ClaimableMinutes(f, p);
      };
      SCOPED_TRACE(std::to_string(ftc) + std::to_string(stand_down));
      EXPECT_EQ(claim(Outcome::kAttendedComplied), 390);
      EXPECT_EQ(claim(Outcome::kAttendedFailedToComply), ftc ? 390 : 0);
      EXPECT_EQ(claim(Outcome::kSentHomeBehaviour), 390);
      EXPECT_EQ(claim(Outcome::kSentHomeService), stand_down ? 390 : 0);
      EXPECT_EQ(claim(Outcome::kUnacceptableAbsence), 0);
      EXPECT_EQ(claim(Outcome::kAcceptableAbsence), 0);
      EXPECT_EQ(claim(Outcome::kRescheduled), 0);
    }
  }
}

TEST(IsLateAndLeftEarly, FiveMinutesGraceAndOnlyForAttendance) {
  AttendanceFacts f = Attended();
  f.sign_in = kDay.start + 300;
  f.sign_out = kDay.end - 300;
  EXPECT_FALSE(IsLate(f, kDay));
  EXPECT_FALSE(LeftEarly(f, kDay));
  f.sign_in = kDay.start + 301;
  f.sign_out = kDay.end - 301;
  EXPECT_TRUE(IsLate(f, kDay));
  EXPECT_TRUE(LeftEarly(f, kDay));
  f.outcome = Outcome::kSentHomeService;
  EXPECT_TRUE(LeftEarly(f, kDay));
  f.outcome = Outcome::kUnacceptableAbsence;
  EXPECT_FALSE(IsLate(f, kDay));
  EXPECT_FALSE(LeftEarly(f, kDay));
  AttendanceFacts none = Attended();
  none.sign_in.reset();
  none.sign_out.reset();
  EXPECT_FALSE(IsLate(none, kDay));
  EXPECT_FALSE(LeftEarly(none, kDay));
  none.sign_in = kDay.start - 3600;  // early arrival is not late
  none.sign_out = kDay.end + 3600;
  EXPECT_FALSE(IsLate(none, kDay));
  EXPECT_FALSE(LeftEarly(none, kDay));
}

}  // namespace
}  // namespace upw::domain
