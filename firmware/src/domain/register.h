// A session's register as a whole: what the supervisor confirms when closing it, whether it may be
// closed, and what standing the whole group down records for each person. Pure: values in, values
// out.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/attendance.h"

namespace upw::domain {

struct RegisterSummary {
  int allocated = 0;
  int attended = 0;  // attended outcomes, signed out
  int on_site = 0;   // open records: signed in, not yet out
  int credited_minutes = 0;
  int other_activity_minutes = 0;  // credited as other activity
  int acceptable_absences = 0;
  int unacceptable_absences = 0;
  int stood_down = 0;  // sent home for a service issue, or stood down before starting
  int rescheduled = 0;
  int incidents = 0;                         // enforceable outcomes: they raise warnings
  std::vector<std::string> still_to_record;  // allocated people with no live or an open record
};

// `allocated` are service user ids; `credited_by_record` is each record's credited minutes (the
// orders' ledgers decide it). Voided records count for nothing.
RegisterSummary SummariseRegister(const std::vector<std::string>& allocated,
                                  const std::vector<AttendanceRecord>& records,
                                  const std::map<std::string, int>& credited_by_record);

// Ok when the session has started and everyone allocated has a finished record; otherwise
// Conflict naming "still_to_record" (or Invalid on "now" before the start).
Status CheckCanClose(const RegisterSummary& summary, const SessionWindow& window, UtcSeconds now);

enum class StandDownReason { kWeather, kVan, kSupervisor, kOversubscribed, kOther };
std::optional<StandDownReason> ParseStandDownReason(std::string_view text);
std::string_view ToString(StandDownReason r);
// "Weather", "Van unavailable", ...: for notes and pages.
std::string_view Describe(StandDownReason r);

struct StandDownStep {
  std::string service_user_id;
  std::string record_id;  // empty: a new record; else the open record to update
  EventKind kind = EventKind::kRecord;
  AttendanceFacts facts;
};

// What standing the group down at `now` writes: each open record is signed out now as "sent home,
// service issue" (time worked is credited as the profile says); each person with no live record
// gets an acceptable absence, stood down; finished records are left as they are.
std::vector<StandDownStep> PlanStandDown(const std::vector<std::string>& allocated,
                                         const std::vector<AttendanceRecord>& records,
                                         UtcSeconds now, StandDownReason reason,
                                         const std::string& note);

}  // namespace upw::domain
