#include "app/conflicts.h"

#include <algorithm>

#include "app/attendance_codec.h"
#include "app/attendance_write.h"
#include "app/journal.h"
#include "app/resource.h"
#include "domain/attendance.h"

namespace upw::app {

using nlohmann::json;

namespace {

struct EventRow {
  std::string id, record_id, kind, author, recorded_at;
  json facts;
};

std::vector<EventRow> LoadEvents(store::Db& db, const json& ids) {
  std::vector<EventRow> out;
  for (const auto& id : ids) {
    if (!id.is_string()) continue;
    store::Stmt& q = db.Prepare(
        "SELECT id, record_id, kind, author, recorded_at, coalesce(facts, 'null') "
        "FROM attendance_event WHERE id = ?");
    if (q.Bind(1, id.get<std::string>()).Step()) {
      out.push_back({q.Text(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4),
                     json::parse(q.Text(5), nullptr, false)});
    }
    db.ResetStatements();
  }
  return out;
}

json ParseList(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  return j.is_array() ? j : json::array();
}

}  // namespace

Result<json> ListConflicts(const Services& s, const Actor& a) {
  if (a.role != Role::kPlanner && a.role != Role::kAdmin) {
    return Status::Error(Code::kForbidden, "", "planners resolve conflicts");
  }
  auto lease = s.reads.Acquire();
  store::Db& db = lease.db();
  std::vector<json> rows;
  store::Stmt& q = db.Prepare(
      "SELECT c.id, c.kind, c.work_group_id, c.service_user_id, c.record_ids, c.event_ids, "
      "coalesce(c.detail, ''), c.status, coalesce(c.resolution, ''), coalesce(c.resolved_by, ''), "
      "coalesce(p.first_name || ' ' || p.last_name, ''), coalesce(g.session_date, '') "
      "FROM conflict c LEFT JOIN service_user p ON p.id = c.service_user_id "
      "LEFT JOIN work_group g ON g.id = c.work_group_id "
      "ORDER BY c.status = 'resolved', c.created_at");
  while (q.Step()) {
    rows.push_back({{"id", q.Text(0)},
                    {"kind", q.Text(1)},
                    {"work_group_id", q.Text(2)},
                    {"service_user_id", q.Text(3)},
                    {"record_ids", ParseList(q.Text(4))},
                    {"event_ids", ParseList(q.Text(5))},
                    {"detail", q.Text(6)},
                    {"open", q.Text(7) == "open"},
                    {"resolution", q.Text(8)},
                    {"resolved_by", q.Text(9)},
                    {"person", q.Text(10)},
                    {"session_date", q.Text(11)}});
  }
  db.ResetStatements();
  json out = json::array();
  for (auto& c : rows) {
    json events = json::array();
    for (const auto& e : LoadEvents(db, c["event_ids"])) {
      const json& f = e.facts;
      events.push_back(
          {{"id", e.id},
           {"record_id", e.record_id},
           {"kind", e.kind},
           {"author", e.author},
           {"recorded_at", e.recorded_at},
           {"outcome", f.is_object() ? f.value("outcome", "") : ""},
           {"sign_in", f.is_object() && f.contains("sign_in") && f["sign_in"].is_string()
                           ? f["sign_in"].get<std::string>()
                           : ""},
           {"sign_out", f.is_object() && f.contains("sign_out") && f["sign_out"].is_string()
                            ? f["sign_out"].get<std::string>()
                            : ""}});
    }
    c["events"] = events;
    out.push_back(c);
  }
  return out;
}

Status ResolveConflict(const Services& s, const Actor& a, const std::string& conflict_id,
                       const std::string& keep_event_id) {
  if (a.role != Role::kPlanner && a.role != Role::kAdmin) {
    return Status::Error(Code::kForbidden, "", "planners resolve conflicts");
  }
  return s.writer.Run([&](store::WriteContext& ctx) -> Status {
    store::Db& db = ctx.db();
    store::Stmt& q = db.Prepare(
        "SELECT work_group_id, record_ids, event_ids, status FROM conflict WHERE id = ?");
    if (!q.Bind(1, conflict_id).Step()) {
      return Status::Error(Code::kNotFound, "id", "no such conflict");
    }
    const std::string group_id = q.Text(0);
    const json record_ids = ParseList(q.Text(1));
    const json event_ids = ParseList(q.Text(2));
    const bool open = q.Text(3) == "open";
    db.ResetStatements();
    if (!open) return Status::Error(Code::kConflict, "id", "this conflict was already resolved");
    const auto events = LoadEvents(db, event_ids);
    auto kept = std::find_if(events.begin(), events.end(),
                             [&](const EventRow& e) { return e.id == keep_event_id; });
    if (kept == events.end()) {
      return Status::Invalid("keep", "choose one of the versions in this conflict");
    }
    const json group = LoadRow(db, Spec("work-groups"), group_id);
    if (group.is_null()) return Status::Error(Code::kNotFound, "id", "the work group is not here");
    const std::string reason = "Conflict resolved by " + a.username + ": the version recorded by " +
                               kept->author + " at " + kept->recorded_at + " stands";
    // Records other than the kept one are voided (still in the history, credited nothing).
    for (const auto& r : record_ids) {
      if (!r.is_string() || r.get<std::string>() == kept->record_id) continue;
      EventRequest req;
      req.kind = domain::EventKind::kVoid;
      req.record_id = r.get<std::string>();
      req.reason = reason;
      req.resolves = conflict_id;
      req.hash = "resolve:" + conflict_id + ":void:" + req.record_id;
      std::string record;
      bool replayed = false;
      Status v = AppendEvent(ctx, a, group, req, &record, &replayed);
      // A record voided already needs nothing more.
      if (!v.ok() && v.code() != Code::kConflict) return v;
    }
    // The kept version becomes the record's latest, unless it already is.
    store::Stmt& head =
        db.Prepare("SELECT id FROM attendance_event WHERE record_id = ? ORDER BY seq DESC LIMIT 1");
    const std::string latest = head.Bind(1, kept->record_id).Step() ? head.Text(0) : "";
    db.ResetStatements();
    if (latest != kept->id && kept->kind != "void" && kept->facts.is_object()) {
      auto facts = FactsFromJson(kept->facts, {"evidence_expected"});
      if (!facts.ok()) return facts.status();
      EventRequest req;
      req.kind = domain::EventKind::kAmend;
      req.record_id = kept->record_id;
      req.facts = *facts;
      req.reason = reason;
      req.resolves = conflict_id;
      req.hash = "resolve:" + conflict_id + ":amend";
      std::string record;
      bool replayed = false;
      if (Status m = AppendEvent(ctx, a, group, req, &record, &replayed); !m.ok()) return m;
    }
    Status up = db.Prepare(
                      "UPDATE conflict SET status = 'resolved', resolution = ?, resolved_by = ?, "
                      "resolved_at = ?, version = version + 1, updated_at = ? WHERE id = ?")
                    .Bind(1, reason)
                    .Bind(2, a.username)
                    .Bind(3, ctx.now_text())
                    .Bind(4, ctx.now_text())
                    .Bind(5, conflict_id)
                    .Run();
    if (!up.ok()) return up;
    const json payload = {{"id", conflict_id},
                          {"status", "resolved"},
                          {"resolution", reason},
                          {"resolved_by", a.username},
                          {"resolved_at", ctx.now_text()}};
    return Journal(ctx, a,
                   {"conflict.resolve",
                    "conflict",
                    conflict_id,
                    {{"kept", keep_event_id}},
                    "upsert",
                    payload,
                    {"status", "resolution", "resolved_by", "resolved_at"}});
  });
}

}  // namespace upw::app
