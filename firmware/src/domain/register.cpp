#include "domain/register.h"

#include <array>
#include <utility>

namespace upw::domain {

namespace {

struct ReasonName {
  StandDownReason reason;
  std::string_view name;
  std::string_view description;
};
constexpr std::array<ReasonName, 5> kReasons = {{
    {StandDownReason::kWeather, "weather", "Weather"},
    {StandDownReason::kVan, "van", "Van unavailable"},
    {StandDownReason::kSupervisor, "supervisor", "No supervisor"},
    {StandDownReason::kOversubscribed, "oversubscribed", "Oversubscribed"},
    {StandDownReason::kOther, "other", "Other"},
}};

const AttendanceRecord* LiveRecordOf(const std::vector<AttendanceRecord>& records,
                                     const std::string& person) {
  for (const auto& r : records) {
    if (!r.voided && r.service_user_id == person) return &r;
  }
  return nullptr;
}

}  // namespace

std::optional<StandDownReason> ParseStandDownReason(std::string_view text) {
  for (const auto& r : kReasons) {
    if (r.name == text) return r.reason;
  }
  return std::nullopt;
}

std::string_view ToString(StandDownReason r) {
  for (const auto& x : kReasons) {
    if (x.reason == r) return x.name;
  }
  return "other";
}

std::string_view Describe(StandDownReason r) {
  for (const auto& x : kReasons) {
    if (x.reason == r) return x.description;
  }
  return "Other";
}

RegisterSummary SummariseRegister(const std::vector<std::string>& allocated,
                                  const std::vector<AttendanceRecord>& records,
                                  const std::map<std::string, int>& credited_by_record) {
  RegisterSummary s;
  s.allocated = static_cast<int>(allocated.size());
  for (const auto& person : allocated) {
    const AttendanceRecord* r = LiveRecordOf(records, person);
    if (r == nullptr || IsOpen(r->facts)) s.still_to_record.push_back(person);
  }
  for (const auto& r : records) {
    if (r.voided) continue;
    const AttendanceFacts& f = r.facts;
    auto credited = credited_by_record.find(r.record_id);
    const int minutes = credited == credited_by_record.end() ? 0 : credited->second;
    s.credited_minutes += minutes;
    if (f.activity == Activity::kOtherActivity) s.other_activity_minutes += minutes;
    if (IsEnforceable(f.outcome)) ++s.incidents;
    switch (f.outcome) {
      case Outcome::kAttendedComplied:
      case Outcome::kAttendedFailedToComply:
      case Outcome::kSentHomeBehaviour:
        ++(IsOpen(f) ? s.on_site : s.attended);
        break;
      case Outcome::kSentHomeService:
        ++s.attended;
        ++s.stood_down;
        break;
      case Outcome::kUnacceptableAbsence:
        ++s.unacceptable_absences;
        break;
      case Outcome::kAcceptableAbsence:
        ++(f.reason == Reason::kStoodDownInAdvance ? s.stood_down : s.acceptable_absences);
        break;
      case Outcome::kRescheduled:
        ++s.rescheduled;
        break;
    }
  }
  return s;
}

Status CheckCanClose(const RegisterSummary& summary, const SessionWindow& window, UtcSeconds now) {
  if (now < window.start) {
    return Status::Invalid("now", "a session can be closed once it has started");
  }
  if (!summary.still_to_record.empty()) {
    return Status::Error(
        Code::kConflict, "still_to_record",
        std::to_string(summary.still_to_record.size()) +
            (summary.still_to_record.size() == 1 ? " person has" : " people have") +
            " no finished record yet: record an outcome or sign them out first");
  }
  return Status::Ok();
}

std::vector<StandDownStep> PlanStandDown(const std::vector<std::string>& allocated,
                                         const std::vector<AttendanceRecord>& records,
                                         UtcSeconds now, StandDownReason reason,
                                         const std::string& note) {
  std::string why = "Stood down: " + std::string(Describe(reason));
  if (!note.empty()) why += ". " + note;
  std::vector<StandDownStep> steps;
  for (const auto& person : allocated) {
    const AttendanceRecord* r = LiveRecordOf(records, person);
    if (r != nullptr && !IsOpen(r->facts)) continue;  // finished: the record stands
    StandDownStep step;
    step.service_user_id = person;
    if (r != nullptr) {
      step.record_id = r->record_id;
      step.kind = EventKind::kUpdate;
      step.facts = r->facts;
      step.facts.outcome = Outcome::kSentHomeService;
      // Signed in this very minute: a sign-out must still come after the sign-in.
      step.facts.sign_out = std::max(now, *r->facts.sign_in + 60);
    } else {
      step.facts.outcome = Outcome::kAcceptableAbsence;
      step.facts.reason = Reason::kStoodDownInAdvance;
    }
    if (step.facts.note.empty()) {
      step.facts.note = why;
    } else if (step.facts.note.size() + why.size() + 1 < kMaxNoteLength) {
      step.facts.note += "\n" + why;
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace upw::domain
