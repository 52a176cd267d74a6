#include "ui/register_pages.h"

#include <map>

#include "app/attendance.h"
#include "app/register_actions.h"
#include "domain/register.h"
#include "ui/forms.h"
#include "ui/render.h"

namespace upw::ui {

using nlohmann::json;

namespace {

const std::vector<std::pair<std::string, std::string>> kOutcomes = {
    {"attended_complied", "Attended and complied"},
    {"attended_failed_to_comply", "Attended, failed to comply"},
    {"sent_home_behaviour", "Sent home for behaviour"},
    {"sent_home_service", "Sent home – service issue"},
    {"unacceptable_absence", "Unacceptable absence"},
    {"acceptable_absence", "Acceptable absence"},
    {"rescheduled", "Rescheduled"}};

const std::vector<std::pair<std::string, std::string>> kReasons = {
    {"", "None"},
    {"medical", "Medical (evidence expected)"},
    {"employment", "Employment"},
    {"family", "Family or childcare"},
    {"court", "Court"},
    {"stood_down_in_advance", "Stood down"},
    {"professional_judgement", "Professional judgement"},
    {"service_request", "Rescheduled: service request"},
    {"person_request", "Rescheduled: person's request"}};

const std::vector<std::pair<std::string, std::string>> kStandDownReasons = {
    {"weather", "Weather"},
    {"van", "Van unavailable"},
    {"supervisor", "No supervisor"},
    {"oversubscribed", "Oversubscribed"},
    {"other", "Other"}};

const std::map<std::string, std::string> kFlagLabels = {
    {"no_contact_children", "No contact with children"},
    {"no_contact_vulnerable_adults", "No contact with vulnerable adults"},
    {"violence_risk", "Violence risk"},
    {"medical_needs", "Medical needs"},
    {"seated_duties_only", "Seated duties only"},
    {"under_26_bespoke", "Under 26: bespoke placement"}};

std::string Label(const std::vector<std::pair<std::string, std::string>>& table,
                  const std::string& value) {
  for (const auto& [v, l] : table) {
    if (v == value) return l;
  }
  return value;
}

json Choices(const std::vector<std::pair<std::string, std::string>>& table,
             const std::string& chosen, const char* flag) {
  json out = json::array();
  for (const auto& [v, l] : table) out.push_back({{"value", v}, {"label", l}, {flag, v == chosen}});
  return out;
}

std::string Name(const json& person) {
  return person["first_name"].get<std::string>() + " " + person["last_name"].get<std::string>();
}

std::string Str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::string TimeOf(const json& record, const char* key) {
  if (record.is_null() || !record[key].is_string()) return "";
  auto t = domain::ParseTimestamp(record[key].get<std::string>());
  return t ? LocalTime(*t) : "";
}

// Where a person stands, in words and as the contract's data-state.
struct Standing {
  std::string state;
  std::string text;
  std::vector<std::string> badges;
};

Standing StandingOf(const json& record) {
  if (record.is_null()) return {"none", "Not recorded yet", {}};
  const std::string outcome = record["outcome"];
  const std::string reason = Str(record, "absence_reason");
  Standing s;
  const std::string credited = Duration(record["credited_minutes"].get<int>()) + " credited";
  if (outcome == "attended_complied" || outcome == "attended_failed_to_comply" ||
      outcome == "sent_home_behaviour" || outcome == "sent_home_service") {
    const std::string in = TimeOf(record, "sign_in");
    const std::string out = TimeOf(record, "sign_out");
    if (out.empty()) {
      s = {"on_site", "On site since " + in, {}};
    } else {
      const std::string what =
          outcome == "attended_complied" ? "Attended" : Label(kOutcomes, outcome);
      s = {outcome == "sent_home_service" ? "stood_down" : "done",
           what + " " + in + "–" + out + " · " + credited,
           {}};
    }
    if (record["late"].get<bool>()) s.badges.push_back("Late");
    if (record["left_early"].get<bool>()) s.badges.push_back("Left early");
  } else if (outcome == "acceptable_absence" && reason == "stood_down_in_advance") {
    s = {"stood_down", "Stood down", {}};
  } else {
    s = {"absent", Label(kOutcomes, outcome), {}};
    if (!reason.empty()) s.text += " (" + Label(kReasons, reason) + ")";
  }
  if (record["evidence_expected"].get<bool>()) s.badges.push_back("Evidence expected");
  if (record["activity"] == "other_activity") s.badges.push_back("Other activity");
  if (record["amended"].get<bool>()) s.badges.push_back("Changed");
  return s;
}

// The warning a person's latest incident raised, if this record raised it.
std::string WarningOf(const json& person) {
  if (person["record"].is_null()) return "";
  const std::string record_id = person["record"]["record_id"];
  for (const json& w : person["order"]["warnings"]) {
    if (w["record_id"] != record_id) continue;
    const std::string step = w["step"];
    const std::string what = step == "first_warning"   ? "First warning"
                             : step == "final_warning" ? "Final warning"
                                                       : "Breach referral to the case manager";
    return what + ": base staff to act by " + w["due"].get<std::string>();
  }
  return "";
}

json GroupHeader(const json& reg) {
  const json& g = reg["work_group"];
  return {{"group_id", g["id"]},
          {"placement", reg["placement"]["name"]},
          {"date_text", DateText(*domain::ParseDate(g["session_date"].get<std::string>()))},
          {"starts_at", g["starts_at"]},
          {"ends_at", g["ends_at"]},
          {"closed", g["status"] == "closed"}};
}

json Layout(const PageContext& c, json data, const std::string& title) {
  for (const auto& [k, v] : c.layout.items()) data[k] = v;
  data["title"] = title;
  return data;
}

http::Response NotFound(const PageContext& c, const std::string& text) {
  return Html(404, RenderPage("message",
                              Layout(c, {{"heading", "Not found"}, {"text", text}}, "Not found")));
}

const json* FindPerson(const json& reg, const std::string& person_id) {
  for (const json& p : reg["people"]) {
    if (p["service_user_id"] == person_id) return &p;
  }
  return nullptr;
}

// The "Saved" banner names an event that the page has just read back from the database, so a
// crafted or stale address can never show something as saved that is not.
std::string FlashFor(const json& reg, const http::Request& req) {
  auto event = req.query.find("event");
  if (event != req.query.end()) {
    for (const json& p : reg["people"]) {
      std::vector<const json*> records;
      if (!p["record"].is_null()) records.push_back(&p["record"]);
      for (const json& v : p["voided_records"]) records.push_back(&v);
      for (const json* r : records) {
        for (const json& e : (*r)["history"]) {
          if (e["id"] != event->second) continue;
          const std::string kind = e["kind"];
          const json f = e.contains("facts") ? e["facts"] : json();
          std::string what = "record saved";
          if (kind == "void") {
            what = "record voided";
          } else if (kind == "record" && f.is_object() && f["sign_out"].is_null() &&
                     f["sign_in"].is_string()) {
            what = "arrived at " + TimeOf(f, "sign_in");
          } else if (kind == "update" && f.is_object() && f["sign_out"].is_string()) {
            what = "signed out at " + TimeOf(f, "sign_out");
          }
          return "Saved: " + Name(p) + ", " + what + ".";
        }
      }
    }
  }
  auto done = req.query.find("done");
  if (done != req.query.end() && done->second == "closed" &&
      reg["work_group"]["status"] == "closed") {
    return "Saved: the session is closed.";
  }
  if (done != req.query.end() && done->second == "stood_down" &&
      reg["summary"]["stood_down"].get<int>() > 0) {
    return "Saved: the group was stood down.";
  }
  return "";
}

// The address to land on after a write: the register at the person, naming the event written.
std::string AfterWrite(const std::string& group_id, const std::string& person_id,
                       const json& record) {
  std::string url = "/groups/" + group_id;
  if (record.is_object() && record["history"].is_array() && !record["history"].empty()) {
    url += "?event=" + record["history"].back()["id"].get<std::string>();
  }
  return url + "#person-" + person_id;
}

http::Response RegisterPage(const PageContext& c, const json& reg, json extra, int status) {
  json people = json::array();
  const bool open = reg["register_open"].get<bool>();
  for (const json& p : reg["people"]) {
    const Standing st = StandingOf(p["record"]);
    people.push_back({{"service_user_id", p["service_user_id"]},
                      {"group_id", reg["work_group"]["id"]},
                      {"name", Name(p)},
                      {"flags", RiskFlagLabels(p["risk_flags"])},
                      {"state", st.state},
                      {"status", st.text},
                      {"badges", st.badges},
                      {"warning", WarningOf(p)},
                      {"can_arrive", open && st.state == "none"},
                      {"can_sign_out", open && st.state == "on_site"}});
  }
  const std::string flash = FlashFor(reg, c.req);
  const json& s = reg["summary"];
  json data = GroupHeader(reg);
  data["people"] = people;
  data["flash"] = flash;
  data["summary_text"] = std::to_string(s["attended"].get<int>()) + " attended, " +
                         std::to_string(s["on_site"].get<int>()) + " on site, " +
                         Duration(s["credited_minutes"].get<int>()) + " credited, " +
                         std::to_string(s["still_to_record"].size()) + " still to record.";
  for (const auto& [k, v] : extra.items()) data[k] = v;
  return Html(status, RenderPage("register", Layout(c, data, "Register")));
}

// The record form's values: what was posted (kept after an error), else the record as it stands.
json FormValues(const json& record, const Form* posted) {
  if (posted != nullptr) {
    return {{"outcome", Value(*posted, "outcome")},
            {"absence_reason", Value(*posted, "absence_reason")},
            {"sign_in", Value(*posted, "sign_in")},
            {"sign_out", Value(*posted, "sign_out")},
            {"break_minutes", Value(*posted, "break_minutes")},
            {"penalty_minutes", Value(*posted, "penalty_minutes")},
            {"activity", Value(*posted, "activity")},
            {"note", Value(*posted, "note")},
            {"note_sensitive", !Value(*posted, "note_sensitive").empty()},
            {"reason", Value(*posted, "reason")}};
  }
  if (record.is_null()) {
    return {{"outcome", ""},
            {"absence_reason", ""},
            {"sign_in", ""},
            {"sign_out", ""},
            {"break_minutes", "0"},
            {"penalty_minutes", "0"},
            {"activity", "unpaid_work"},
            {"note", ""},
            {"note_sensitive", false},
            {"reason", ""}};
  }
  return {{"outcome", record["outcome"]},
          {"absence_reason", Str(record, "absence_reason")},
          {"sign_in", TimeOf(record, "sign_in")},
          {"sign_out", TimeOf(record, "sign_out")},
          {"break_minutes", std::to_string(record["break_minutes"].get<int>())},
          {"penalty_minutes", std::to_string(record["penalty_minutes"].get<int>())},
          {"activity", record["activity"]},
          {"note", record["note"].is_string() ? record["note"] : json("")},
          {"note_sensitive", record["note_sensitive"]},
          {"reason", ""}};
}

json HistoryOf(const json& record) {
  json out = json::array();
  if (record.is_null()) return out;
  for (const json& e : record["history"]) {
    const std::string kind = e["kind"];
    const std::string what = kind == "record"   ? "Recorded"
                             : kind == "update" ? "Updated"
                             : kind == "amend"  ? "Amended"
                                                : "Voided";
    std::string summary;
    if (e.contains("facts") && e["facts"].is_object()) {
      const json& f = e["facts"];
      summary = Label(kOutcomes, f["outcome"].get<std::string>());
      const std::string in = TimeOf(f, "sign_in");
      const std::string outt = TimeOf(f, "sign_out");
      if (!in.empty()) summary += ", " + in + "–" + (outt.empty() ? "…" : outt);
      if (f["break_minutes"].get<int>() > 0) {
        summary += ", breaks " + std::to_string(f["break_minutes"].get<int>()) + " min";
      }
    }
    const auto at = domain::ParseTimestamp(e["recorded_at"].get<std::string>());
    out.push_back({{"what", what},
                   {"author", e["author"]},
                   {"when", at ? LocalTime(*at) : ""},
                   {"summary", summary},
                   {"reason", e["reason"].is_string() ? e["reason"] : json(nullptr)}});
  }
  return out;
}

http::Response PersonPage(const PageContext& c, const json& reg, const json& person,
                          const Form* posted, json errors, int status) {
  const json& record = person["record"];
  json v = FormValues(record, posted);
  json data = GroupHeader(reg);
  data["service_user_id"] = person["service_user_id"];
  data["name"] = Name(person);
  data["flags"] = RiskFlagLabels(person["risk_flags"]);
  const json& order = person["order"];
  data["hours"] = {{"credited", Duration(order["credited_minutes"].get<int>())},
                   {"remaining", Duration(order["remaining_minutes"].get<int>())},
                   {"days_left", order.value("days_left", 0)}};
  data["outcomes"] = Choices(kOutcomes, v["outcome"], "checked");
  data["reasons"] = Choices(kReasons, v["absence_reason"], "selected");
  data["activities"] =
      Choices({{"unpaid_work", "Unpaid work"}, {"other_activity", "Other activity"}}, v["activity"],
              "checked");
  for (const char* k : {"sign_in", "sign_out", "break_minutes", "penalty_minutes", "note",
                        "note_sensitive", "reason"}) {
    data[k] = v[k];
  }
  data["has_record"] = !record.is_null();
  data["register_open"] = reg["register_open"];
  data["history"] = HistoryOf(record);
  json voided = json::array();
  for (const json& r : person["voided_records"]) {
    voided.push_back(Label(kOutcomes, r["outcome"].get<std::string>()) + " – voided");
  }
  data["voided"] = voided;
  for (const auto& [k, val] : errors.items()) data[k] = val;
  return Html(status, RenderPage("person", Layout(c, data, Name(person))));
}

// The API body for a posted record form; Invalid naming the form's field on what cannot be read.
Result<json> BodyFromForm(const json& group, const std::string& person, const Form& form) {
  json body = {{"outcome", Value(form, "outcome")}};
  if (Value(form, "outcome").empty()) return Status::Invalid("outcome", "choose an outcome");
  if (!person.empty()) body["service_user_id"] = person;
  if (!Value(form, "absence_reason").empty())
    body["absence_reason"] = Value(form, "absence_reason");
  for (const char* k : {"sign_in", "sign_out"}) {
    const std::string t = Value(form, k);
    if (t.empty()) continue;
    auto at = GroupTime(group, t);
    if (!at) return Status::Invalid(k, std::string("enter the time as HH:MM, like 09:30"));
    body[k] = domain::FormatTimestamp(*at);
  }
  for (const char* k : {"break_minutes", "penalty_minutes"}) {
    const std::string t = Value(form, k);
    if (t.empty()) continue;
    if (t.size() > 4 || t.find_first_not_of("0123456789") != std::string::npos) {
      return Status::Invalid(k, "enter a whole number of minutes");
    }
    body[k] = std::stoi(t);
  }
  if (!Value(form, "activity").empty()) body["activity"] = Value(form, "activity");
  if (!Value(form, "note").empty()) body["note"] = Value(form, "note");
  body["note_sensitive"] = !Value(form, "note_sensitive").empty();
  return body;
}

http::Response SaveRecord(const PageContext& c, const json& reg, const json& person) {
  auto form = ParseForm(c.req);
  if (!form.ok()) return NotFound(c, form.status().message());
  const std::string group_id = reg["work_group"]["id"];
  const std::string person_id = person["service_user_id"];
  const json& record = person["record"];
  auto body = BodyFromForm(reg["work_group"], record.is_null() ? person_id : "", *form);
  Status st = body.status();
  json saved;
  if (st.ok()) {
    const std::string reason = Value(*form, "reason");
    json b = *body;
    auto w = [&]() -> Result<app::AttendanceWrite> {
      if (record.is_null()) return app::RecordAttendance(c.s, c.actor, group_id, b);
      const std::string record_id = record["record_id"];
      if (!reason.empty()) b["reason"] = reason;
      // Once the session is closed every change is an amendment; AmendAttendance then asks for
      // the reason if there is none.
      const bool amend = !reason.empty() || !reg["register_open"].get<bool>();
      return amend ? app::AmendAttendance(c.s, c.actor, group_id, record_id, b)
                   : app::UpdateAttendance(c.s, c.actor, group_id, record_id, b);
    }();
    st = w.status();
    if (w.ok()) saved = w->record;
  }
  if (st.ok()) return SeeOther(AfterWrite(group_id, person_id, saved));
  if (st.code() == Code::kUnavailable || st.code() == Code::kInternal) {
    json errors;
    AddError(errors, Status::Invalid("form", "not saved: " + st.message() + ". Try again."));
    return PersonPage(c, reg, person, &*form, errors, 503);
  }
  json errors;
  AddError(errors, st);
  return PersonPage(c, reg, person, &*form, errors, st.code() == Code::kForbidden ? 403 : 422);
}

http::Response Tap(const PageContext& c, const json& reg, const json& person, bool arrive) {
  const std::string group_id = reg["work_group"]["id"];
  const std::string person_id = person["service_user_id"];
  const json& record = person["record"];
  const std::string now = domain::FormatTimestamp(c.s.clock.NowSeconds());
  auto w = [&]() -> Result<app::AttendanceWrite> {
    if (arrive) {
      return app::RecordAttendance(
          c.s, c.actor, group_id,
          {{"service_user_id", person_id}, {"outcome", "attended_complied"}, {"sign_in", now}});
    }
    if (!record.is_null()) {
      json body = {{"outcome", record["outcome"]},
                   {"sign_in", record["sign_in"]},
                   {"sign_out", now},
                   {"break_minutes", record["break_minutes"]},
                   {"penalty_minutes", record["penalty_minutes"]},
                   {"activity", record["activity"]},
                   {"note_sensitive", record["note_sensitive"]}};
      if (record["note"].is_string()) body["note"] = record["note"];
      return app::UpdateAttendance(c.s, c.actor, group_id, record["record_id"], body);
    }
    return Status::Invalid("sign_out", "this person has not arrived");
  }();
  if (w.ok()) return SeeOther(AfterWrite(group_id, person_id, w->record));
  json errors;
  AddError(errors, Status::Invalid(w.status().field(), Name(person) + ": " + w.status().message()),
           "person-" + person_id);
  return RegisterPage(c, reg, errors, w.status().code() == Code::kForbidden ? 403 : 422);
}

http::Response Void(const PageContext& c, const json& reg, const json& person) {
  auto form = ParseForm(c.req);
  if (!form.ok()) return NotFound(c, form.status().message());
  const std::string group_id = reg["work_group"]["id"];
  const std::string person_id = person["service_user_id"];
  if (person["record"].is_null()) return NotFound(c, "There is no record to void.");
  auto w = app::VoidAttendance(c.s, c.actor, group_id, person["record"]["record_id"],
                               {{"reason", Value(*form, "reason")}});
  if (w.ok()) return SeeOther(AfterWrite(group_id, person_id, w->record));
  json errors;
  AddError(errors, w.status(), "void_reason");
  return PersonPage(c, reg, person, nullptr, errors, 422);
}

http::Response StandDown(const PageContext& c, const json& reg) {
  json data = GroupHeader(reg);
  std::string chosen;
  if (c.req.method == "POST") {
    auto form = ParseForm(c.req);
    if (!form.ok()) return NotFound(c, form.status().message());
    chosen = Value(*form, "reason");
    json body = {{"reason", chosen}};
    if (!Value(*form, "note").empty()) body["note"] = Value(*form, "note");
    auto r = app::StandDownGroup(c.s, c.actor, reg["work_group"]["id"], body);
    if (r.ok())
      return SeeOther("/groups/" + reg["work_group"]["id"].get<std::string>() + "?done=stood_down");
    data["note"] = Value(*form, "note");
    AddError(data, r.status());
  }
  data["reasons"] = Choices(kStandDownReasons, chosen, "checked");
  const int status = data.contains("errors") ? 422 : 200;
  return Html(status, RenderPage("stand_down", Layout(c, data, "Stand down the group")));
}

http::Response Close(const PageContext& c, const json& reg) {
  json data = GroupHeader(reg);
  if (c.req.method == "POST") {
    auto r = app::CloseSession(c.s, c.actor, reg["work_group"]["id"]);
    if (r.ok())
      return SeeOther("/groups/" + reg["work_group"]["id"].get<std::string>() + "?done=closed");
    AddError(data, r.status());
  }
  const json& s = reg["summary"];
  data["summary"] = s;
  data["credited_text"] = Duration(s["credited_minutes"].get<int>());
  data["other_text"] = Duration(s["other_activity_minutes"].get<int>());
  json still = json::array();
  for (const json& id : s["still_to_record"]) {
    const json* p = FindPerson(reg, id.get<std::string>());
    still.push_back({{"id", id}, {"name", p ? Name(*p) : id.get<std::string>()}});
  }
  data["still"] = still;
  const int status = data.contains("errors") ? 409 : 200;
  return Html(status, RenderPage("close", Layout(c, data, "Close the session")));
}

http::Response Print(const PageContext& c, const json& reg) {
  json data = GroupHeader(reg);
  data["supervisor"] = reg["supervisor"]["name"];
  data["van"] = reg["van"];
  json people = json::array();
  for (const json& p : reg["people"]) {
    std::string pickup = Str(p, "pickup_time");
    if (!Str(p, "pickup_point").empty()) pickup += " " + Str(p, "pickup_point");
    const json& r = p["record"];
    people.push_back({{"name", Name(p)},
                      {"pickup", pickup},
                      {"arrived", TimeOf(r, "sign_in")},
                      {"left", TimeOf(r, "sign_out")},
                      {"outcome", r.is_null() ? "" : Label(kOutcomes, r["outcome"])}});
  }
  data["people"] = people;
  return Html(200, RenderPage("print", Layout(c, data, "Paper register")));
}

}  // namespace

std::string OutcomeLabel(const std::string& outcome) { return Label(kOutcomes, outcome); }

std::vector<std::string> RiskFlagLabels(const json& flags) {
  std::vector<std::string> out;
  if (!flags.is_array()) return out;
  for (const json& f : flags) {
    auto it = kFlagLabels.find(f.get<std::string>());
    out.push_back(it == kFlagLabels.end() ? f.get<std::string>() : it->second);
  }
  return out;
}

http::Response GroupPages(const PageContext& c, const std::vector<std::string>& rest) {
  const std::string& group_id = rest[0];
  auto reg = app::GetRegister(c.s, c.actor, group_id);
  if (!reg.ok()) {
    if (reg.status().code() == Code::kForbidden) {
      return Html(
          403, RenderPage("message",
                          Layout(c, {{"heading", "Not allowed"}, {"text", reg.status().message()}},
                                 "Not allowed")));
    }
    return NotFound(c, "There is no work group here that you can see.");
  }
  const std::string& m = c.req.method;
  if (rest.size() == 1 && m == "GET") return RegisterPage(c, *reg, json::object(), 200);
  if (rest.size() == 2 && rest[1] == "stand-down") return StandDown(c, *reg);
  if (rest.size() == 2 && rest[1] == "close") return Close(c, *reg);
  if (rest.size() == 2 && rest[1] == "print" && m == "GET") return Print(c, *reg);
  if (rest.size() >= 3 && rest[1] == "people") {
    const json* person = FindPerson(*reg, rest[2]);
    if (person == nullptr) return NotFound(c, "This person is not in this group.");
    if (rest.size() == 3) {
      return m == "GET" ? PersonPage(c, *reg, *person, nullptr, json::object(), 200)
                        : SaveRecord(c, *reg, *person);
    }
    if (rest.size() == 4 && m == "POST" && rest[3] == "arrive") return Tap(c, *reg, *person, true);
    if (rest.size() == 4 && m == "POST" && rest[3] == "sign-out")
      return Tap(c, *reg, *person, false);
    if (rest.size() == 4 && m == "POST" && rest[3] == "void") return Void(c, *reg, *person);
  }
  return NotFound(c, "There is no page at this address.");
}

}  // namespace upw::ui
