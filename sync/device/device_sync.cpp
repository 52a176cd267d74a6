#include "device_sync.h"

#include <spdlog/spdlog.h>

#include "app/actor.h"
#include "app/journal.h"
#include "domain/civil_time.h"
#include "entities.h"
#include "hub_client.h"
#include "local_store.h"
#include "store/migrations.h"
#include "wire.h"

namespace upw::sync {

using nlohmann::json;

struct DeviceSync::State {
  std::string hub_url, hub_device_id, secret, kind, van_id, status, last_batch, pin, last_scope_at;
  std::int64_t acked_seq = 0, batched_seq = 0, pull_cursor = 0;
  std::string authorization() const { return "Bearer " + hub_device_id + "." + secret; }
};

namespace {

constexpr std::int64_t kScopeCheckEverySeconds = 10 * 60;
constexpr std::size_t kMaxOpsPerBatch = 5000;

std::string Str(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                                                : std::string();
}

std::string ProblemDetail(const std::string& body) {
  json p = json::parse(body, nullptr, false);
  std::string detail = Str(p, "detail");
  return detail.empty() ? body.substr(0, 200) : detail;
}

// Ops of an upsert carry only the fields the action changed (all, for a create).
json UpsertFields(const EntityDef& def, const json& payload, const std::string& fields_text) {
  json f = json::object();
  json listed = fields_text.empty() ? json() : json::parse(fields_text, nullptr, false);
  for (const auto& name : def.fields) {
    if (!payload.contains(name)) continue;
    if (listed.is_array() && std::find(listed.begin(), listed.end(), name) == listed.end()) {
      continue;
    }
    f[name] = payload[name];
  }
  return f;
}

int CurrentSchema() {
  const auto& m = store::EmbeddedMigrations();
  return m.empty() ? 0 : m.back().version;
}

}  // namespace

json SyncReport::ToJson() const {
  return {{"ok", ok},
          {"error", error},
          {"must_enrol", must_enrol},
          {"not_enrolled", not_enrolled},
          {"batches", batches},
          {"ops_pushed", ops_pushed},
          {"rejected", rejected},
          {"conflicts", conflicts},
          {"changes_pulled", changes_pulled},
          {"units_checked", units_checked},
          {"units_repaired", units_repaired},
          {"rows_skipped", rows_skipped},
          {"redacted", redacted},
          {"bytes_sent", bytes_sent},
          {"bytes_received", bytes_received}};
}

DeviceSync::DeviceSync(const app::Services& services) : s_(services) {}

Result<DeviceSync::State> DeviceSync::LoadState() {
  auto lease = s_.reads.Acquire();
  store::Stmt& q = lease->Prepare(
      "SELECT hub_url, hub_device_id, secret, kind, van_id, status, last_batch, "
      "coalesce(hub_pin, ''), coalesce(last_scope_at, ''), acked_seq, batched_seq, pull_cursor "
      "FROM sync_state WHERE id = 1");
  if (!q.Step()) {
    if (!q.status().ok()) return q.status();
    return Status::Error(Code::kNotFound, "sync",
                         "this device is not enrolled with a hub: run upw enrol");
  }
  State st{q.Text(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4), q.Text(5),
           q.Text(6), q.Text(7), q.Text(8), q.Int(9),  q.Int(10), q.Int(11)};
  return st;
}

Result<json> DeviceSync::Enrol(const std::string& hub_url, const std::string& code,
                               const std::string& pin) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string url = hub_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return Status::Invalid("hub",
                           "the hub's address starts with https:// (or http:// on a test "
                           "network)");
  }
  // Everything the hub has not answered is sent again under the new enrolment.
  std::int64_t acked = 0;
  {
    auto lease = s_.reads.Acquire();
    store::Stmt& q = lease->Prepare("SELECT acked_seq FROM sync_state WHERE id = 1");
    if (q.Step()) acked = q.Int(0);
  }
  HubRequest req;
  req.method = "POST";
  req.url = url + "/sync/v1/enrol";
  req.body = json{{"code", code}, {"schema", CurrentSchema()}, {"first_seq", acked + 1}}.dump();
  req.device_ms = s_.clock.NowMs();
  const bool tls = url.rfind("https://", 0) == 0;
  req.pin = pin;
  if (tls && pin.empty()) req.insecure_first_contact = true;
  HubReply reply = Send(req);
  if (reply.status == 0) {
    return Status::Error(Code::kUnavailable, "hub", "the hub did not answer: " + reply.error);
  }
  if (reply.status != 200) {
    json p = json::parse(reply.body, nullptr, false);
    const std::string field = Str(p, "field").empty() ? "code" : Str(p, "field");
    return Status::Error(reply.status == 401 ? Code::kUnauthenticated : Code::kConflict, field,
                         ProblemDetail(reply.body));
  }
  json out = json::parse(reply.body, nullptr, false);
  if (Str(out, "device_id").empty() || Str(out, "secret").empty()) {
    return Status::Error(Code::kUnavailable, "hub", "the hub's answer was not an enrolment");
  }
  const std::string pinned = !pin.empty() ? pin : Str(out, "pin");
  if (tls && pinned.rfind("sha256//", 0) != 0) {
    return Status::Error(Code::kUnavailable, "pin",
                         "the hub named no key to pin: it must serve with --tls-cert");
  }
  if (tls && pin.empty()) {
    spdlog::warn("sync: pinned the hub's key {} on first contact; check it with head office",
                 pinned);
  }
  Status w = s_.writer.Run([&](store::WriteContext& ctx) -> Status {
    ctx.ObserveHlc(Str(out, "hlc"));
    // Any batch of an earlier enrolment that was never answered is abandoned: its ops go again.
    Status s = ctx.db()
                   .Prepare(
                       "INSERT INTO sync_state(id, hub_url, hub_device_id, secret, name, kind, "
                       "van_id, status, acked_seq, batched_seq, last_batch, pull_cursor, "
                       "enrolled_at, hub_pin) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7, ?7, "
                       "'', 0, ?8, ?9) ON CONFLICT(id) DO UPDATE SET hub_url = ?1, "
                       "hub_device_id = ?2, secret = ?3, name = ?4, kind = ?5, van_id = ?6, "
                       "status = 'active', status_detail = NULL, acked_seq = ?7, batched_seq = ?7, "
                       "last_batch = '', enrolled_at = ?8, last_error = NULL, hub_pin = ?9")
                   .Bind(1, url)
                   .Bind(2, Str(out, "device_id"))
                   .Bind(3, Str(out, "secret"))
                   .Bind(4, Str(out, "name"))
                   .Bind(5, Str(out, "kind"))
                   .Bind(6, Str(out, "van_id"))
                   .Bind(7, acked)
                   .Bind(8, ctx.now_text())
                   .BindJson(9, tls ? json(pinned) : json(nullptr))
                   .Run();
    if (!s.ok()) return s;
    return app::AuditOnly(ctx, app::SystemActor(), "sync.enrol", "sync_state", "1",
                          {{"hub", url},
                           {"hub_device_id", Str(out, "device_id")},
                           {"name", Str(out, "name")},
                           {"kind", Str(out, "kind")}});
  });
  if (!w.ok()) return w;
  out.erase("secret");
  return out;
}

