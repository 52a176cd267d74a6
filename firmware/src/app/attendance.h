// The register of a work group and the attendance events that make it: record, amend, void.
// Events are appended, never edited; a retry of the same request (same client-minted "id" and the
// same body) returns the stored result instead of writing twice.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "app/actor.h"
#include "app/services.h"

namespace upw::app {

struct AttendanceWrite {
  nlohmann::json record;  // the record as it now stands, with its history
  bool replayed = false;  // true if this request had already been applied
};

// Everyone allocated to the group with their current record, credited minutes, late/left-early
// flags and order figures; plus records of people no longer allocated.
Result<nlohmann::json> GetRegister(const Services& s, const Actor& a, const std::string& group_id);
Result<nlohmann::json> GetRecord(const Services& s, const Actor& a, const std::string& group_id,
                                 const std::string& record_id);
// Body: service_user_id and the facts (see attendance_codec.h), optional "id".
Result<AttendanceWrite> RecordAttendance(const Services& s, const Actor& a,
                                         const std::string& group_id, const nlohmann::json& body);
// Body: the facts as corrected, "reason" (required), optional "id".
Result<AttendanceWrite> AmendAttendance(const Services& s, const Actor& a,
                                        const std::string& group_id, const std::string& record_id,
                                        const nlohmann::json& body);
// While the session is open (not closed by its supervisor): the facts as they now stand, e.g. a
// sign-out or a break; optional "reason" and "id". Conflict once the session is closed.
Result<AttendanceWrite> UpdateAttendance(const Services& s, const Actor& a,
                                         const std::string& group_id, const std::string& record_id,
                                         const nlohmann::json& body);
// Body: "reason" (required), optional "id".
Result<AttendanceWrite> VoidAttendance(const Services& s, const Actor& a,
                                       const std::string& group_id, const std::string& record_id,
                                       const nlohmann::json& body);

}  // namespace upw::app
