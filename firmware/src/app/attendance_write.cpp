#include "app/attendance_write.h"

#include "app/attendance_codec.h"
#include "app/group_access.h"
#include "app/journal.h"
#include "app/order_figures.h"
#include "app/resource.h"
#include "domain/orders.h"

namespace upw::app {

using nlohmann::json;

bool RegisterOpen(const json& group) { return group["status"] == "planned"; }

bool MaySeeSensitive(const Actor& a, const std::string& record_author) {
  return a.role == Role::kPlanner || a.role == Role::kAdmin || a.username == record_author;
}

Status AppendEvent(store::WriteContext& ctx, const Actor& a, const json& group,
                   const EventRequest& req, std::string* record_id, bool* replayed) {
  store::Db& db = ctx.db();
  const std::string group_id = group["id"].get<std::string>();
  if (group["status"] == "cancelled") {
    return Status::Error(Code::kConflict, "work_group_id", "the group was cancelled");
  }
  if (req.kind == domain::EventKind::kUpdate && !RegisterOpen(group)) {
    return Status::Error(Code::kConflict, "reason",
                         "the session is closed: change the record with an amendment and a reason");
  }
  if (!req.event_id.empty()) {
    store::Stmt& seen =
        db.Prepare("SELECT record_id, request_hash FROM attendance_event WHERE id = ?");
    if (seen.Bind(1, req.event_id).Step()) {
      if (seen.Text(1) != req.hash) {
        return Status::Error(Code::kConflict, "id",
                             "this id was already used for a different request");
      }
      *record_id = seen.Text(0);
      *replayed = true;
      return Status::Ok();
    }
  }
  auto stored = LoadEventsByGroup(db, group_id);
  if (!stored.ok()) return stored.status();
  std::vector<domain::AttendanceEvent> plain;
  for (const auto& se : *stored) plain.push_back(se.event);
  const auto records = domain::FoldEvents(plain);

  domain::AttendanceEvent e;
  e.id = req.event_id.empty() ? ctx.NewId() : req.event_id;
  e.kind = req.kind;
  e.record_id = req.kind == domain::EventKind::kRecord ? e.id : req.record_id;
  e.facts = req.facts;
  e.reason = req.reason;
  e.author = a.username;
  e.recorded_at = ctx.now_seconds();
  std::string order_id;
  if (req.kind == domain::EventKind::kRecord) {
    e.service_user_id = req.service_user_id;
    store::Stmt& alloc = db.Prepare(
        "SELECT order_id FROM allocation WHERE work_group_id = ? AND service_user_id = ?");
    if (!alloc.Bind(1, group_id).Bind(2, req.service_user_id).Step()) {
      return Status::Invalid("service_user_id", "this person is not allocated to this work group");
    }
    order_id = alloc.Text(0);
  } else {
    for (const auto& se : *stored) {
      if (se.event.record_id == req.record_id) {
        e.service_user_id = se.event.service_user_id;
        order_id = se.order_id;
      }
    }
  }
  if (Status fits = domain::CheckEventFits(records, e); !fits.ok()) return fits;
  // The record's latest event as this device knows it: the hub flags a change made without
  // having seen a newer one (from another device) as a conflict.
  std::string base_event_id;
  for (const auto& r : records) {
    if (r.record_id == e.record_id && !r.history.empty()) base_event_id = r.history.back().id;
  }
  // Nobody erases what they were not shown: a change by someone from whom the record's sensitive
  // note was withheld (a sign-out tap, the record form) keeps that note as it was.
  for (const auto& r : records) {
    if (r.record_id != e.record_id || r.voided || e.kind == domain::EventKind::kRecord) continue;
    if (r.facts.note_sensitive && !MaySeeSensitive(a, r.history.front().author) &&
        e.facts.note.empty()) {
      e.facts.note = r.facts.note;
      e.facts.note_sensitive = true;
    }
  }
  if (req.kind != domain::EventKind::kVoid) {
    if (Status v =
            domain::ValidateFacts(e.facts, WindowOf(group), ctx.now_seconds(), RegisterOpen(group));
        !v.ok())
      return v;
  }
  json order = LoadRow(db, Spec("orders"), order_id);
  const auto status = domain::ParseOrderStatus(order["status"].get<std::string>());
  if (req.kind == domain::EventKind::kRecord && domain::IsAttended(e.facts.outcome) &&
      !domain::AcceptsWork(*status)) {
    return Status::Error(
        Code::kConflict, "service_user_id",
        "the order is " + order["status"].get<std::string>() + " and takes no more hours");
  }
  const json facts = req.kind == domain::EventKind::kVoid ? json(nullptr) : FactsToJson(e.facts);
  Status ins = db.Prepare(
                     "INSERT INTO attendance_event(id, record_id, kind, work_group_id, "
                     "service_user_id, order_id, facts, reason, author_user_id, author, device_id, "
                     "recorded_at, request_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
                   .Bind(1, e.id)
                   .Bind(2, e.record_id)
                   .Bind(3, domain::ToString(e.kind))
                   .Bind(4, group_id)
                   .Bind(5, e.service_user_id)
                   .Bind(6, order_id)
                   .BindJson(7, facts.is_null() ? json(nullptr) : json(facts.dump()))
                   .BindJson(8, e.reason.empty() ? json(nullptr) : json(e.reason))
                   .Bind(9, a.user_id)
                   .Bind(10, a.username)
                   .Bind(11, ctx.device_id())
                   .Bind(12, domain::FormatTimestamp(e.recorded_at))
                   .Bind(13, req.hash)
                   .Run();
  if (!ins.ok()) return ins;
  json payload = {{"id", e.id},
                  {"record_id", e.record_id},
                  {"kind", domain::ToString(e.kind)},
                  {"work_group_id", group_id},
                  {"service_user_id", e.service_user_id},
                  {"order_id", order_id},
                  {"facts", facts},
                  {"reason", e.reason},
                  {"author", a.username},
                  {"author_user_id", a.user_id},
                  {"device_id", ctx.device_id()},
                  {"recorded_at", domain::FormatTimestamp(e.recorded_at)}};
  if (!base_event_id.empty()) payload["base_event_id"] = base_event_id;
  if (!req.resolves.empty()) payload["resolves"] = req.resolves;
  if (Status j = Journal(ctx, a,
                         {"attendance." + std::string(domain::ToString(e.kind)), "attendance_event",
                          e.record_id, payload, "append", payload});
      !j.ok()) {
    return j;
  }
  *record_id = e.record_id;
  return Status::Ok();
}

}  // namespace upw::app
