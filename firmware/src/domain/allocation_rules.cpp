#include "domain/allocation_rules.h"

namespace upw::domain {

namespace {
// A person's risk flag and the placement flag it rules out. Decided by risk assessment: these are
// flags on the person and the placement, not offence rules.
struct Bar {
  const char* person;
  const char* placement;
  const char* why;
};
constexpr Bar kBars[] = {
    {"no_contact_children", "children_present", "children are present at this placement"},
    {"no_contact_vulnerable_adults", "vulnerable_adults_present",
     "vulnerable adults are present at this placement"},
};
}  // namespace

Status CheckAllocation(const AllocationFacts& f) {
  if (!f.order_accepts_work) {
    return Status::Error(Code::kConflict, "order_id",
                         "the order does not accept work in its status");
  }
  if (f.session_before_order) {
    return Status::Error(Code::kConflict, "order_id",
                         "the session is before the order was imposed");
  }
  if (f.allocated >= f.capacity) {
    return Status::Error(Code::kConflict, "work_group_id",
                         "the group is full (" + std::to_string(f.capacity) + " places)");
  }
  if (f.van_usable_seats >= 0) {
    const int seats = f.van_usable_seats - (f.van_carries_supervisor ? 1 : 0);
    if (f.allocated >= seats) {
      return Status::Error(
          Code::kConflict, "work_group_id",
          "the van has no free seat (" + std::to_string(f.van_usable_seats) + " usable seats)");
    }
  }
  for (const Bar& b : kBars) {
    if (f.risk_flags.count(b.person) && f.placement_flags.count(b.placement)) {
      return Status::Error(Code::kConflict, "service_user_id",
                           std::string("risk flag ") + b.person + ": " + b.why);
    }
  }
  for (const auto& [member, their_keep_apart] : f.members) {
    if (member == f.service_user_id) {
      return Status::Error(Code::kConflict, "service_user_id", "already allocated to this group");
    }
    if (f.keep_apart.count(member) || their_keep_apart.count(f.service_user_id)) {
      return Status::Error(Code::kConflict, "service_user_id",
                           "must be kept apart from someone already in this group");
    }
  }
  if (f.booked_elsewhere_that_day) {
    return Status::Error(Code::kConflict, "service_user_id",
                         "already allocated to another group at this time");
  }
  return Status::Ok();
}

}  // namespace upw::domain