bool DeviceSync::Refused(int status, const std::string& body, SyncReport& r) {
  const std::string detail = ProblemDetail(body);
  json p = json::parse(body, nullptr, false);
  const std::string field = Str(p, "field");
  const bool refused = status == 401 || status == 403 ||
                       (status == 409 && (field == "sequence" || field == "schema"));
  r.error = "the hub answered " + std::to_string(status) + ": " + detail;
  if (!refused) return false;
  r.must_enrol = true;
  s_.writer.Run([&](store::WriteContext& ctx) -> Status {
    return ctx.db()
        .Prepare("UPDATE sync_state SET status = 'must_enrol', status_detail = ? WHERE id = 1")
        .Bind(1, detail)
        .Run();
  });
  spdlog::warn("sync: the hub refused this device: {}", detail);
  return true;
}

bool DeviceSync::Call(HubConnection& conn, const State& st, const std::string& path,
                      const std::string* batch, SyncReport& r, std::string* body,
                      std::int64_t* sent_ms) {
  HubRequest req;
  req.url = st.hub_url + path;
  if (batch != nullptr) {
    req.method = "POST";
    req.body = *batch;
    req.content_encoding = "deflate";
    req.content_type = "application/vnd.upw.batch+json";
  }
  req.authorization = st.authorization();
  req.pin = st.pin;
  req.device_ms = s_.clock.NowMs();
  if (sent_ms != nullptr) *sent_ms = req.device_ms;
  HubReply reply = conn.Send(req);
  r.bytes_sent += reply.sent_bytes;
  r.bytes_received += reply.received_bytes;
  if (reply.status == 0) {
    r.error = "the hub did not answer: " + reply.error;
    return false;
  }
  if (reply.status != 200) {
    Refused(reply.status, reply.body, r);
    return false;
  }
  *body = std::move(reply.body);
  return true;
}

