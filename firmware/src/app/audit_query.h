// Reading the audit trail (planners and admins).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "app/actor.h"
#include "app/resource.h"
#include "app/services.h"

namespace upw::app {

// Newest first. Filters: entity, entity_id, username, action; before (a seq, for paging);
// limit 1-500 (default 100). Invalid naming an unknown parameter.
Result<std::vector<nlohmann::json>> ListAudit(const Services& s, const Actor& a, const Query& q);

}  // namespace upw::app
