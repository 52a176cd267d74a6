// Attendance facts and events to and from JSON: the request shape, the stored `facts` column and
// the API's response shape are one format (documented in the OpenAPI document).
#pragma once

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "domain/attendance.h"

namespace upw::app {

// Reads the facts fields of a request object (outcome, absence_reason, sign_in, sign_out,
// break_minutes, penalty_minutes, activity, note, note_sensitive). Fields in `also_allowed` are
// skipped; any other field is Invalid naming it; a wrong type is Invalid naming the field.
Result<domain::AttendanceFacts> FactsFromJson(const nlohmann::json& body,
                                              std::initializer_list<const char*> also_allowed);
nlohmann::json FactsToJson(const domain::AttendanceFacts& f);

}  // namespace upw::app