bool DeviceSync::PushAll(HubConnection& conn, const State& initial, SyncReport& r) {
  State st = initial;
  for (;;) {
    // The batch to send: the one already fixed and unanswered, or a new one fixed now.
    std::string batch_id, body;
    std::int64_t first = 0, last = 0;
    {
      Status b = s_.writer.Run([&](store::WriteContext& ctx) -> Status {
        store::Db& db = ctx.db();
        // At most one batch is in flight: while it is unanswered it is sent again, unchanged.
        store::Stmt& pending = db.Prepare(
            "SELECT batch_id, body, first_seq, last_seq FROM sync_batch WHERE hub_device_id = ? "
            "AND answered_at IS NULL ORDER BY first_seq LIMIT 1");
        if (pending.Bind(1, st.hub_device_id).Step()) {
          batch_id = pending.Text(0);
          body = pending.Text(1);
          first = pending.Int(2);
          last = pending.Int(3);
          db.ResetStatements();
          return Status::Ok();
        }
        db.ResetStatements();
        store::Stmt& q = db.Prepare(
            "SELECT seq, entity, entity_id, op, payload, hlc, coalesce(fields, '') FROM outbox "
            "WHERE seq > (SELECT batched_seq FROM sync_state WHERE id = 1) ORDER BY seq LIMIT ?");
        q.Bind(1, static_cast<std::int64_t>(kMaxOpsPerBatch));
        json list = json::array();
        std::size_t bytes = 0;
        while (bytes < kBatchJsonBytes && q.Step()) {
          const std::int64_t seq = q.Int(0);
          const std::string entity = q.Text(1);
          json payload = json::parse(q.Text(4), nullptr, false);
          json op = {{"s", seq}, {"h", q.Text(5)}, {"e", entity}};
          if (q.Text(3) == "append") {
            op["p"] = payload;
          } else {
            op["i"] = q.Text(2);
            const EntityDef* def = FindEntity(entity);
            op["f"] = def ? UpsertFields(*def, payload, q.Text(6)) : json::object();
          }
          bytes += op.dump().size();
          if (first == 0) first = seq;
          last = seq;
          list.push_back(std::move(op));
        }
        if (!q.status().ok()) return q.status();
        db.ResetStatements();
        if (list.empty()) return Status::Ok();
        // The hub applies batches in a chain: each names the one before it in this enrolment.
        store::Stmt& prev = db.Prepare(
            "SELECT batch_id FROM sync_batch WHERE hub_device_id = ? ORDER BY last_seq DESC "
            "LIMIT 1");
        const std::string prev_batch = prev.Bind(1, st.hub_device_id).Step() ? prev.Text(0) : "";
        db.ResetStatements();
        batch_id = ctx.NewId();
        body = Deflate(json{
            {"v", kProtocolVersion},
            {"batch", batch_id},
            {"prev", prev_batch},
            {"first", first},
            {"last", last},
            {"schema", CurrentSchema()},
            {"ops", list}}.dump());
        Status s = db.Prepare(
                         "INSERT INTO sync_batch(batch_id, hub_device_id, prev, first_seq, "
                         "last_seq, body, created_at) VALUES (?,?,?,?,?,?,?)")
                       .Bind(1, batch_id)
                       .Bind(2, st.hub_device_id)
                       .Bind(3, prev_batch)
                       .Bind(4, first)
                       .Bind(5, last)
                       .BindBlob(6, body)
                       .Bind(7, ctx.now_text())
                       .Run();
        if (!s.ok()) return s;
        s = db.Prepare("UPDATE outbox SET sent_batch = ? WHERE seq BETWEEN ? AND ?")
                .Bind(1, batch_id)
                .Bind(2, first)
                .Bind(3, last)
                .Run();
        if (!s.ok()) return s;
        return db.Prepare("UPDATE sync_state SET batched_seq = ? WHERE id = 1").Bind(1, last).Run();
      });
      if (!b.ok()) {
        r.error = "could not prepare a batch: " + b.message();
        return false;
      }
      if (batch_id.empty()) return true;  // nothing left to send
    }
    std::string reply_body;
    std::int64_t sent_ms = 0;
    if (!Call(conn, st, "/sync/v1/push", &body, r, &reply_body, &sent_ms)) return false;
    json answer = json::parse(reply_body, nullptr, false);
    if (Str(answer, "batch") != batch_id) {
      r.error = "the hub's answer was for another batch";
      return false;
    }
    const auto& rejected = answer.value("rejected", json::array());
    Status a = s_.writer.Run([&](store::WriteContext& ctx) -> Status {
      store::Db& db = ctx.db();
      ctx.ObserveHlc(Str(answer, "hlc"));
      Status s = db.Prepare(
                       "UPDATE sync_batch SET answered_at = ?, answer = ?, sends = sends + 1 "
                       "WHERE batch_id = ?")
                     .Bind(1, ctx.now_text())
                     .Bind(2, reply_body)
                     .Bind(3, batch_id)
                     .Run();
      if (!s.ok()) return s;
      s = db.Prepare("UPDATE outbox SET acked_at = ? WHERE seq BETWEEN ? AND ?")
              .Bind(1, ctx.now_text())
              .Bind(2, first)
              .Bind(3, last)
              .Run();
      if (!s.ok()) return s;
      for (const auto& rej : rejected) {
        const std::int64_t seq = rej.value("s", std::int64_t{0});
        store::Stmt& op = db.Prepare("SELECT entity, entity_id FROM outbox WHERE seq = ?");
        const bool found = op.Bind(1, seq).Step();
        const std::string entity = found ? op.Text(0) : "";
        const std::string entity_id = found ? op.Text(1) : "";
        db.ResetStatements();
        s = db.Prepare(
                  "INSERT OR IGNORE INTO sync_rejected(seq, batch_id, entity, entity_id, field, "
                  "reason, rejected_at) VALUES (?,?,?,?,?,?,?)")
                .Bind(1, seq)
                .Bind(2, batch_id)
                .Bind(3, entity)
                .Bind(4, entity_id)
                .Bind(5, Str(rej, "field"))
                .Bind(6, Str(rej, "reason"))
                .Bind(7, ctx.now_text())
                .Run();
        if (!s.ok()) return s;
      }
      const std::int64_t offset = answer.contains("ms") && answer["ms"].is_number_integer()
                                      ? sent_ms - answer["ms"].get<std::int64_t>()
                                      : 0;
      return db
          .Prepare(
              "UPDATE sync_state SET acked_seq = ?, last_batch = ?, last_good_at = ?, "
              "clock_offset_ms = ? WHERE id = 1")
          .Bind(1, last)
          .Bind(2, batch_id)
          .Bind(3, ctx.now_text())
          .Bind(4, offset)
          .Run();
    });
    if (!a.ok()) {
      r.error = "could not record the hub's answer: " + a.message();
      return false;
    }
    ++r.batches;
    r.ops_pushed += static_cast<int>(last - first + 1);
    r.rejected += static_cast<int>(rejected.size());
    r.conflicts += static_cast<int>(answer.value("conflicts", json::array()).size());
    st.last_batch = batch_id;
  }
}

