#include "domain/allocation_rules.h"

#include <gtest/gtest.h>

namespace upw::domain {
namespace {

AllocationFacts Open() {
  AllocationFacts f;
  f.service_user_id = "p";
  f.capacity = 5;
  return f;
}

TEST(CheckAllocation, OpenGroupAccepts) { EXPECT_TRUE(CheckAllocation(Open()).ok()); }

TEST(CheckAllocation, FullGroupRefuses) {
  auto f = Open();
  f.allocated = 5;
  EXPECT_EQ(CheckAllocation(f).code(), Code::kConflict);
  f.allocated = 4;
  EXPECT_TRUE(CheckAllocation(f).ok());
}

TEST(CheckAllocation, VanSeatsCountTheSupervisor) {
  auto f = Open();
  f.van_usable_seats = 4;  // supervisor + 3
  f.allocated = 3;
  EXPECT_EQ(CheckAllocation(f).code(), Code::kConflict);
  f.allocated = 2;
  EXPECT_TRUE(CheckAllocation(f).ok());
}

TEST(CheckAllocation, RiskFlagBarsPlacementWithChildren) {
  auto f = Open();
  f.risk_flags = {"no_contact_children"};
  f.placement_flags = {"children_present"};
  const Status s = CheckAllocation(f);
  EXPECT_EQ(s.code(), Code::kConflict);
  EXPECT_EQ(s.field(), "service_user_id");
  f.placement_flags = {"vulnerable_adults_present"};
  EXPECT_TRUE(CheckAllocation(f).ok());
  f.risk_flags = {"no_contact_vulnerable_adults"};
  EXPECT_EQ(CheckAllocation(f).code(), Code::kConflict);
}

TEST(CheckAllocation, KeepApartWorksInBothDirections) {
  auto f = Open();
  f.members = {{"q", {}}};
  f.keep_apart = {"q"};
  EXPECT_EQ(CheckAllocation(f).code(), Code::kConflict);
  f.keep_apart = {};
  f.members = {{"q", {"p"}}};
  EXPECT_EQ(CheckAllocation(f).code(), Code::kConflict);
  f.members = {{"q", {"r"}}};
  EXPECT_TRUE(CheckAllocation(f).ok());
}

TEST(CheckAllocation, AlreadyInGroupOrElsewhereOrOrderClosedRefuses) {
  auto f = Open();
  f.members = {{"p", {}}};
  EXPECT_EQ(CheckAllocation(f).code(), Code::kConflict);
  f = Open();
  f.booked_elsewhere_that_day = true;
  EXPECT_EQ(CheckAllocation(f).code(), Code::kConflict);
  f = Open();
  f.order_accepts_work = false;
  EXPECT_EQ(CheckAllocation(f).field(), "order_id");
  f = Open();
  f.session_before_order = true;
  EXPECT_EQ(CheckAllocation(f).field(), "order_id");
}

}  // namespace
}  // namespace upw::domain
