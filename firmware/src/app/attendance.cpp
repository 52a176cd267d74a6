#include "app/attendance.h"

#include <sodium.h>

#include <map>
#include <set>

#include "app/attendance_codec.h"
#include "app/attendance_write.h"
#include "app/group_access.h"
#include "app/journal.h"
#include "app/order_figures.h"
#include "app/register_actions.h"
#include "app/resource.h"
#include "common/ids.h"
#include "domain/orders.h"

namespace upw::app {

using nlohmann::json;

namespace {

std::string RequestHash(const std::string& group_id, const std::string& record_id,
                        const json& body) {
  const std::string text = group_id + "\n" + record_id + "\n" + body.dump();
  unsigned char out[16];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(text.data()),
                     text.size(), nullptr, 0);
  char hex[sizeof out * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

// Once any version of a record's note was marked sensitive, every version of it is withheld from
// those who may not see it: an amendment that forgot the flag must not reveal the old text.
json FactsFor(const domain::AttendanceFacts& f, bool withhold) {
  json j = FactsToJson(f);
  if (withhold) {
    j["note"] = nullptr;
    j["note_withheld"] = true;
  }
  return j;
}

json EventJson(const domain::AttendanceEvent& e, bool withhold) {
  json j = {{"id", e.id},
            {"kind", domain::ToString(e.kind)},
            {"author", e.author},
            {"recorded_at", domain::FormatTimestamp(e.recorded_at)},
            {"reason", e.reason.empty() ? json(nullptr) : json(e.reason)}};
  if (e.kind != domain::EventKind::kVoid) j["facts"] = FactsFor(e.facts, withhold);
  return j;
}

json RecordJson(const Actor& a, const domain::AttendanceRecord& r, const domain::SessionWindow& w,
                const OrderFigures& figures) {
  bool sensitive = false;
  for (const auto& e : r.history) sensitive = sensitive || e.facts.note_sensitive;
  const bool withhold = sensitive && !MaySeeSensitive(a, r.history.front().author);
  json j = FactsFor(r.facts, withhold);
  j["record_id"] = r.record_id;
  j["service_user_id"] = r.service_user_id;
  j["voided"] = r.voided;
  j["time_worked_minutes"] = domain::TimeWorkedMinutes(r.facts);
  auto credited = figures.credited_by_record.find(r.record_id);
  j["credited_minutes"] =
      r.voided || credited == figures.credited_by_record.end() ? 0 : credited->second;
  j["late"] = domain::IsLate(r.facts, w);
  j["left_early"] = domain::LeftEarly(r.facts, w);
  j["enforceable"] = !r.voided && domain::IsEnforceable(r.facts.outcome);
  j["amended"] = r.history.size() > 1;
  json history = json::array();
  for (const auto& e : r.history) history.push_back(EventJson(e, withhold));
  j["history"] = history;
  return j;
}

Result<OrderFigures> FiguresOf(store::Db& db, const json& order, const domain::Profile& profile) {
  auto events = LoadEventsByOrder(db, order["id"].get<std::string>());
  if (!events.ok()) return events.status();
  return ComputeOrderFigures(*events, order["hours_ordered"].get<int>(),
                             order["other_activity_allowed"].get<bool>(), profile);
}

// The record as it stands after the write, read back in the same transaction.
Result<json> ReadBack(store::Db& db, const Actor& a, const json& group,
                      const std::string& record_id, const domain::Profile& profile) {
  auto events = LoadEventsByGroup(db, group["id"].get<std::string>());
  if (!events.ok()) return events.status();
  std::vector<domain::AttendanceEvent> plain;
  std::string order_id;
  for (const auto& se : *events) {
    if (se.event.record_id != record_id) continue;
    plain.push_back(se.event);
    order_id = se.order_id;
  }
  if (plain.empty())
    return Status::Error(Code::kNotFound, "record_id", "no such attendance record in this group");
  auto figures = FiguresOf(db, LoadRow(db, Spec("orders"), order_id), profile);
  if (!figures.ok()) return figures.status();
  return RecordJson(a, domain::FoldEvents(plain).front(), WindowOf(group), *figures);
}

Status MayRecord(const Actor& a) {
  if (a.role == Role::kSupervisor || a.role == Role::kPlanner) return Status::Ok();
  return Status::Error(Code::kForbidden, "", "only supervisors and planners record attendance");
}

Result<AttendanceWrite> Append(const Services& s, const Actor& a, const std::string& group_id,
                               const EventRequest& req) {
  if (Status p = MayRecord(a); !p.ok()) return p;
  std::string record_id;
  bool replayed = false;
  Status st = s.writer.Run([&](store::WriteContext& ctx) -> Status {
    auto group = LoadGroupFor(ctx.db(), a, group_id);
    if (!group.ok()) return group.status();
    return AppendEvent(ctx, a, *group, req, &record_id, &replayed);
  });
  if (!st.ok()) return st;
  // The record as it now stands, read after the commit so the single writer spends its time only
  // on writing. A read lease begun after the commit sees it.
  auto lease = s.reads.Acquire();
  auto group = LoadGroupFor(lease.db(), a, group_id);
  if (!group.ok()) return group.status();
  auto back = ReadBack(lease.db(), a, *group, record_id, s.profile);
  if (!back.ok()) return back.status();
  return AttendanceWrite{*back, replayed};
}

Result<std::string> OptionalId(const json& body) {
  if (!body.contains("id")) return std::string();
  if (!body["id"].is_string() || !IsUuid(body["id"].get<std::string>())) {
    return Status::Invalid("id", "id must be a UUID minted by the client");
  }
  return body["id"].get<std::string>();
}

Result<std::string> RequiredReason(const json& body) {
  if (!body.contains("reason") || !body["reason"].is_string() ||
      body["reason"].get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::Invalid("reason", "give a reason for the change");
  }
  if (body["reason"].get<std::string>().size() > domain::kMaxNoteLength) {
    return Status::Invalid("reason", "reason must be under 4,000 characters");
  }
  return body["reason"].get<std::string>();
}

// An amendment (reason required) or an update (reason optional) of a record's facts.
Result<AttendanceWrite> ChangeRecord(const Services& s, const Actor& a, const std::string& group_id,
                                     const std::string& record_id, const json& body,
                                     domain::EventKind kind) {
  if (!body.is_object())
    return Status::Error(Code::kMalformed, "", "the body must be a JSON object");
  EventRequest req;
  req.kind = kind;
  req.record_id = record_id;
  auto id = OptionalId(body);
  if (!id.ok()) return id.status();
  req.event_id = *id;
  if (kind == domain::EventKind::kAmend || body.contains("reason")) {
    auto reason = RequiredReason(body);
    if (!reason.ok()) return reason.status();
    req.reason = *reason;
  }
  auto facts = FactsFromJson(body, {"id", "reason"});
  if (!facts.ok()) return facts.status();
  req.facts = *facts;
  // The kind is part of what was asked: an update and an amendment with one id are not a retry.
  req.hash = RequestHash(group_id, record_id + "/" + std::string(domain::ToString(kind)), body);
  return Append(s, a, group_id, req);
}

}  // namespace

Result<AttendanceWrite> RecordAttendance(const Services& s, const Actor& a,
                                         const std::string& group_id, const json& body) {
  if (!body.is_object())
    return Status::Error(Code::kMalformed, "", "the body must be a JSON object");
  EventRequest req;
  auto id = OptionalId(body);
  if (!id.ok()) return id.status();
  req.event_id = *id;
  if (!body.contains("service_user_id") || !body["service_user_id"].is_string() ||
      !IsUuid(body["service_user_id"].get<std::string>())) {
    return Status::Invalid("service_user_id", "service_user_id is required (an id)");
  }
  req.service_user_id = body["service_user_id"].get<std::string>();
  auto facts = FactsFromJson(body, {"id", "service_user_id"});
  if (!facts.ok()) return facts.status();
  req.facts = *facts;
  req.hash = RequestHash(group_id, "", body);
  return Append(s, a, group_id, req);
}

Result<AttendanceWrite> AmendAttendance(const Services& s, const Actor& a,
                                        const std::string& group_id, const std::string& record_id,
                                        const json& body) {
  return ChangeRecord(s, a, group_id, record_id, body, domain::EventKind::kAmend);
}

Result<AttendanceWrite> UpdateAttendance(const Services& s, const Actor& a,
                                         const std::string& group_id, const std::string& record_id,
                                         const json& body) {
  return ChangeRecord(s, a, group_id, record_id, body, domain::EventKind::kUpdate);
}

Result<AttendanceWrite> VoidAttendance(const Services& s, const Actor& a,
                                       const std::string& group_id, const std::string& record_id,
                                       const json& body) {
  if (!body.is_object())
    return Status::Error(Code::kMalformed, "", "the body must be a JSON object");
  for (const auto& [k, _] : body.items()) {
    if (k != "id" && k != "reason") return Status::Invalid(k, k + " is not a field of a void");
  }
  EventRequest req;
  req.kind = domain::EventKind::kVoid;
  req.record_id = record_id;
  auto id = OptionalId(body);
  if (!id.ok()) return id.status();
  req.event_id = *id;
  auto reason = RequiredReason(body);
  if (!reason.ok()) return reason.status();
  req.reason = *reason;
  req.hash = RequestHash(group_id, record_id, body);
  return Append(s, a, group_id, req);
}

Result<json> GetRecord(const Services& s, const Actor& a, const std::string& group_id,
                       const std::string& record_id) {
  if (a.role == Role::kDevice) return Status::Error(Code::kForbidden, "", "devices use sync");
  auto lease = s.reads.Acquire();
  auto group = LoadGroupFor(lease.db(), a, group_id);
  if (!group.ok()) return group.status();
  return ReadBack(lease.db(), a, *group, record_id, s.profile);
}

Result<json> GetRegister(const Services& s, const Actor& a, const std::string& group_id) {
  if (a.role == Role::kDevice) return Status::Error(Code::kForbidden, "", "devices use sync");
  auto lease = s.reads.Acquire();
  store::Db& db = lease.db();
  auto group = LoadGroupFor(db, a, group_id);
  if (!group.ok()) return group.status();
  const domain::SessionWindow window = WindowOf(*group);
  const std::int64_t now = s.clock.NowSeconds();
  const domain::Date today = domain::UkLocalDate(now);

  json placement = LoadRow(db, Spec("placements"), (*group)["placement_id"].get<std::string>());
  json supervisor = LoadRow(db, Spec("supervisors"), (*group)["supervisor_id"].get<std::string>());
  json van = (*group)["van_id"].is_string()
                 ? LoadRow(db, Spec("vans"), (*group)["van_id"].get<std::string>())
                 : json(nullptr);
  auto events = LoadEventsByGroup(db, group_id);
  if (!events.ok()) return events.status();
  std::vector<domain::AttendanceEvent> plain;
  for (const auto& se : *events) plain.push_back(se.event);
  const auto records = domain::FoldEvents(plain);

  json people = json::array();
  store::Stmt& st = db.Prepare(
      "SELECT a.id, a.service_user_id, a.order_id, a.pickup_point, a.pickup_time, p.first_name, "
      "p.last_name, p.risk_flags, p.notes FROM allocation a JOIN service_user p ON p.id = "
      "a.service_user_id WHERE a.work_group_id = ? ORDER BY a.pickup_time, p.last_name, "
      "p.first_name");
  st.Bind(1, group_id);
  std::vector<json> rows;
  while (st.Step()) {
    rows.push_back({{"allocation_id", st.Text(0)},
                    {"service_user_id", st.Text(1)},
                    {"order_id", st.Text(2)},
                    {"pickup_point", st.Json(3)},
                    {"pickup_time", st.Json(4)},
                    {"first_name", st.Text(5)},
                    {"last_name", st.Text(6)},
                    {"risk_flags", json::parse(st.Text(7), nullptr, false)},
                    {"notes", st.Json(8)}});
  }
  if (!st.status().ok()) return st.status();
  std::set<std::string> allocated;
  std::vector<std::string> allocated_in_order;
  std::map<std::string, int> credited;  // the orders' ledgers, computed once for both uses
  for (auto& person : rows) {
    const std::string who = person["service_user_id"].get<std::string>();
    allocated.insert(who);
    allocated_in_order.push_back(who);
    json order = LoadRow(db, Spec("orders"), person["order_id"].get<std::string>());
    auto figures = FiguresOf(db, order, s.profile);
    if (!figures.ok()) return figures.status();
    credited.insert(figures->credited_by_record.begin(), figures->credited_by_record.end());
    person["order"] = OrderFiguresJson(*figures, order, today);
    person["order"]["status"] = order["status"];
    person["order"]["deadline"] = order["deadline"];
    person["record"] = nullptr;
    person["voided_records"] = json::array();
    for (const auto& r : records) {
      if (r.service_user_id != who) continue;
      json rj = RecordJson(a, r, window, *figures);
      if (r.voided) {
        person["voided_records"].push_back(rj);
      } else {
        person["record"] = rj;
      }
    }
    person["needs_outcome"] =
        person["record"].is_null() && now >= window.end && (*group)["status"] != "cancelled";
    people.push_back(person);
  }
  json unallocated = json::array();
  for (const auto& r : records) {
    if (!allocated.count(r.service_user_id)) unallocated.push_back(r.record_id);
  }
  const auto summary = domain::SummariseRegister(allocated_in_order, records, credited);
  return json{{"work_group", *group},
              {"register_open", RegisterOpen(*group)},
              {"summary", SummaryJson(summary)},
              {"placement", placement},
              {"supervisor", {{"id", supervisor["id"]}, {"name", supervisor["name"]}}},
              {"van", van},
              {"session",
               {{"starts", domain::FormatTimestamp(window.start)},
                {"ends", domain::FormatTimestamp(window.end)},
                {"started", now >= window.start},
                {"ended", now >= window.end}}},
              {"people", people},
              {"records_of_people_no_longer_allocated", unallocated}};
}

}  // namespace upw::app
