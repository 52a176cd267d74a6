#include "domain/ledger.h"

#include <algorithm>

namespace upw::domain {

Ledger ComputeLedger(int hours_ordered, int adjustment_minutes, int other_activity_cap_minutes,
                     std::vector<LedgerEntry> entries) {
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.session_date < b.session_date; });
  Ledger l;
  l.ordered_minutes = hours_ordered * 60;
  l.adjustment_minutes = adjustment_minutes;
  l.other_activity_cap_minutes = std::max(other_activity_cap_minutes, 0);
  int remaining = std::max(l.ordered_minutes + adjustment_minutes, 0);
  for (const auto& e : entries) {
    LedgerLine line;
    line.record_id = e.record_id;
    line.claimed_minutes = std::max(e.claimable_minutes, 0);
    int credit = line.claimed_minutes;
    if (e.activity == Activity::kOtherActivity) {
      const int room = l.other_activity_cap_minutes - l.other_activity_minutes;
      if (credit > room) {
        credit = std::max(room, 0);
        line.capped_by_other_activity = true;
      }
    }
    if (credit > remaining) {
      credit = remaining;
      line.capped_by_remaining = true;
    }
    line.credited_minutes = credit;
    remaining -= credit;
    l.credited_minutes += credit;
    if (e.activity == Activity::kOtherActivity) l.other_activity_minutes += credit;
    l.lines.push_back(line);
  }
  l.remaining_minutes = remaining;
  return l;
}

}  // namespace upw::domain
