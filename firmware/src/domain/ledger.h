// An order's hours: ordered + adjustments - credited = remaining, with the other-activity cap and
// the rule that credited hours never exceed what remains. Credited hours are always a fold of the
// attendance records, never a stored number.
#pragma once

#include <string>
#include <vector>

#include "domain/attendance.h"

namespace upw::domain {

struct LedgerEntry {
  std::string record_id;
  Date session_date;
  Activity activity = Activity::kUnpaidWork;
  int claimable_minutes = 0;  // ClaimableMinutes() of the record's current facts
};

struct LedgerLine {
  std::string record_id;
  int claimed_minutes = 0;
  int credited_minutes = 0;
  bool capped_by_other_activity = false;
  bool capped_by_remaining = false;
};

struct Ledger {
  int ordered_minutes = 0;
  int adjustment_minutes = 0;
  int credited_minutes = 0;
  int other_activity_minutes = 0;  // credited as other activity
  int other_activity_cap_minutes = 0;
  int remaining_minutes = 0;      // never negative
  std::vector<LedgerLine> lines;  // one per entry, in the order applied
};

// Applies entries oldest session first (ties in the order given). Each entry is credited
// min(claimable, cap room if other activity, remaining). Adjustments may be negative.
Ledger ComputeLedger(int hours_ordered, int adjustment_minutes, int other_activity_cap_minutes,
                     std::vector<LedgerEntry> entries);

}  // namespace upw::domain