bool DeviceSync::PullAll(HubConnection& conn, SyncReport& r) {
  for (int page = 0; page < 10000; ++page) {
    auto st = LoadState();
    if (!st.ok()) {
      r.error = st.status().message();
      return false;
    }
    std::string text;
    if (!Call(conn, *st, "/sync/v1/pull?after=" + std::to_string(st->pull_cursor), nullptr, r,
              &text)) {
      return false;
    }
    json body = json::parse(text, nullptr, false);
    if (!body.is_object() || !body.contains("next") || !body["next"].is_number_integer()) {
      r.error = "the hub's page of changes was not readable";
      return false;
    }
    int applied = 0, skipped = 0;
    Status a = s_.writer.Run([&](store::WriteContext& ctx) -> Status {
      store::Db& db = ctx.db();
      ctx.ObserveHlc(Str(body, "hlc"));
      for (const auto& c : body.value("changes", json::array())) {
        const std::string entity = Str(c, "e");
        Status s;
        if (entity == kEventEntity) {
          s = InSavepoint(db, [&] { return ApplyEvent(ctx, c["b"]); });
        } else if (const EntityDef* def = FindEntity(entity)) {
          s = InSavepoint(
              db, [&] { return ApplyEntity(ctx, *def, Str(c, "i"), c["b"], st->acked_seq); });
        }
        if (s.code() == Code::kUnavailable) return s;
        // A row whose references this device does not hold yet: the scope check fetches its
        // whole unit.
        s.ok() ? ++applied : ++skipped;
      }
      Status s = db.Prepare("UPDATE sync_state SET pull_cursor = ? WHERE id = 1")
                     .Bind(1, body["next"].get<std::int64_t>())
                     .Run();
      if (!s.ok() || applied + skipped == 0) return s;
      return app::AuditOnly(ctx, app::SystemActor(), "sync.pull", "sync_state", "1",
                            {{"applied", applied}, {"skipped", skipped}, {"cursor", body["next"]}});
    });
    if (!a.ok()) {
      r.error = "could not apply the hub's changes: " + a.message();
      return false;
    }
    r.changes_pulled += applied;
    r.rows_skipped += skipped;
    if (!body.value("more", false)) return true;
  }
  return true;
}

