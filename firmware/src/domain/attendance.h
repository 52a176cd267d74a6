// Attendance: append-only events (record, amend, void) folded into records, and the rules that turn
// a record into credited time (DOMAIN.md "Attendance outcomes").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/civil_time.h"
#include "domain/profile.h"

namespace upw::domain {

enum class Outcome {
  kAttendedComplied,
  kAttendedFailedToComply,
  kSentHomeBehaviour,
  kSentHomeService,  // stood down on the day: weather, van, supervisor ill, oversubscribed
  kUnacceptableAbsence,
  kAcceptableAbsence,
  kRescheduled,
};
std::optional<Outcome> ParseOutcome(std::string_view text);
std::string_view ToString(Outcome o);

// Why an absence was acceptable, or why a session was rescheduled.
enum class Reason {
  kNone,
  kMedical,  // evidence expected
  kEmployment,
  kFamily,  // family or childcare
  kCourt,
  kStoodDownInAdvance,
  kProfessionalJudgement,
  kServiceRequest,  // rescheduled at the service's request
  kPersonRequest,   // rescheduled at the person's request
};
std::optional<Reason> ParseReason(std::string_view text);
std::string_view ToString(Reason r);

enum class Activity { kUnpaidWork, kOtherActivity };
std::optional<Activity> ParseActivity(std::string_view text);
std::string_view ToString(Activity a);

inline constexpr std::size_t kMaxNoteLength = 3999;  // "notes under 4,000 characters"

// What one record says happened to one person at one session.
struct AttendanceFacts {
  Outcome outcome = Outcome::kAttendedComplied;
  Reason reason = Reason::kNone;
  std::optional<UtcSeconds> sign_in;
  std::optional<UtcSeconds> sign_out;
  int break_minutes = 0;
  int penalty_minutes = 0;
  Activity activity = Activity::kUnpaidWork;
  std::string note;
  bool note_sensitive = false;
  bool evidence_expected = false;  // derived: medical absences expect evidence
};

// The session the record belongs to, as UTC instants (the end may fall after midnight).
struct SessionWindow {
  UtcSeconds start = 0;
  UtcSeconds end = 0;
};

bool IsAttended(Outcome o);     // the person was there and may have time credited
bool IsEnforceable(Outcome o);  // counts toward warnings and breach
bool IsAbsenceOrReschedule(Outcome o);

// Whether the record is still open: attended, signed in, not yet signed out (on site).
bool IsOpen(const AttendanceFacts& facts);

// Validates facts against the session and the moment of recording. Returns Invalid naming the
// field:
// - attended outcomes need sign_in and sign_out, sign_out after sign_in, within 24 hours; except
//   that while the register is open (the session not yet closed by its supervisor) an
//   "attended_complied" record may be open: signed in (not in the future), not yet out;
// - an unacceptable absence cannot be recorded before the session starts;
// - absences and reschedules carry no times, breaks or penalty;
// - acceptable absence needs one of its reasons; rescheduled needs service/person request;
// - breaks and penalty are >= 0 and together no longer than the time signed in;
// - penalty no longer than the session; note under 4,000 characters;
// - before the session starts (now < window.start) only absences and reschedules may be recorded;
// - sign-in may not be more than 12 h before the session start or sign-out in the future
//   (beyond now + 5 minutes of clock slack).
Status ValidateFacts(const AttendanceFacts& facts, const SessionWindow& window, UtcSeconds now,
                     bool register_open = false);

// Minutes worked: sign_out - sign_in - breaks - penalty, never negative; 0 without times.
int TimeWorkedMinutes(const AttendanceFacts& facts);
// Minutes the record claims toward the order under the profile (before the order's caps).
int ClaimableMinutes(const AttendanceFacts& facts, const Profile& profile);
// Arrived after the session start / left before its end (5 minutes' grace each).
bool IsLate(const AttendanceFacts& facts, const SessionWindow& window);
bool LeftEarly(const AttendanceFacts& facts, const SessionWindow& window);

// record: the first event of a record. update: a change while the register is open (signing out,
// adding a break): kept in the history, no reason needed. amend: a correction with a reason (the
// only way to change a record once the session is closed). void: withdraws a record, with a reason.
enum class EventKind { kRecord, kUpdate, kAmend, kVoid };
std::string_view ToString(EventKind k);
std::optional<EventKind> ParseEventKind(std::string_view text);

struct AttendanceEvent {
  std::string id;         // this event's id (UUIDv7)
  std::string record_id;  // the record it creates or changes; equals id for kRecord
  EventKind kind = EventKind::kRecord;
  std::string service_user_id;
  AttendanceFacts facts;  // meaningful for kRecord, kUpdate and kAmend
  std::string reason;     // why: required for kAmend and kVoid, optional for kUpdate
  std::string author;     // username
  UtcSeconds recorded_at = 0;
};

struct AttendanceRecord {
  std::string record_id;
  std::string service_user_id;
  bool voided = false;
  AttendanceFacts facts;                 // as last recorded or amended
  std::vector<AttendanceEvent> history;  // every event of this record, oldest first
};

// Folds events (in the order given, which must be the order they were stored) into records, in
// order of first appearance. Events that do not fit (amend/void of an unknown or voided record) are
// kept in history but change nothing; CheckEventFits refuses them before they are stored.
std::vector<AttendanceRecord> FoldEvents(const std::vector<AttendanceEvent>& events);

// Whether `next` may be appended to the stored events: a record needs no live record for the same
// person (Conflict, field "service_user_id"), an update, amend or void needs a live record
// (NotFound on "record_id" if unknown, Conflict if voided), and amend/void need a non-empty reason
// (Invalid on "reason"). Whether an update is still allowed (register open) is the caller's rule.
Status CheckEventFits(const std::vector<AttendanceRecord>& records, const AttendanceEvent& next);

}  // namespace upw::domain
