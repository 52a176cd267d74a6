// Whether a person may join a work group (DOMAIN.md "Allocation constraints"). Pure: the caller
// gathers the facts.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace upw::domain {

struct AllocationFacts {
  std::string service_user_id;
  std::set<std::string> risk_flags;       // the person's, e.g. no_contact_children
  std::set<std::string> keep_apart;       // people this person must not work beside
  std::set<std::string> placement_flags;  // e.g. children_present
  int capacity = 0;                       // the group's
  int allocated = 0;                      // people already in the group
  int van_usable_seats = -1;              // -1: the group has no van
  bool van_carries_supervisor = true;     // the supervisor drives and takes a seat
  // Everyone already in the group, with whom each must be kept apart.
  std::vector<std::pair<std::string, std::set<std::string>>> members;
  bool booked_elsewhere_that_day = false;  // another group overlapping in time
  bool order_accepts_work = true;
  bool session_before_order = false;  // the session is dated before the order was imposed
};

// Ok, or Conflict naming the reason: group full, van full, a risk flag barring the placement,
// a keep-apart pair, a double booking, an order not accepting work.
Status CheckAllocation(const AllocationFacts& f);

}  // namespace upw::domain
