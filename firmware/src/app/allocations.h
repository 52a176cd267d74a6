// Putting people into work groups and taking them out (planners).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/actor.h"
#include "app/services.h"

namespace upw::app {

// Everyone allocated to the group, with names and pickup details.
Result<std::vector<nlohmann::json>> ListAllocations(const Services& s, const Actor& a,
                                                    const std::string& group_id);
// Body: service_user_id (required), order_id (defaults to the person's one open order),
// pickup_point, pickup_time (HH:MM), optional client-minted id. Conflict when a rule in
// domain/allocation_rules.h refuses it.
Result<nlohmann::json> AddAllocation(const Services& s, const Actor& a, const std::string& group_id,
                                     const nlohmann::json& body);
// Removes an allocation that has no attendance recorded yet (Conflict otherwise).
Status RemoveAllocation(const Services& s, const Actor& a, const std::string& group_id,
                        const std::string& allocation_id);

}  // namespace upw::app
