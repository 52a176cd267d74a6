#include "domain/orders.h"

#include <gtest/gtest.h>

#include <vector>

namespace upw::domain {
namespace {

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

const std::vector<OrderStatus> kAllStatuses = {
    OrderStatus::kAwaitingInduction, OrderStatus::kActive,    OrderStatus::kSuspended,
    OrderStatus::kInBreach,          OrderStatus::kCompleted, OrderStatus::kRevoked,
    OrderStatus::kTransferred,
};

TEST(OrderStatus, NamesRoundTripAndUnknownNamesAreRefused) {
  const std::vector<std::pair<OrderStatus, const char*>> names = {
      {OrderStatus::kAwaitingInduction, "awaiting_induction"},
      {OrderStatus::kActive, "active"},
      {OrderStatus::kSuspended, "suspended"},
      {OrderStatus::kInBreach, "in_breach"},
      {OrderStatus::kCompleted, "completed"},
      {OrderStatus::kRevoked, "revoked"},
      {OrderStatus::kTransferred, "transferred"},
  };
  for (const auto& [status, name] : names) {
    EXPECT_EQ(ToString(status), name);
    EXPECT_EQ(ParseOrderStatus(name), status) << name;
  }
  for (const char* bad : {"", "Active", "in breach", "closed", "active "}) {
    EXPECT_FALSE(ParseOrderStatus(bad).has_value()) << bad;
  }
}

TEST(AcceptsWork, OnlyAwaitingInductionActiveAndInBreach) {
  EXPECT_TRUE(AcceptsWork(OrderStatus::kAwaitingInduction));
  EXPECT_TRUE(AcceptsWork(OrderStatus::kActive));
  EXPECT_TRUE(AcceptsWork(OrderStatus::kInBreach));
  EXPECT_FALSE(AcceptsWork(OrderStatus::kSuspended));
  EXPECT_FALSE(AcceptsWork(OrderStatus::kCompleted));
  EXPECT_FALSE(AcceptsWork(OrderStatus::kRevoked));
  EXPECT_FALSE(AcceptsWork(OrderStatus::kTransferred));
}

TEST(CheckStatusChange, CompletedRevokedAndTransferredAreFinal) {
  for (const OrderStatus from : kAllStatuses) {
    const bool final_status = from == OrderStatus::kCompleted || from == OrderStatus::kRevoked ||
                              from == OrderStatus::kTransferred;
    for (const OrderStatus to : kAllStatuses) {
      const Status s = CheckStatusChange(from, to);
      if (!final_status || from == to) {
        EXPECT_TRUE(s.ok()) << ToString(from) << " -> " << ToString(to);
      } else {
        EXPECT_EQ(s.code(), Code::kConflict) << ToString(from) << " -> " << ToString(to);
        EXPECT_EQ(s.field(), "status");
      }
    }
  }
}

TEST(ValidateHoursOrdered, TwentyToThreeHundredInclusive) {
  const std::vector<std::pair<int, bool>> cases = {{-20, false}, {0, false},   {19, false},
                                                   {20, true},   {100, true},  {101, true},
                                                   {300, true},  {301, false}, {1000, false}};
  for (const auto& [hours, ok] : cases) {
    const Status s = ValidateHoursOrdered(hours);
    EXPECT_EQ(s.ok(), ok) << hours;
    if (!ok) {
      EXPECT_EQ(s.code(), Code::kInvalid);
      EXPECT_EQ(s.field(), "hours_ordered");
    }
  }
}

TEST(OrderLevel, LevelOneUpToOneHundredHours) {
  EXPECT_EQ(OrderLevel(20), 1);
  EXPECT_EQ(OrderLevel(100), 1);
  EXPECT_EQ(OrderLevel(101), 2);
  EXPECT_EQ(OrderLevel(300), 2);
}

struct DeadlineCase {
  Date imposed;
  int hours;
  Date expected;
};

TEST(DefaultDeadline, ThreeOrSixMonthsByLevelClampedToMonthEnd) {
  const Profile p;
  const std::vector<DeadlineCase> cases = {
      {D(2026, 3, 15), 20, D(2026, 6, 15)},
      {D(2026, 1, 31), 100, D(2026, 4, 30)},  // Level 1 at its top: 3 months, clamped
      {D(2026, 1, 31), 101, D(2026, 7, 31)},  // Level 2 from 101 h: 6 months
      {D(2026, 8, 31), 101, D(2027, 2, 28)},
      {D(2027, 8, 31), 300, D(2028, 2, 29)},  // into a leap February
      {D(2026, 11, 30), 20, D(2027, 2, 28)},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(DefaultDeadline(c.imposed, c.hours, p), c.expected)
        << FormatDate(c.imposed) << " " << c.hours << " h";
  }
}

TEST(DefaultDeadline, OrdersImposedOnOrBeforeThirtySeptember2022GetTwelveMoreMonths) {
  const Profile p;
  const std::vector<DeadlineCase> cases = {
      {D(2022, 9, 30), 100, D(2023, 12, 30)},  // 3 + 12 months: the last day extended
      {D(2022, 10, 1), 100, D(2023, 1, 1)},    // the first day not extended
      {D(2022, 9, 30), 101, D(2024, 3, 30)},   // 6 + 12 months
      {D(2022, 10, 1), 101, D(2023, 4, 1)},
      {D(2022, 8, 31), 300, D(2024, 2, 29)},  // 18 months, clamped to a leap February
      {D(2021, 11, 30), 50, D(2023, 2, 28)},  // 15 months
      {D(2019, 11, 30), 300, D(2021, 5, 30)},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(DefaultDeadline(c.imposed, c.hours, p), c.expected)
        << FormatDate(c.imposed) << " " << c.hours << " h";
  }
}

TEST(DefaultDeadline, TakesTheMonthsFromTheProfile) {
  Profile p;
  p.level1_months = 4;
  p.level2_months = 12;
  EXPECT_EQ(DefaultDeadline(D(2026, 3, 15), 100, p), D(2026, 7, 15));
  EXPECT_EQ(DefaultDeadline(D(2026, 3, 15), 200, p), D(2027, 3, 15));
  EXPECT_EQ(DefaultDeadline(D(2022, 1, 15), 100, p), D(2023, 5, 15));  // 4 + 12
}

struct CapCase {
  int hours;
  bool allowed;
  int share_percent;
  std::optional<int> absolute_cap;
  int expected_minutes;
};

TEST(OtherActivityCapMinutes, ShareOfHoursOrderedThenAbsoluteCap) {
  const std::vector<CapCase> cases = {
      {20, true, 30, std::nullopt, 360},  // 30% of 1,200 minutes
      {100, true, 30, std::nullopt, 1800},
      {101, true, 30, std::nullopt, 1818},
      {300, true, 30, std::nullopt, 5400},
      {23, true, 33, std::nullopt, 455},  // 455.4 rounds down
      {300, true, 30, 1800, 1800},        // "30% or a maximum of 30 hours"
      {100, true, 30, 1800, 1800},        // share and cap equal
      {50, true, 30, 1800, 900},          // share below the cap
      {300, false, 30, std::nullopt, 0},  // unpaid work only
      {300, false, 30, 1800, 0},
      {100, true, 0, std::nullopt, 0},
      {100, true, 30, 0, 0},
      {100, true, 30, -60, 0},  // never negative
      {100, true, 100, std::nullopt, 6000},
  };
  for (const auto& c : cases) {
    Profile p;
    p.other_activity_share_percent = c.share_percent;
    p.other_activity_cap_minutes = c.absolute_cap;
    EXPECT_EQ(OtherActivityCapMinutes(c.hours, c.allowed, p), c.expected_minutes)
        << c.hours << " h, " << c.share_percent << "%, allowed " << c.allowed;
  }
}

TEST(DaysLeft, CalendarDaysSignedAcrossLeapDays) {
  EXPECT_EQ(DaysLeft(D(2026, 3, 1), D(2026, 3, 1)), 0);
  EXPECT_EQ(DaysLeft(D(2026, 3, 1), D(2026, 3, 2)), 1);
  EXPECT_EQ(DaysLeft(D(2026, 3, 2), D(2026, 3, 1)), -1);
  EXPECT_EQ(DaysLeft(D(2024, 2, 28), D(2024, 3, 1)), 2);
  EXPECT_EQ(DaysLeft(D(2023, 2, 28), D(2023, 3, 1)), 1);
  EXPECT_EQ(DaysLeft(D(2026, 1, 1), D(2027, 1, 1)), 365);
}

TEST(Urgency, HoursRemainingPerWeekRemaining) {
  const Date today = D(2026, 3, 1);
  EXPECT_DOUBLE_EQ(Urgency(3600, today, AddDays(today, 70)), 6.0);   // 60 h over 10 weeks
  EXPECT_DOUBLE_EQ(Urgency(1260, today, AddDays(today, 14)), 10.5);  // 21 h over 2 weeks
  EXPECT_DOUBLE_EQ(Urgency(0, today, AddDays(today, 14)), 0.0);
  // Today or past counts as one day left: 10 h / (1/7 week) = 70.
  EXPECT_DOUBLE_EQ(Urgency(600, today, today), 70.0);
  EXPECT_DOUBLE_EQ(Urgency(600, today, AddDays(today, -30)), 70.0);
  EXPECT_DOUBLE_EQ(Urgency(600, today, AddDays(today, 1)), 70.0);
  EXPECT_GT(Urgency(600, today, AddDays(today, -1)), Urgency(600, today, AddDays(today, 2)));
}

}  // namespace
}  // namespace upw::domain
