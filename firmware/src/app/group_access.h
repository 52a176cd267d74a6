// Work groups as seen by an actor: supervisors reach only their own groups.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "app/actor.h"
#include "common/status.h"
#include "domain/attendance.h"
#include "store/db.h"

namespace upw::app {

// The group, or NotFound (field "id") if it does not exist or belongs to another supervisor.
Result<nlohmann::json> LoadGroupFor(store::Db& db, const Actor& a, const std::string& group_id);
// The session's start and end as UTC instants (an end before the start is on the next day).
domain::SessionWindow WindowOf(const nlohmann::json& group);

}  // namespace upw::app
