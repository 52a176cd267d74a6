// The authority's profile: every rule DOMAIN.md leaves to the council, with DOMAIN.md's defaults.
// Never hard-code these values elsewhere; take a Profile.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "domain/civil_time.h"

namespace upw::domain {

struct Profile {
  // Other activity may count toward the hours up to this share of the hours ordered ...
  int other_activity_share_percent = 30;
  // ... and, if set, never more than this many minutes (one council: "30% or a maximum of 30 h").
  std::optional<int> other_activity_cap_minutes;

  // Supervised groups: at most this many service users per supervisor (East Lothian: 5).
  int max_per_supervisor = 5;

  // "attended, failed to comply": time worked is credited only if the profile allows it.
  bool credit_failed_to_comply = true;
  // Stand-downs on the day (sent home, service issue): time worked credited. A stand-down in
  // advance is an acceptable absence and never credited.
  bool credit_service_stand_down = true;

  // Enforceable outcomes that raise each step: 1st -> first warning, 2nd -> final, 3rd -> breach.
  int first_warning_at = 1;
  int final_warning_at = 2;
  int breach_referral_at = 3;
  // Working days a base-staff task for each step is due after the incident.
  int warning_due_working_days = 5;

  // Completion period by level, in months (Level 1: 20-100 h; Level 2: 101-300 h).
  int level1_months = 3;
  int level2_months = 6;

  // Statutory measures (KPI targets live with reporting).
  int seen_within_working_days = 5;
  int placement_within_working_days = 7;

  // The authority's public holidays; weekends are never working days.
  std::set<std::int64_t> holiday_day_numbers;  // DayNumber() of each holiday
};

}  // namespace upw::domain
