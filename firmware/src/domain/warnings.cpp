#include "domain/warnings.h"

#include <algorithm>

#include "domain/working_days.h"

namespace upw::domain {

std::string_view ToString(WarningStep s) {
  switch (s) {
    case WarningStep::kFirstWarning:
      return "first_warning";
    case WarningStep::kFinalWarning:
      return "final_warning";
    case WarningStep::kBreachReferral:
      return "breach_referral";
  }
  return "first_warning";
}

std::vector<WarningTask> WarningTasks(std::vector<EnforceableIncident> incidents,
                                      const Profile& profile) {
  std::stable_sort(incidents.begin(), incidents.end(),
                   [](const auto& a, const auto& b) { return a.session_date < b.session_date; });
  std::vector<WarningTask> tasks;
  for (std::size_t i = 0; i < incidents.size(); ++i) {
    const int n = static_cast<int>(i) + 1;
    WarningStep step;
    if (n >= profile.breach_referral_at) {
      step = WarningStep::kBreachReferral;
    } else if (n == profile.final_warning_at) {
      step = WarningStep::kFinalWarning;
    } else if (n == profile.first_warning_at) {
      step = WarningStep::kFirstWarning;
    } else {
      continue;  // a profile may leave gaps between thresholds
    }
    const Date raised = incidents[i].session_date;
    tasks.push_back({step, incidents[i].record_id, n, raised,
                     AddWorkingDays(raised, profile.warning_due_working_days, profile)});
  }
  return tasks;
}

}  // namespace upw::domain
