// Checksums of a scope unit (one work group with everything in it, or the reference data), computed
// the same way by the device from its tables and by the hub from its store, so drift is found and
// only the unit that drifted is fetched again.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "entities.h"

namespace upw::sync {

// A value as a device stores it: booleans as 0/1, lists and objects as their JSON text. The API
// shows `true` and `["mon"]` where SQLite holds 1 and '["mon"]'; both mean the same.
nlohmann::json CanonicalValue(const nlohmann::json& v);
// One row's contribution: "entity|id|[values of def.fields in order]" (a missing field is null).
std::string CanonicalLine(const EntityDef& def, const std::string& id, const nlohmann::json& body);
// An attendance event's contribution: events never change, so the id is the whole of it.
std::string EventLine(const std::string& id);
// Order-independent: the lines are sorted first. 32 hex digits (BLAKE2b-128).
std::string UnitChecksum(std::vector<std::string> lines);

}  // namespace upw::sync
