#include "domain/civil_time.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace upw::domain {
namespace {

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

UtcSeconds At(std::string_view rfc3339) { return ParseTimestamp(rfc3339).value(); }

TEST(ParseDate, AcceptsRealCalendarDaysIncludingLeapDays) {
  EXPECT_EQ(ParseDate("2026-03-29"), D(2026, 3, 29));
  EXPECT_EQ(ParseDate("2024-02-29"), D(2024, 2, 29));  // divisible by 4
  EXPECT_EQ(ParseDate("2000-02-29"), D(2000, 2, 29));  // divisible by 400
  EXPECT_EQ(ParseDate("2026-12-31"), D(2026, 12, 31));
}

TEST(ParseDate, RefusesImpossibleDaysAndOtherShapes) {
  for (const char* bad : {"2023-02-29", "2100-02-29", "2026-04-31", "2026-13-01", "2026-00-10",
                          "2026-01-00", "2026-1-01", "2026/01/01", "2026-01-011", "", "abcd-ef-gh",
                          " 2026-01-01", "2026-01-01T", "+026-01-01"}) {
    EXPECT_FALSE(ParseDate(bad).has_value()) << bad;
  }
}

TEST(FormatDate, PadsAndRoundTrips) {
  EXPECT_EQ(FormatDate(D(2026, 1, 5)), "2026-01-05");
  EXPECT_EQ(FormatDate(D(987, 12, 31)), "0987-12-31");
  for (const char* s : {"2024-02-29", "1970-01-01", "2027-10-25"}) {
    EXPECT_EQ(FormatDate(ParseDate(s).value()), s);
  }
}

TEST(DayNumber, CountsFromTheUnixEpochBothWays) {
  EXPECT_EQ(DayNumber(D(1970, 1, 1)), 0);
  EXPECT_EQ(DayNumber(D(1969, 12, 31)), -1);
  EXPECT_EQ(DayNumber(D(2000, 2, 29)), 11016);
  EXPECT_EQ(DayNumber(D(2026, 3, 29)), 20541);
  EXPECT_EQ(FromDayNumber(20541), D(2026, 3, 29));
  EXPECT_EQ(FromDayNumber(-1), D(1969, 12, 31));
}

TEST(AddDays, CrossesMonthYearAndLeapDay) {
  EXPECT_EQ(AddDays(D(2024, 2, 28), 1), D(2024, 2, 29));
  EXPECT_EQ(AddDays(D(2023, 2, 28), 1), D(2023, 3, 1));
  EXPECT_EQ(AddDays(D(2026, 12, 31), 1), D(2027, 1, 1));
  EXPECT_EQ(AddDays(D(2026, 1, 1), -1), D(2025, 12, 31));
  EXPECT_EQ(AddDays(D(2024, 1, 1), 366), D(2025, 1, 1));
  EXPECT_EQ(AddDays(D(2026, 3, 29), 0), D(2026, 3, 29));
}

struct MonthCase {
  Date from;
  int months;
  Date expected;
};

TEST(AddMonths, ClampsToTheLastDayOfShortMonths) {
  const std::vector<MonthCase> cases = {
      {D(2026, 1, 31), 1, D(2026, 2, 28)},   // not a leap year
      {D(2024, 1, 31), 1, D(2024, 2, 29)},   // leap year
      {D(2026, 3, 31), 1, D(2026, 4, 30)},   // 30-day month
      {D(2026, 8, 31), 6, D(2027, 2, 28)},   // across the year end
      {D(2027, 8, 31), 6, D(2028, 2, 29)},   // into a leap February
      {D(2026, 11, 30), 3, D(2027, 2, 28)},  // 30th clamps too
      {D(2099, 12, 31), 2, D(2100, 2, 28)},  // 2100 is not a leap year
      {D(2024, 2, 29), 12, D(2025, 2, 28)},  // leap day a year on
      {D(2024, 2, 29), 48, D(2028, 2, 29)},  // ... and four years on
      {D(2026, 1, 15), 12, D(2027, 1, 15)},  // no clamping needed
      {D(2026, 10, 15), 3, D(2027, 1, 15)},  // year rolls over
      {D(2026, 3, 31), -1, D(2026, 2, 28)},  // backwards clamps as well
      {D(2026, 1, 31), -2, D(2025, 11, 30)}, {D(2026, 5, 31), 0, D(2026, 5, 31)},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(AddMonths(c.from, c.months), c.expected)
        << FormatDate(c.from) << " + " << c.months << " months";
  }
}

TEST(Weekday, SundayIsZeroSaturdayIsSix) {
  EXPECT_EQ(Weekday(D(1970, 1, 1)), 4);  // a Thursday
  EXPECT_EQ(Weekday(D(2026, 3, 28)), 6);
  EXPECT_EQ(Weekday(D(2026, 3, 29)), 0);
  EXPECT_EQ(Weekday(D(2026, 3, 30)), 1);
  EXPECT_EQ(Weekday(D(2026, 12, 25)), 5);
}

TEST(ParseTimeOfDay, AcceptsTwentyFourHourTimesWithOneOrTwoHourDigits) {
  EXPECT_EQ(ParseTimeOfDay("00:00"), 0);
  EXPECT_EQ(ParseTimeOfDay("09:30"), 570);
  EXPECT_EQ(ParseTimeOfDay("23:59"), 1439);
  EXPECT_EQ(ParseTimeOfDay("9:30"), 570);  // as people type a pickup time
  EXPECT_EQ(ParseTimeOfDay("8:15"), 495);
  EXPECT_EQ(ParseTimeOfDay("0:00"), 0);
  for (const char* bad : {"24:00", "12:60", "9:60", "9:5", "09:3", "12:3", "09-30", "0930", "930",
                          "09:30 ", " 9:30", "9:30 ", "ab:cd", "a:30", ""}) {
    EXPECT_FALSE(ParseTimeOfDay(bad).has_value()) << bad;
  }
}

TEST(FormatTimeOfDay, PadsAndWrapsPastMidnight) {
  EXPECT_EQ(FormatTimeOfDay(0), "00:00");
  EXPECT_EQ(FormatTimeOfDay(570), "09:30");
  EXPECT_EQ(FormatTimeOfDay(1439), "23:59");
  EXPECT_EQ(FormatTimeOfDay(1440), "00:00");
  EXPECT_EQ(FormatTimeOfDay(1500), "01:00");
}

TEST(ParseTimestamp, ReadsZuluOffsetsAndDropsFractions) {
  EXPECT_EQ(ParseTimestamp("2026-11-22T09:05:00Z"), 1795338300);
  EXPECT_EQ(ParseTimestamp("2026-06-01T10:00:00+01:00"), 1780304400);  // 09:00Z
  EXPECT_EQ(ParseTimestamp("2026-06-01T03:30:00-05:30"), 1780304400);
  EXPECT_EQ(ParseTimestamp("2026-06-01T09:00:00-00:00"), 1780304400);
  EXPECT_EQ(ParseTimestamp("2026-11-22T09:05:00.5Z"), 1795338300);
  EXPECT_EQ(ParseTimestamp("2026-11-22T09:05:00.123456789Z"), 1795338300);
  EXPECT_EQ(ParseTimestamp("2026-06-01T09:00:00.25+18:00"), 1780304400 - 18 * 3600);
  EXPECT_EQ(ParseTimestamp("2000-02-29T12:00:00Z"), 951825600);
  EXPECT_EQ(ParseTimestamp("1969-12-31T23:59:59Z"), -1);
}

TEST(ParseTimestamp, RefusesMalformedInstants) {
  for (const char* bad :
       {"2026-11-22T09:05:00", "2026-11-22 09:05:00Z", "2026-11-22T09:05:00z",
        "2026-11-22T09:05:00ZZ", "2026-11-22T09:05:00+0100", "2026-11-22T09:05:00+01:60",
        "2026-11-22T09:05:00+18:01", "2026-11-22T09:05:00+01:00:00", "2026-11-22T24:00:00Z",
        "2026-11-22T09:60:00Z", "2026-11-22T09:05:60Z", "2026-02-30T09:05:00Z",
        "2026-11-22T09:05:00.Z", "2026-11-22T09:05:00.1234567890Z", "2026-11-22T09:05:00.5",
        "2026-11-22T9:05:00Z", ""}) {
    EXPECT_FALSE(ParseTimestamp(bad).has_value()) << bad;
  }
}

TEST(FormatTimestamp, WritesZuluAndRoundTripsIncludingBeforeTheEpoch) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatTimestamp(-86400), "1969-12-31T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(1795338300), "2026-11-22T09:05:00Z");
  for (const char* s : {"2024-02-29T23:59:59Z", "2026-10-25T01:00:00Z", "1960-07-04T12:34:56Z"}) {
    EXPECT_EQ(FormatTimestamp(At(s)), s);
  }
}