bool DeviceSync::CheckScope(HubConnection& conn, SyncReport& r) {
  auto st = LoadState();
  if (!st.ok()) {
    r.error = st.status().message();
    return false;
  }
  auto get = [&](const std::string& path, json* out) {
    std::string text;
    if (!Call(conn, *st, path, nullptr, r, &text)) return false;
    *out = json::parse(text, nullptr, false);
    return out->is_object();
  };
  json scope;
  if (!get("/sync/v1/scope", &scope)) return false;
  std::vector<std::pair<std::string, std::string>> units = {{"ref", Str(scope, "ref")}};
  std::vector<std::string> groups;
  for (const auto& u : scope.value("units", json::array())) {
    units.push_back({Str(u, "u"), Str(u, "sum")});
    groups.push_back(Str(u, "u"));
  }
  for (const auto& [unit, sum] : units) {
    ++r.units_checked;
    std::string local;
    {
      auto lease = s_.reads.Acquire();
      local = LocalUnitChecksum(lease.db(), unit);
    }
    if (local == sum) continue;
    json snap;
    if (!get("/sync/v1/scope/" + unit, &snap)) return false;
    int failed = 0;
    Status a = s_.writer.Run([&](store::WriteContext& ctx) -> Status {
      auto applied = ApplySnapshot(ctx, snap, st->acked_seq);
      if (!applied.ok()) return applied.status();
      failed = *applied;
      return app::AuditOnly(ctx, app::SystemActor(), "sync.repair", "scope_unit", unit,
                            {{"rows_not_applied", failed}});
    });
    if (!a.ok()) {
      r.error = "could not apply a scope snapshot: " + a.message();
      return false;
    }
    ++r.units_repaired;
    r.rows_skipped += failed;
  }
  Status done = s_.writer.Run([&](store::WriteContext& ctx) -> Status {
    if (st->kind == "van") {
      auto n = RedactLeavers(ctx, groups, st->acked_seq);
      if (!n.ok()) return n.status();
      r.redacted = *n;
      if (*n > 0) {
        if (Status s = app::AuditOnly(ctx, app::SystemActor(), "sync.redact", "service_user", "*",
                                      {{"people", *n}});
            !s.ok()) {
          return s;
        }
      }
    }
    return ctx.db()
        .Prepare("UPDATE sync_state SET last_scope_at = ? WHERE id = 1")
        .Bind(1, ctx.now_text())
        .Run();
  });
  if (!done.ok()) {
    r.error = "could not finish the scope check: " + done.message();
    return false;
  }
  return true;
}

void DeviceSync::RecordAttempt(const SyncReport& r) {
  s_.writer.Run([&](store::WriteContext& ctx) -> Status {
    store::Stmt& s = ctx.db().Prepare(
        r.ok ? "UPDATE sync_state SET last_attempt_at = ?1, last_good_at = ?1, last_error = NULL "
               "WHERE id = 1"
             : "UPDATE sync_state SET last_attempt_at = ?1, last_error = ?2 WHERE id = 1");
    s.Bind(1, ctx.now_text());
    if (!r.ok) s.Bind(2, r.error);
    return s.Run();
  });
}

