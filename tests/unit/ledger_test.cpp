#include "domain/ledger.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/orders.h"

namespace upw::domain {
namespace {

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

LedgerEntry Work(std::string id, Date date, int minutes) {
  return {std::move(id), date, Activity::kUnpaidWork, minutes};
}
LedgerEntry Other(std::string id, Date date, int minutes) {
  return {std::move(id), date, Activity::kOtherActivity, minutes};
}

struct Expected {
  const char* id;
  int claimed;
  int credited;
  bool capped_other;
  bool capped_remaining;
};

void ExpectLines(const Ledger& l, const std::vector<Expected>& want) {
  ASSERT_EQ(l.lines.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("line " + std::to_string(i));
    EXPECT_EQ(l.lines[i].record_id, want[i].id);
    EXPECT_EQ(l.lines[i].claimed_minutes, want[i].claimed);
    EXPECT_EQ(l.lines[i].credited_minutes, want[i].credited);
    EXPECT_EQ(l.lines[i].capped_by_other_activity, want[i].capped_other);
    EXPECT_EQ(l.lines[i].capped_by_remaining, want[i].capped_remaining);
  }
}

TEST(ComputeLedger, NoEntriesLeavesEverythingRemaining) {
  const Ledger l = ComputeLedger(100, 0, 1800, {});
  EXPECT_EQ(l.ordered_minutes, 6000);
  EXPECT_EQ(l.adjustment_minutes, 0);
  EXPECT_EQ(l.credited_minutes, 0);
  EXPECT_EQ(l.other_activity_minutes, 0);
  EXPECT_EQ(l.other_activity_cap_minutes, 1800);
  EXPECT_EQ(l.remaining_minutes, 6000);
  EXPECT_TRUE(l.lines.empty());
}

TEST(ComputeLedger, UnpaidWorkIsCreditedInFull) {
  const Ledger l =
      ComputeLedger(20, 0, 360, {Work("a", D(2026, 3, 2), 420), Work("b", D(2026, 3, 9), 390)});
  EXPECT_EQ(l.credited_minutes, 810);
  EXPECT_EQ(l.remaining_minutes, 390);
  ExpectLines(l, {{"a", 420, 420, false, false}, {"b", 390, 390, false, false}});
}

TEST(ComputeLedger, AppliesOldestSessionFirstAndKeepsTiesInGivenOrder) {
  const Ledger l = ComputeLedger(20, 0, 0,
                                 {Work("c", D(2026, 3, 10), 60), Work("a", D(2026, 3, 1), 60),
                                  Work("b", D(2026, 3, 10), 60), Work("d", D(2026, 2, 28), 60)});
  ASSERT_EQ(l.lines.size(), 4u);
  EXPECT_EQ(l.lines[0].record_id, "d");
  EXPECT_EQ(l.lines[1].record_id, "a");
  EXPECT_EQ(l.lines[2].record_id, "c");
  EXPECT_EQ(l.lines[3].record_id, "b");
}

TEST(ComputeLedger, CreditedNeverExceedsWhatRemains) {
  // 20 h = 1,200 minutes: the third session fills it, the fourth gets nothing.
  const Ledger l = ComputeLedger(20, 0, 360,
                                 {Work("a", D(2026, 3, 2), 420), Work("b", D(2026, 3, 3), 420),
                                  Work("c", D(2026, 3, 4), 420), Work("d", D(2026, 3, 5), 420)});
  EXPECT_EQ(l.credited_minutes, 1200);
  EXPECT_EQ(l.remaining_minutes, 0);
  ExpectLines(l, {{"a", 420, 420, false, false},
                  {"b", 420, 420, false, false},
                  {"c", 420, 360, false, true},
                  {"d", 420, 0, false, true}});
}

TEST(ComputeLedger, ExactlyFillingTheOrderIsNotCapped) {
  const Ledger l = ComputeLedger(20, 0, 0, {Work("a", D(2026, 3, 2), 1200)});
  EXPECT_EQ(l.remaining_minutes, 0);
  ExpectLines(l, {{"a", 1200, 1200, false, false}});
}

TEST(ComputeLedger, OtherActivityStopsAtItsCapWhileUnpaidWorkContinues) {
  // 20 h at 30%: 360 minutes of other activity at most.
  const Ledger l = ComputeLedger(20, 0, 360,
                                 {Other("a", D(2026, 3, 2), 240), Other("b", D(2026, 3, 3), 240),
                                  Work("c", D(2026, 3, 4), 420), Other("d", D(2026, 3, 5), 60)});
  EXPECT_EQ(l.other_activity_minutes, 360);
  EXPECT_EQ(l.credited_minutes, 780);
  EXPECT_EQ(l.remaining_minutes, 420);
  ExpectLines(l, {{"a", 240, 240, false, false},
                  {"b", 240, 120, true, false},
                  {"c", 420, 420, false, false},
                  {"d", 60, 0, true, false}});
}

TEST(ComputeLedger, OtherActivityCapIsFilledBySessionDateNotInputOrder) {
  const Ledger l = ComputeLedger(
      20, 0, 360, {Other("late", D(2026, 3, 9), 300), Other("early", D(2026, 3, 2), 300)});
  ExpectLines(l, {{"early", 300, 300, false, false}, {"late", 300, 60, true, false}});
}

TEST(ComputeLedger, UnpaidWorkOnlyOrderCreditsNoOtherActivity) {
  const int cap = OtherActivityCapMinutes(100, /*other_activity_allowed=*/false, Profile{});
  ASSERT_EQ(cap, 0);
  const Ledger l =
      ComputeLedger(100, 0, cap, {Other("a", D(2026, 3, 2), 180), Work("b", D(2026, 3, 3), 420)});
  EXPECT_EQ(l.other_activity_minutes, 0);
  EXPECT_EQ(l.credited_minutes, 420);
  EXPECT_EQ(l.remaining_minutes, 5580);
  ExpectLines(l, {{"a", 180, 0, true, false}, {"b", 420, 420, false, false}});
}

TEST(ComputeLedger, AbsoluteCapLimitsALargeOrdersOtherActivity) {
  Profile p;
  p.other_activity_cap_minutes = 30 * 60;  // "30% or a maximum of 30 hours"
  const int cap = OtherActivityCapMinutes(300, true, p);
  ASSERT_EQ(cap, 1800);  // not 30% of 300 h = 5,400
  std::vector<LedgerEntry> entries;
  for (unsigned day = 1; day <= 8; ++day) {
    entries.push_back(Other("o" + std::to_string(day), D(2026, 3, day), 300));
  }
  const Ledger l = ComputeLedger(300, 0, cap, entries);
  EXPECT_EQ(l.other_activity_minutes, 1800);
  EXPECT_EQ(l.credited_minutes, 1800);
  EXPECT_EQ(l.remaining_minutes, 18000 - 1800);
  EXPECT_EQ(l.lines[5].credited_minutes, 300);  // sixth session reaches 1,800 exactly
  EXPECT_FALSE(l.lines[5].capped_by_other_activity);
  EXPECT_EQ(l.lines[6].credited_minutes, 0);
  EXPECT_TRUE(l.lines[6].capped_by_other_activity);
}

TEST(ComputeLedger, OneLineCanHitBothCaps) {
  // 100 minutes remain; 200 minutes of other-activity room; 300 claimed.
  const Ledger m = ComputeLedger(20, 0, 360,
                                 {Work("a", D(2026, 3, 2), 940), Other("b", D(2026, 3, 3), 160),
                                  Other("c", D(2026, 3, 4), 300)});
  ExpectLines(
      m,
      {{"a", 940, 940, false, false}, {"b", 160, 160, false, false}, {"c", 300, 100, true, true}});
  EXPECT_EQ(m.other_activity_minutes, 260);
  EXPECT_EQ(m.remaining_minutes, 0);
}

TEST(ComputeLedger, PositiveAndNegativeAdjustmentsMoveTheTarget) {
  const Ledger plus = ComputeLedger(20, 60, 0, {Work("a", D(2026, 3, 2), 1300)});
  EXPECT_EQ(plus.adjustment_minutes, 60);
  ExpectLines(plus, {{"a", 1300, 1260, false, true}});
  EXPECT_EQ(plus.remaining_minutes, 0);

  const Ledger minus = ComputeLedger(20, -120, 0, {Work("a", D(2026, 3, 2), 600)});
  EXPECT_EQ(minus.adjustment_minutes, -120);
  EXPECT_EQ(minus.remaining_minutes, 480);  // 1,200 - 120 - 600
  const Ledger filled = ComputeLedger(20, -120, 0, {Work("a", D(2026, 3, 2), 1200)});
  ExpectLines(filled, {{"a", 1200, 1080, false, true}});
  EXPECT_EQ(filled.remaining_minutes, 0);
}

TEST(ComputeLedger, AdjustmentBelowZeroLeavesNothingAndNeverGoesNegative) {
  const Ledger l =
      ComputeLedger(20, -1500, 360, {Work("a", D(2026, 3, 2), 60), Other("b", D(2026, 3, 3), 60)});
  EXPECT_EQ(l.remaining_minutes, 0);
  EXPECT_EQ(l.credited_minutes, 0);
  ExpectLines(l, {{"a", 60, 0, false, true}, {"b", 60, 0, false, true}});
}

TEST(ComputeLedger, NegativeClaimsAndCapsCountAsZero) {
  const Ledger l = ComputeLedger(20, 0, -30, {Work("a", D(2026, 3, 2), -45)});
  EXPECT_EQ(l.other_activity_cap_minutes, 0);
  ExpectLines(l, {{"a", 0, 0, false, false}});
  EXPECT_EQ(l.remaining_minutes, 1200);
}

TEST(ComputeLedger, CreditedPlusRemainingIsAlwaysOrderedPlusAdjustments) {
  for (const int adjustment : {-1300, -120, 0, 90}) {
    for (const int cap : {0, 360}) {
      std::vector<LedgerEntry> entries;
      for (unsigned day = 1; day <= 6; ++day) {
        entries.push_back(day % 2 ? Work("w" + std::to_string(day), D(2026, 4, day), 250)
                                  : Other("o" + std::to_string(day), D(2026, 4, day), 250));
      }
      const Ledger l = ComputeLedger(20, adjustment, cap, entries);
      EXPECT_EQ(l.credited_minutes + l.remaining_minutes, std::max(1200 + adjustment, 0))
          << adjustment << " " << cap;
      EXPECT_LE(l.other_activity_minutes, cap);
      EXPECT_GE(l.remaining_minutes, 0);
    }
  }
}

}  // namespace
}  // namespace upw::domain
