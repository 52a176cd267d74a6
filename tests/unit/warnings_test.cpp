#include "domain/warnings.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace upw::domain {
namespace {

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

struct Expected {
  WarningStep step;
  const char* record_id;
  int incident_number;
  Date raised_on;
  Date due;
};

void ExpectTasks(const std::vector<WarningTask>& got, const std::vector<Expected>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("task " + std::to_string(i));
    EXPECT_EQ(got[i].step, want[i].step);
    EXPECT_EQ(got[i].record_id, want[i].record_id);
    EXPECT_EQ(got[i].incident_number, want[i].incident_number);
    EXPECT_EQ(got[i].raised_on, want[i].raised_on);
    EXPECT_EQ(got[i].due, want[i].due);
  }
}

TEST(WarningStep, Names) {
  EXPECT_EQ(ToString(WarningStep::kFirstWarning), "first_warning");
  EXPECT_EQ(ToString(WarningStep::kFinalWarning), "final_warning");
  EXPECT_EQ(ToString(WarningStep::kBreachReferral), "breach_referral");
}

TEST(WarningTasks, NoIncidentsNoTasks) { EXPECT_TRUE(WarningTasks({}, Profile{}).empty()); }

TEST(WarningTasks, FirstSecondThirdFourthIncidentsWithDueDates) {
  // Due five working days after each incident (default profile, no holidays).
  const auto tasks = WarningTasks({{"r1", D(2026, 3, 2)},    // Monday
                                   {"r2", D(2026, 3, 6)},    // Friday
                                   {"r3", D(2026, 3, 13)},   // Friday
                                   {"r4", D(2026, 3, 17)}},  // Tuesday
                                  Profile{});
  ExpectTasks(tasks, {{WarningStep::kFirstWarning, "r1", 1, D(2026, 3, 2), D(2026, 3, 9)},
                      {WarningStep::kFinalWarning, "r2", 2, D(2026, 3, 6), D(2026, 3, 13)},
                      {WarningStep::kBreachReferral, "r3", 3, D(2026, 3, 13), D(2026, 3, 20)},
                      {WarningStep::kBreachReferral, "r4", 4, D(2026, 3, 17), D(2026, 3, 24)}});
}

TEST(WarningTasks, CountsIncidentsInSessionDateOrderTiesStable) {
  const auto tasks = WarningTasks(
      {{"late", D(2026, 3, 20)}, {"same-day-1", D(2026, 3, 10)}, {"same-day-2", D(2026, 3, 10)}},
      Profile{});
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].record_id, "same-day-1");
  EXPECT_EQ(tasks[0].step, WarningStep::kFirstWarning);
  EXPECT_EQ(tasks[1].record_id, "same-day-2");
  EXPECT_EQ(tasks[1].step, WarningStep::kFinalWarning);
  EXPECT_EQ(tasks[2].record_id, "late");
  EXPECT_EQ(tasks[2].step, WarningStep::kBreachReferral);
}

TEST(WarningTasks, DueDateSkipsWeekendsAndProfileHolidays) {
  Profile p;
  for (const Date d :
       {D(2026, 4, 3), D(2026, 12, 25), D(2026, 12, 28), D(2027, 1, 1), D(2027, 1, 4)}) {
    p.holiday_day_numbers.insert(DayNumber(d));
  }
  const auto tasks = WarningTasks({{"sat", D(2026, 3, 28)},  // Saturday before Good Friday
                                   {"xmas", D(2026, 12, 23)},
                                   {"eve", D(2026, 12, 31)}},
                                  p);
  ExpectTasks(tasks, {{WarningStep::kFirstWarning, "sat", 1, D(2026, 3, 28), D(2026, 4, 6)},
                      {WarningStep::kFinalWarning, "xmas", 2, D(2026, 12, 23), D(2027, 1, 5)},
                      // 5, 6, 7, 8 and 11 January
                      {WarningStep::kBreachReferral, "eve", 3, D(2026, 12, 31), D(2027, 1, 11)}});
}

TEST(WarningTasks, ThresholdsComeFromTheProfileAndGapsRaiseNothing) {
  Profile p;
  p.first_warning_at = 2;
  p.final_warning_at = 4;
  p.breach_referral_at = 6;
  std::vector<EnforceableIncident> incidents;
  for (unsigned day = 2; day <= 8; ++day) {  // Monday 2 to Sunday 8 March 2026: seven incidents
    incidents.push_back({"i" + std::to_string(day - 1), D(2026, 3, day)});
  }
  const auto tasks = WarningTasks(incidents, p);
  ExpectTasks(tasks, {{WarningStep::kFirstWarning, "i2", 2, D(2026, 3, 3), D(2026, 3, 10)},
                      {WarningStep::kFinalWarning, "i4", 4, D(2026, 3, 5), D(2026, 3, 12)},
                      {WarningStep::kBreachReferral, "i6", 6, D(2026, 3, 7), D(2026, 3, 13)},
                      {WarningStep::kBreachReferral, "i7", 7, D(2026, 3, 8), D(2026, 3, 13)}});
}

TEST(WarningTasks, DueWorkingDaysComeFromTheProfile) {
  Profile p;
  p.warning_due_working_days = 0;
  const auto zero = WarningTasks({{"r1", D(2026, 3, 28)}}, p);
  ASSERT_EQ(zero.size(), 1u);
  EXPECT_EQ(zero[0].due, D(2026, 3, 28));  // the same day, even a Saturday
  p.warning_due_working_days = 10;
  const auto ten = WarningTasks({{"r1", D(2026, 3, 25)}}, p);
  ASSERT_EQ(ten.size(), 1u);
  EXPECT_EQ(ten[0].due, D(2026, 4, 8));
}

TEST(WarningTasks, BreachAtFirstIncidentWhenTheProfileSaysSo) {
  Profile p;
  p.breach_referral_at = 1;
  const auto tasks = WarningTasks({{"r1", D(2026, 3, 2)}, {"r2", D(2026, 3, 3)}}, p);
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].step, WarningStep::kBreachReferral);
  EXPECT_EQ(tasks[1].step, WarningStep::kBreachReferral);
}

}  // namespace
}  // namespace upw::domain
