#include "domain/attendance.h"

#include <algorithm>
#include <array>
#include <map>

namespace upw::domain {

namespace {

template <typename E, std::size_t N>
using Names = std::array<std::pair<E, std::string_view>, N>;

constexpr Names<Outcome, 7> kOutcomes = {{
    {Outcome::kAttendedComplied, "attended_complied"},
    {Outcome::kAttendedFailedToComply, "attended_failed_to_comply"},
    {Outcome::kSentHomeBehaviour, "sent_home_behaviour"},
    {Outcome::kSentHomeService, "sent_home_service"},
    {Outcome::kUnacceptableAbsence, "unacceptable_absence"},
    {Outcome::kAcceptableAbsence, "acceptable_absence"},
    {Outcome::kRescheduled, "rescheduled"},
}};
constexpr Names<Reason, 9> kReasons = {{
    {Reason::kNone, "none"},
    {Reason::kMedical, "medical"},
    {Reason::kEmployment, "employment"},
    {Reason::kFamily, "family"},
    {Reason::kCourt, "court"},
    {Reason::kStoodDownInAdvance, "stood_down_in_advance"},
    {Reason::kProfessionalJudgement, "professional_judgement"},
    {Reason::kServiceRequest, "service_request"},
    {Reason::kPersonRequest, "person_request"},
}};
constexpr Names<Activity, 2> kActivities = {{
    {Activity::kUnpaidWork, "unpaid_work"},
    {Activity::kOtherActivity, "other_activity"},
}};
constexpr Names<EventKind, 4> kKinds = {{
    {EventKind::kRecord, "record"},
    {EventKind::kUpdate, "update"},
    {EventKind::kAmend, "amend"},
    {EventKind::kVoid, "void"},
}};

template <typename E, std::size_t N>
std::optional<E> Parse(const Names<E, N>& names, std::string_view text) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename E, std::size_t N>
std::string_view Name(const Names<E, N>& names, E value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return names[0].second;
}

constexpr UtcSeconds kGraceSeconds = 5 * 60;
constexpr UtcSeconds kClockSlackSeconds = 5 * 60;
constexpr UtcSeconds kEarliestSignInBeforeStart = 12 * 3600;

// Characters, not bytes: a UTF-8 continuation byte (10xxxxxx) does not start a character.
std::size_t CharacterCount(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

bool IsAbsenceReason(Reason r) {
  return r == Reason::kMedical || r == Reason::kEmployment || r == Reason::kFamily ||
         r == Reason::kCourt || r == Reason::kStoodDownInAdvance ||
         r == Reason::kProfessionalJudgement;
}

Status Invalid(const char* field, const std::string& message) {
  return Status::Invalid(field, message);
}

}  // namespace

std::optional<Outcome> ParseOutcome(std::string_view t) { return Parse(kOutcomes, t); }
std::string_view ToString(Outcome o) { return Name(kOutcomes, o); }
std::optional<Reason> ParseReason(std::string_view t) { return Parse(kReasons, t); }
std::string_view ToString(Reason r) { return Name(kReasons, r); }
std::optional<Activity> ParseActivity(std::string_view t) { return Parse(kActivities, t); }
std::string_view ToString(Activity a) { return Name(kActivities, a); }
std::optional<EventKind> ParseEventKind(std::string_view t) { return Parse(kKinds, t); }
std::string_view ToString(EventKind k) { return Name(kKinds, k); }

bool IsAttended(Outcome o) {
  return o == Outcome::kAttendedComplied || o == Outcome::kAttendedFailedToComply ||
         o == Outcome::kSentHomeBehaviour || o == Outcome::kSentHomeService;
}

bool IsEnforceable(Outcome o) {
  return o == Outcome::kAttendedFailedToComply || o == Outcome::kSentHomeBehaviour ||
         o == Outcome::kUnacceptableAbsence;
}

bool IsAbsenceOrReschedule(Outcome o) { return !IsAttended(o); }

bool IsOpen(const AttendanceFacts& f) {
  return IsAttended(f.outcome) && f.sign_in.has_value() && !f.sign_out.has_value();
}

Status ValidateFacts(const AttendanceFacts& f, const SessionWindow& w, UtcSeconds now,
                     bool register_open) {
  if (CharacterCount(f.note) > kMaxNoteLength) {
    return Invalid("note", "note must be under 4,000 characters");
  }
  if (f.break_minutes < 0) return Invalid("break_minutes", "break_minutes cannot be negative");
  if (f.penalty_minutes < 0)
    return Invalid("penalty_minutes", "penalty_minutes cannot be negative");
  const UtcSeconds session_minutes = (w.end - w.start) / 60;
  if (f.penalty_minutes > session_minutes) {
    return Invalid("penalty_minutes", "penalty_minutes cannot be longer than the session");
  }
  if (!IsAttended(f.outcome)) {
    if (f.sign_in || f.sign_out) {
      return Invalid(f.sign_in ? "sign_in" : "sign_out",
                     "an absence or reschedule has no sign-in or sign-out time");
    }
    if (f.break_minutes > 0) return Invalid("break_minutes", "an absence has no breaks");
    if (f.penalty_minutes > 0) return Invalid("penalty_minutes", "an absence has no penalty");
    if (f.outcome == Outcome::kAcceptableAbsence && !IsAbsenceReason(f.reason)) {
      return Invalid("absence_reason",
                     "say why the absence is acceptable: medical, employment, family, court, "
                     "stood_down_in_advance or professional_judgement");
    }
    if (f.outcome == Outcome::kRescheduled && f.reason != Reason::kServiceRequest &&
        f.reason != Reason::kPersonRequest) {
      return Invalid("absence_reason",
                     "say who asked to reschedule: service_request or person_request");
    }
    if (f.outcome == Outcome::kUnacceptableAbsence && now < w.start) {
      return Invalid("outcome", "nobody can be absent from a session that has not started");
    }
    if (f.outcome == Outcome::kUnacceptableAbsence && f.reason != Reason::kNone) {
      return Invalid("absence_reason",
                     "an unacceptable absence takes no reason; record the reason in the note");
    }
    return Status::Ok();
  }
  if (f.reason != Reason::kNone) {
    return Invalid("absence_reason", "absence_reason is only for absences and reschedules");
  }
  if (f.sign_in && !f.sign_out && register_open && f.outcome == Outcome::kAttendedComplied) {
    // On site: signed in, not yet out (from arrival, which may be a little before the start).
    // Breaks and penalty so far fit the time since sign-in.
    if (*f.sign_in < w.start - kEarliestSignInBeforeStart) {
      return Invalid("sign_in", "sign_in is long before the session starts");
    }
    if (*f.sign_in > now + kClockSlackSeconds) {
      return Invalid("sign_in", "sign_in cannot be in the future");
    }
    const UtcSeconds so_far = std::max<UtcSeconds>(0, (now - *f.sign_in) / 60);
    if (f.break_minutes + f.penalty_minutes > so_far) {
      return Invalid("break_minutes", "breaks and penalty are longer than the time on site so far");
    }
    return Status::Ok();
  }
  if (now < w.start) {
    return Invalid("outcome",
                   "before the session starts only absences and reschedules can be recorded");
  }
  if (!f.sign_in) return Invalid("sign_in", "sign_in is required when the person attended");
  if (!f.sign_out) {
    return Invalid("sign_out", register_open && f.outcome != Outcome::kAttendedComplied
                                   ? "sign_out is required for this outcome"
                                   : "sign_out is required when the person attended");
  }
  if (*f.sign_out <= *f.sign_in) return Invalid("sign_out", "sign_out must be after sign_in");
  if (*f.sign_out - *f.sign_in > 24 * 3600) {
    return Invalid("sign_out", "sign_out must be within 24 hours of sign_in");
  }
  if (*f.sign_in < w.start - kEarliestSignInBeforeStart) {
    return Invalid("sign_in", "sign_in is long before the session starts");
  }
  if (*f.sign_out > now + kClockSlackSeconds)
    return Invalid("sign_out", "sign_out cannot be in the future");
  const UtcSeconds signed_in_minutes = (*f.sign_out - *f.sign_in) / 60;
  if (f.break_minutes > signed_in_minutes) {
    return Invalid("break_minutes", "break_minutes are longer than the time signed in");
  }
  if (f.break_minutes + f.penalty_minutes > signed_in_minutes) {
    return Invalid("penalty_minutes",
                   "breaks and penalty together are longer than the time signed in");
  }
  return Status::Ok();
}

int TimeWorkedMinutes(const AttendanceFacts& f) {
  if (!f.sign_in || !f.sign_out || *f.sign_out <= *f.sign_in) return 0;
  const std::int64_t worked = (*f.sign_out - *f.sign_in) / 60 - f.break_minutes - f.penalty_minutes;
  return static_cast<int>(std::max<std::int64_t>(worked, 0));
}

int ClaimableMinutes(const AttendanceFacts& f, const Profile& profile) {
  switch (f.outcome) {
    case Outcome::kAttendedComplied:
    case Outcome::kSentHomeBehaviour:
      return TimeWorkedMinutes(f);
    case Outcome::kAttendedFailedToComply:
      return profile.credit_failed_to_comply ? TimeWorkedMinutes(f) : 0;
    case Outcome::kSentHomeService:
      return profile.credit_service_stand_down ? TimeWorkedMinutes(f) : 0;
    default:
      return 0;
  }
}

bool IsLate(const AttendanceFacts& f, const SessionWindow& w) {
  return IsAttended(f.outcome) && f.sign_in && *f.sign_in > w.start + kGraceSeconds;
}

bool LeftEarly(const AttendanceFacts& f, const SessionWindow& w) {
  return IsAttended(f.outcome) && f.sign_out && *f.sign_out < w.end - kGraceSeconds;
}

std::vector<AttendanceRecord> FoldEvents(const std::vector<AttendanceEvent>& events) {
  std::vector<AttendanceRecord> records;
  std::map<std::string, std::size_t> index;
  for (const auto& e : events) {
    auto it = index.find(e.record_id);
    if (it == index.end()) {
      if (e.kind != EventKind::kRecord) continue;  // refused by CheckEventFits; never stored
      index.emplace(e.record_id, records.size());
      AttendanceRecord r;
      r.record_id = e.record_id;
      r.service_user_id = e.service_user_id;
      r.facts = e.facts;
      r.history.push_back(e);
      records.push_back(std::move(r));
      continue;
    }
    AttendanceRecord& r = records[it->second];
    r.history.push_back(e);
    if (r.voided || e.kind == EventKind::kRecord) continue;  // nothing changes a voided record
    if (e.kind == EventKind::kAmend || e.kind == EventKind::kUpdate) {
      const bool was_sensitive = r.facts.note_sensitive;  // a sensitive note stays sensitive
      r.facts = e.facts;
      r.facts.note_sensitive = r.facts.note_sensitive || was_sensitive;
    }
    if (e.kind == EventKind::kVoid) r.voided = true;
  }
  return records;
}

Status CheckEventFits(const std::vector<AttendanceRecord>& records, const AttendanceEvent& next) {
  if (next.kind == EventKind::kRecord) {
    for (const auto& r : records) {
      if (r.record_id == next.record_id) {
        return Status::Error(Code::kConflict, "id", "this record already exists");
      }
      if (!r.voided && r.service_user_id == next.service_user_id) {
        return Status::Error(Code::kConflict, "service_user_id",
                             "this person already has a record for this session; amend it instead");
      }
    }
    return Status::Ok();
  }
  if (next.kind != EventKind::kUpdate &&
      next.reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::Invalid("reason", "give a reason for the change");
  }
  for (const auto& r : records) {
    if (r.record_id != next.record_id) continue;
    if (r.voided) return Status::Error(Code::kConflict, "record_id", "this record was voided");
    return Status::Ok();
  }
  return Status::Error(Code::kNotFound, "record_id", "no such attendance record in this group");
}

}  // namespace upw::domain
