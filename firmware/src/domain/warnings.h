// Warnings and breach (DOMAIN.md): no national count exists, so the thresholds come from the
// profile. Each step is a task for base staff with a due date.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/civil_time.h"
#include "domain/profile.h"

namespace upw::domain {

enum class WarningStep { kFirstWarning, kFinalWarning, kBreachReferral };
std::string_view ToString(WarningStep s);

struct EnforceableIncident {
  std::string record_id;
  Date session_date;
};

struct WarningTask {
  WarningStep step = WarningStep::kFirstWarning;
  std::string record_id;    // the incident that raised it
  int incident_number = 0;  // 1-based count of enforceable incidents at that point
  Date raised_on;
  Date due;  // raised_on + profile.warning_due_working_days working days
};

// Incidents are sorted by session date (stable). The Nth incident raises the step whose threshold
// is N; incidents past the breach threshold raise a further breach referral each.
std::vector<WarningTask> WarningTasks(std::vector<EnforceableIncident> incidents,
                                      const Profile& profile);

}  // namespace upw::domain