SyncReport DeviceSync::SyncOnce(bool check_scope) {
  std::lock_guard<std::mutex> lock(mu_);
  SyncReport r;
  auto st = LoadState();
  if (!st.ok()) {
    r.not_enrolled = true;
    r.error = st.status().message();
    return r;
  }
  if (st->status != "active") {
    r.must_enrol = true;
    r.error = "the hub refused this device: enrol it again with a new code";
    return r;
  }
  HubConnection conn;
  bool ok = PushAll(conn, *st, r) && PullAll(conn, r);
  if (ok) {
    const auto last = domain::ParseTimestamp(st->last_scope_at);
    if (check_scope || !last || s_.clock.NowSeconds() - *last >= kScopeCheckEverySeconds ||
        r.rows_skipped > 0) {
      ok = CheckScope(conn, r);
    }
  }
  r.ok = ok;
  RecordAttempt(r);
  return r;
}

Result<json> DeviceSync::StatusJson() {
  auto lease = s_.reads.Acquire();
  store::Db& db = lease.db();
  json out = {{"enrolled", false}};
  store::Stmt& q = db.Prepare(
      "SELECT hub_url, hub_device_id, name, kind, van_id, status, coalesce(status_detail, ''), "
      "acked_seq, pull_cursor, enrolled_at, coalesce(last_attempt_at, ''), "
      "coalesce(last_good_at, ''), coalesce(last_error, ''), clock_offset_ms, "
      "coalesce(last_scope_at, '') FROM sync_state WHERE id = 1");
  std::int64_t acked = 0;
  if (q.Step()) {
    acked = q.Int(7);
    out = {{"enrolled", true},
           {"hub_url", q.Text(0)},
           {"hub_device_id", q.Text(1)},
           {"name", q.Text(2)},
           {"kind", q.Text(3)},
           {"van_id", q.Text(4)},
           {"status", q.Text(5)},
           {"status_detail", q.Text(6)},
           {"pull_cursor", q.Int(8)},
           {"enrolled_at", q.Text(9)},
           {"last_attempt_at", q.Text(10)},
           {"last_good_at", q.Text(11)},
           {"last_error", q.Text(12)},
           {"clock_offset_ms", q.IsNull(13) ? json(nullptr) : json(q.Int(13))},
           {"last_scope_at", q.Text(14)}};
  }
  db.ResetStatements();
  store::Stmt& depth = db.Prepare("SELECT count(*), min(created_at) FROM outbox WHERE seq > ?");
  if (depth.Bind(1, acked).Step()) {
    out["queue_depth"] = depth.Int(0);
    out["oldest_unsent_at"] = depth.IsNull(1) ? json(nullptr) : json(depth.Text(1));
  }
  db.ResetStatements();
  json conflicts = json::array();
  store::Stmt& c = db.Prepare(
      "SELECT id, kind, work_group_id, service_user_id, record_ids, event_ids, "
      "coalesce(detail, ''), status, coalesce(resolution, ''), coalesce(resolved_by, ''), "
      "version FROM conflict ORDER BY status = 'resolved', created_at");
  while (c.Step()) {
    conflicts.push_back({{"id", c.Text(0)},
                         {"kind", c.Text(1)},
                         {"work_group_id", c.Text(2)},
                         {"service_user_id", c.Text(3)},
                         {"record_ids", json::parse(c.Text(4), nullptr, false)},
                         {"event_ids", json::parse(c.Text(5), nullptr, false)},
                         {"detail", c.Text(6)},
                         {"status", c.Text(7)},
                         {"resolution", c.Text(8)},
                         {"resolved_by", c.Text(9)},
                         {"version", c.Int(10)}});
  }
  out["conflicts"] = conflicts;
  json rejected = json::array();
  store::Stmt& rj = db.Prepare(
      "SELECT seq, entity, entity_id, coalesce(field, ''), reason, rejected_at FROM sync_rejected "
      "ORDER BY seq DESC LIMIT 200");
  while (rj.Step()) {
    rejected.push_back({{"seq", rj.Int(0)},
                        {"entity", rj.Text(1)},
                        {"entity_id", rj.Text(2)},
                        {"field", rj.Text(3)},
                        {"reason", rj.Text(4)},
                        {"rejected_at", rj.Text(5)}});
  }
  out["rejected"] = rejected;
  db.ResetStatements();
  return out;
}

}  // namespace upw::sync
