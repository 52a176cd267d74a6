#include "app/attendance_codec.h"

#include <algorithm>
#include <string>

namespace upw::app {

using nlohmann::json;

namespace {
const char* const kFactFields[] = {"outcome",  "absence_reason", "sign_in",
                                   "sign_out", "break_minutes",  "penalty_minutes",
                                   "activity", "note",           "note_sensitive"};

Result<int> Minutes(const json& body, const char* name) {
  if (!body.contains(name) || body[name].is_null()) return 0;
  const json& v = body[name];
  if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > 24 * 60) {
    return Status::Invalid(name,
                           std::string(name) + " must be a whole number of minutes from 0 to 1440");
  }
  return static_cast<int>(v.get<std::int64_t>());
}

Result<std::optional<domain::UtcSeconds>> Instant(const json& body, const char* name) {
  if (!body.contains(name) || body[name].is_null()) return std::optional<domain::UtcSeconds>();
  const json& v = body[name];
  auto t = v.is_string() ? domain::ParseTimestamp(v.get<std::string>()) : std::nullopt;
  if (!t) {
    return Status::Invalid(
        name,
        std::string(name) + " must be a date and time with offset, e.g. 2026-11-22T09:05:00Z");
  }
  return std::optional<domain::UtcSeconds>(*t);
}
}  // namespace

Result<domain::AttendanceFacts> FactsFromJson(const json& body,
                                              std::initializer_list<const char*> also_allowed) {
  if (!body.is_object())
    return Status::Error(Code::kMalformed, "", "the body must be a JSON object");
  for (const auto& [key, _] : body.items()) {
    const bool fact = std::any_of(std::begin(kFactFields), std::end(kFactFields),
                                  [&](const char* f) { return key == f; });
    const bool other = std::any_of(also_allowed.begin(), also_allowed.end(),
                                   [&](const char* f) { return key == f; });
    if (!fact && !other)
      return Status::Invalid(key, key + " is not a field of an attendance record");
  }
  domain::AttendanceFacts f;
  if (!body.contains("outcome") || !body["outcome"].is_string()) {
    return Status::Invalid("outcome",
                           "outcome is required (e.g. attended_complied, unacceptable_absence)");
  }
  auto outcome = domain::ParseOutcome(body["outcome"].get<std::string>());
  if (!outcome) return Status::Invalid("outcome", "outcome is not a known attendance outcome");
  f.outcome = *outcome;
  if (body.contains("absence_reason") && !body["absence_reason"].is_null()) {
    const json& v = body["absence_reason"];
    auto r = v.is_string() ? domain::ParseReason(v.get<std::string>()) : std::nullopt;
    if (!r) {
      return Status::Invalid("absence_reason",
                             "absence_reason is not a known absence or reschedule reason");
    }
    f.reason = *r;
  }
  auto in = Instant(body, "sign_in");
  if (!in.ok()) return in.status();
  auto out = Instant(body, "sign_out");
  if (!out.ok()) return out.status();
  f.sign_in = *in;
  f.sign_out = *out;
  auto br = Minutes(body, "break_minutes");
  if (!br.ok()) return br.status();
  auto pen = Minutes(body, "penalty_minutes");
  if (!pen.ok()) return pen.status();
  f.break_minutes = *br;
  f.penalty_minutes = *pen;
  if (body.contains("activity") && !body["activity"].is_null()) {
    auto act = body["activity"].is_string()
                   ? domain::ParseActivity(body["activity"].get<std::string>())
                   : std::nullopt;
    if (!act) return Status::Invalid("activity", "activity must be unpaid_work or other_activity");
    f.activity = *act;
  }
  if (body.contains("note") && !body["note"].is_null()) {
    if (!body["note"].is_string()) return Status::Invalid("note", "note must be a string");
    f.note = body["note"].get<std::string>();
  }
  if (body.contains("note_sensitive") && !body["note_sensitive"].is_null()) {
    if (!body["note_sensitive"].is_boolean()) {
      return Status::Invalid("note_sensitive", "note_sensitive must be true or false");
    }
    f.note_sensitive = body["note_sensitive"].get<bool>();
  }
  f.evidence_expected =
      f.outcome == domain::Outcome::kAcceptableAbsence && f.reason == domain::Reason::kMedical;
  return f;
}

json FactsToJson(const domain::AttendanceFacts& f) {
  json j = {{"outcome", domain::ToString(f.outcome)},
            {"absence_reason",
             f.reason == domain::Reason::kNone ? json(nullptr) : json(domain::ToString(f.reason))},
            {"sign_in", f.sign_in ? json(domain::FormatTimestamp(*f.sign_in)) : json(nullptr)},
            {"sign_out", f.sign_out ? json(domain::FormatTimestamp(*f.sign_out)) : json(nullptr)},
            {"break_minutes", f.break_minutes},
            {"penalty_minutes", f.penalty_minutes},
            {"activity", domain::ToString(f.activity)},
            {"note", f.note},
            {"note_sensitive", f.note_sensitive},
            {"evidence_expected", f.evidence_expected}};
  return j;
}

}  // namespace upw::app