TEST(UkOffsetSeconds, SwitchesAtOneAmUtcOnTheLastSundays) {
  const std::vector<std::pair<const char*, int>> cases = {
      {"2026-01-15T12:00:00Z", 0},
      {"2026-03-22T01:00:00Z", 0},  // the Sunday before the last one
      {"2026-03-29T00:59:59Z", 0},
      {"2026-03-29T01:00:00Z", 3600},
      {"2026-07-15T12:00:00Z", 3600},
      {"2026-10-25T00:59:59Z", 3600},
      {"2026-10-25T01:00:00Z", 0},
      {"2026-12-31T23:59:59Z", 0},
      {"2024-03-31T00:59:59Z", 0},  // 2024: 31 March and 27 October
      {"2024-03-31T01:00:00Z", 3600},
      {"2024-10-27T00:59:59Z", 3600},
      {"2024-10-27T01:00:00Z", 0},
      {"2025-03-30T01:00:00Z", 3600},  // 2025: 30 March and 26 October
      {"2025-10-26T01:00:00Z", 0},
  };
  for (const auto& [t, offset] : cases) EXPECT_EQ(UkOffsetSeconds(At(t)), offset) << t;
}

struct LocalCase {
  Date date;
  const char* local;
  const char* utc;
};

TEST(UkLocalToUtc, ReadsSkippedHourAsGmtAndRepeatedHourAsBst) {
  const std::vector<LocalCase> cases = {
      {D(2026, 1, 15), "09:00", "2026-01-15T09:00:00Z"},
      {D(2026, 7, 15), "09:00", "2026-07-15T08:00:00Z"},
      {D(2026, 7, 15), "00:30", "2026-07-14T23:30:00Z"},  // BST: previous UTC day
      // Spring forward, 29 March 2026: 01:00-01:59 local never happens.
      {D(2026, 3, 29), "00:59", "2026-03-29T00:59:00Z"},
      {D(2026, 3, 29), "01:00", "2026-03-29T01:00:00Z"},
      {D(2026, 3, 29), "01:30", "2026-03-29T01:30:00Z"},
      {D(2026, 3, 29), "02:00", "2026-03-29T01:00:00Z"},
      {D(2026, 3, 29), "09:00", "2026-03-29T08:00:00Z"},
      // Fall back, 25 October 2026: 01:00-01:59 local happens twice; the first is BST.
      {D(2026, 10, 25), "00:30", "2026-10-24T23:30:00Z"},
      {D(2026, 10, 25), "01:00", "2026-10-25T00:00:00Z"},
      {D(2026, 10, 25), "01:30", "2026-10-25T00:30:00Z"},
      {D(2026, 10, 25), "01:59", "2026-10-25T00:59:00Z"},
      {D(2026, 10, 25), "02:00", "2026-10-25T02:00:00Z"},
      {D(2026, 10, 25), "09:00", "2026-10-25T09:00:00Z"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(FormatTimestamp(UkLocalToUtc(c.date, *ParseTimeOfDay(c.local))), c.utc)
        << FormatDate(c.date) << " " << c.local;
  }
}

TEST(UkLocalToUtc, OvernightSessionsOverTheClockChangesLastTheirRealLength) {
  // 22:00 to 02:00 local as the app builds a window: the end on the next local date.
  const auto hours = [](Date d) {
    return (UkLocalToUtc(AddDays(d, 1), 120) - UkLocalToUtc(d, 22 * 60)) / 3600;
  };
  EXPECT_EQ(hours(D(2026, 7, 15)), 4);
  EXPECT_EQ(hours(D(2026, 3, 28)), 3);   // the clocks go forward during the session
  EXPECT_EQ(hours(D(2026, 10, 24)), 5);  // the clocks go back during the session
}

TEST(UkLocalDate, UsesTheLocalOffset) {
  EXPECT_EQ(UkLocalDate(At("2026-01-15T23:30:00Z")), D(2026, 1, 15));
  EXPECT_EQ(UkLocalDate(At("2026-07-15T23:30:00Z")), D(2026, 7, 16));
  EXPECT_EQ(UkLocalDate(At("2026-03-28T23:30:00Z")), D(2026, 3, 28));
  EXPECT_EQ(UkLocalDate(At("2026-03-29T23:30:00Z")), D(2026, 3, 30));
  EXPECT_EQ(UkLocalDate(At("2026-10-24T23:30:00Z")), D(2026, 10, 25));
  EXPECT_EQ(UkLocalDate(At("2026-10-25T23:30:00Z")), D(2026, 10, 25));
  EXPECT_EQ(UkLocalDate(At("1969-12-31T23:59:59Z")), D(1969, 12, 31));
}

TEST(UkLocalToUtc, EveryMinuteOfBothChangeDaysMapsBackToItsLocalDateAndTime) {
  for (const Date d : {D(2026, 3, 29), D(2026, 10, 25), D(2024, 3, 31), D(2024, 10, 27)}) {
    for (int m = 0; m < 24 * 60; ++m) {
      const UtcSeconds t = UkLocalToUtc(d, m);
      ASSERT_EQ(UkLocalDate(t), d) << FormatDate(d) << " " << FormatTimeOfDay(m);
      const bool skipped =
          Weekday(d) == 0 && static_cast<unsigned>(d.month()) == 3 && m >= 60 && m < 120;
      const int local_minute = static_cast<int>((t + UkOffsetSeconds(t)) / 60 % 1440);
      ASSERT_EQ(local_minute, skipped ? m + 60 : m) << FormatDate(d) << " " << FormatTimeOfDay(m);
    }
  }
}

}  // namespace
}  // namespace upw::domain
