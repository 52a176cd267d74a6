// The conflict inbox on a device: attendance conflicts the hub found (two records for one person
// in one session, or two changes to a record made without seeing each other), resolved by a
// planner who chooses which version stands. Nothing wins on its own.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "app/actor.h"
#include "app/services.h"
#include "common/status.h"

namespace upw::app {

// Every conflict held on this device, open first, each with the events in it (author, time,
// kind, outcome and times) so a planner can compare the versions.
Result<nlohmann::json> ListConflicts(const Services& s, const Actor& a);

// Resolves an open conflict by keeping the version `keep_event_id` (one of its events): every
// other record in the conflict is voided, and the kept version's record is amended to it unless
// it already stands. One transaction with the conflict marked resolved; all of it syncs. Planners
// only; kConflict if it was resolved already, Invalid if keep_event_id is not one of its events.
Status ResolveConflict(const Services& s, const Actor& a, const std::string& conflict_id,
                       const std::string& keep_event_id);

}  // namespace upw::app
