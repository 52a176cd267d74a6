#include "domain/working_days.h"

#include <gtest/gtest.h>

#include <vector>

namespace upw::domain {
namespace {

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

// A Scottish council's holidays around Easter and Christmas 2026.
Profile WithHolidays() {
  Profile p;
  for (const Date d : {D(2026, 4, 3),     // Good Friday
                       D(2026, 12, 25),   // Christmas Day (Friday)
                       D(2026, 12, 28),   // Boxing Day substitute (Monday)
                       D(2027, 1, 1),     // New Year's Day (Friday)
                       D(2027, 1, 4),     // 2 January substitute (Monday)
                       D(2026, 12, 26)})  // listed though it is a Saturday
  {
    p.holiday_day_numbers.insert(DayNumber(d));
  }
  return p;
}

TEST(IsWorkingDay, MondayToFridayOnly) {
  const Profile p;
  const std::vector<std::pair<Date, bool>> week = {
      {D(2026, 3, 22), false},  // Sunday
      {D(2026, 3, 23), true},  {D(2026, 3, 24), true}, {D(2026, 3, 25), true},
      {D(2026, 3, 26), true},  {D(2026, 3, 27), true}, {D(2026, 3, 28), false},  // Saturday
  };
  for (const auto& [d, working] : week) EXPECT_EQ(IsWorkingDay(d, p), working) << FormatDate(d);
}

TEST(IsWorkingDay, ProfileHolidaysAreNotWorkingDays) {
  const Profile holidays = WithHolidays();
  EXPECT_FALSE(IsWorkingDay(D(2026, 12, 25), holidays));
  EXPECT_FALSE(IsWorkingDay(D(2026, 12, 28), holidays));
  EXPECT_TRUE(IsWorkingDay(D(2026, 12, 24), holidays));
  EXPECT_TRUE(IsWorkingDay(D(2026, 4, 6), holidays));  // Easter Monday: not a Scottish holiday here
  EXPECT_TRUE(IsWorkingDay(D(2026, 12, 25), Profile{}));  // no calendar, no holiday
}

struct AddCase {
  Date from;
  int n;
  Date expected;
};

TEST(AddWorkingDays, SkipsWeekendsAndHolidays) {
  const Profile holidays = WithHolidays();
  const std::vector<AddCase> cases = {
      {D(2026, 3, 25), 0, D(2026, 3, 25)},
      {D(2026, 3, 28), 0, D(2026, 3, 28)},  // n == 0 returns a Saturday unchanged
      {D(2026, 3, 25), 1, D(2026, 3, 26)},
      {D(2026, 3, 27), 1, D(2026, 3, 30)},  // Friday -> Monday
      {D(2026, 3, 28), 1, D(2026, 3, 30)},  // Saturday -> Monday
      {D(2026, 3, 29), 1, D(2026, 3, 30)},  // Sunday -> Monday
      {D(2026, 3, 25), 5, D(2026, 4, 1)},   // Wednesday -> next Wednesday
      {D(2026, 3, 27), 5, D(2026, 4, 6)},   // Good Friday pushes it to Monday
      {D(2026, 3, 23), 7, D(2026, 4, 1)},   // placement within 7 working days
      {D(2026, 12, 23), 1, D(2026, 12, 24)},
      {D(2026, 12, 23), 2, D(2026, 12, 29)},  // over 25, 26, 27, 28
      {D(2026, 12, 23), 5, D(2027, 1, 5)},    // over 1, 2, 3, 4 January as well
  };
  for (const auto& c : cases) {
    EXPECT_EQ(AddWorkingDays(c.from, c.n, holidays), c.expected)
        << FormatDate(c.from) << " + " << c.n;
  }
  EXPECT_EQ(AddWorkingDays(D(2026, 3, 27), 5, Profile{}), D(2026, 4, 3));
}

struct BetweenCase {
  Date from;
  Date to;
  int expected;
};

TEST(WorkingDaysBetween, CountsTheHalfOpenIntervalFromExclusiveToInclusive) {
  const Profile holidays = WithHolidays();
  const std::vector<BetweenCase> cases = {
      {D(2026, 3, 25), D(2026, 3, 25), 0},  // same day
      {D(2026, 3, 26), D(2026, 3, 25), 0},  // backwards
      {D(2026, 3, 25), D(2026, 3, 26), 1},
      {D(2026, 3, 27), D(2026, 3, 30), 1},  // Friday -> Monday
      {D(2026, 3, 28), D(2026, 3, 29), 0},  // weekend only
      {D(2026, 3, 27), D(2026, 3, 28), 0},  // Friday -> Saturday
      {D(2026, 3, 23), D(2026, 3, 30), 5},  // Monday -> Monday
      {D(2026, 3, 28), D(2026, 4, 3), 4},   // Good Friday is not counted
      {D(2026, 12, 23), D(2027, 1, 5), 5},
      {D(2026, 12, 24), D(2027, 1, 4), 3},  // 29, 30, 31 December
  };
  for (const auto& c : cases) {
    EXPECT_EQ(WorkingDaysBetween(c.from, c.to, holidays), c.expected)
        << FormatDate(c.from) << " -> " << FormatDate(c.to);
  }
}

TEST(WorkingDaysBetween, SeenWithinFiveWorkingDaysBoundary) {
  const Profile p;
  const Date ordered = D(2026, 3, 25);  // Wednesday
  EXPECT_LE(WorkingDaysBetween(ordered, D(2026, 4, 1), p), p.seen_within_working_days);
  EXPECT_GT(WorkingDaysBetween(ordered, D(2026, 4, 2), p), p.seen_within_working_days);
  const Date friday = D(2026, 3, 27);  // the weekend does not use up the five days
  EXPECT_EQ(WorkingDaysBetween(friday, D(2026, 4, 3), p), 5);
}

TEST(WorkingDays, AddThenCountIsTheIdentity) {
  const Profile holidays = WithHolidays();
  for (std::int64_t day = DayNumber(D(2026, 12, 1)); day <= DayNumber(D(2027, 1, 10)); ++day) {
    for (int n = 0; n <= 12; ++n) {
      const Date from = FromDayNumber(day);
      const Date to = AddWorkingDays(from, n, holidays);
      ASSERT_EQ(WorkingDaysBetween(from, to, holidays), n) << FormatDate(from) << " + " << n;
      if (n > 0) {
        ASSERT_TRUE(IsWorkingDay(to, holidays)) << FormatDate(to);
      }
    }
  }
}

}  // namespace
}  // namespace upw::domain
