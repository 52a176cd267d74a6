#include "local_store.h"

#include <map>
#include <mutex>

#include "checksum.h"

namespace upw::sync {

using nlohmann::json;

namespace {

// Column names of a table (the schema does not change while the service runs).
const std::set<std::string>& Columns(store::Db& db, const std::string& table) {
  static std::mutex mu;
  static std::map<std::string, std::set<std::string>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(table);
  if (it != cache.end()) return it->second;
  std::set<std::string> cols;
  store::Stmt& s = db.Prepare("SELECT name FROM pragma_table_info(?)");
  s.Bind(1, table);
  while (s.Step()) cols.insert(s.Text(0));
  return cache.emplace(table, std::move(cols)).first->second;
}

json RowJson(store::Stmt& s) {
  json row = json::object();
  for (int c = 0; c < s.Columns(); ++c) row[s.Name(c)] = s.Json(c);
  return row;
}

std::vector<json> Rows(store::Db& db, const std::string& sql, const std::string& arg = "") {
  store::Stmt& s = db.Prepare(sql);
  if (!arg.empty()) s.Bind(1, arg);
  std::vector<json> out;
  while (s.Step()) out.push_back(RowJson(s));
  return out;
}

std::string Str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

}  // namespace

Status InSavepoint(store::Db& db, const std::function<Status()>& fn) {
  if (Status s = db.Exec("SAVEPOINT sync_row"); !s.ok()) return s;
  Status s = fn();
  if (!s.ok()) {
    db.ResetStatements();
    db.Exec("ROLLBACK TO sync_row");
  }
  db.Exec("RELEASE sync_row");
  return s;
}

std::set<std::string> PendingFields(store::Db& db, std::int64_t acked_seq,
                                    const std::string& entity, const std::string& id, bool* all) {
  *all = false;
  std::set<std::string> out;
  store::Stmt& s = db.Prepare(
      "SELECT fields FROM outbox WHERE seq > ? AND entity = ? AND entity_id = ? AND op = 'upsert'");
  s.Bind(1, acked_seq).Bind(2, entity).Bind(3, id);
  while (s.Step()) {
    if (s.IsNull(0)) {
      *all = true;
      continue;
    }
    json f = json::parse(s.Text(0), nullptr, false);
    if (!f.is_array()) {
      *all = true;
      continue;
    }
    for (const auto& name : f) {
      if (name.is_string()) out.insert(name.get<std::string>());
    }
  }
  return out;
}

Status ApplyEntity(store::WriteContext& ctx, const EntityDef& def, const std::string& id,
                   const json& body, std::int64_t acked_seq) {
  store::Db& db = ctx.db();
  bool all_pending = false;
  const auto pending = PendingFields(db, acked_seq, def.name, id, &all_pending);
  if (body.contains("deleted") && body["deleted"] == true) {
    if (all_pending || pending.count("deleted")) return Status::Ok();
    return db.Prepare("DELETE FROM " + def.table + " WHERE id = ?").Bind(1, id).Run();
  }
  const auto& cols = Columns(db, def.table);
  auto current = Rows(db, "SELECT * FROM " + def.table + " WHERE id = ?", id);
  if (!current.empty()) {
    if (all_pending) return Status::Ok();
    std::vector<std::string> sets;
    std::vector<json> values;
    for (const auto& f : def.fields) {
      if (!cols.count(f) || pending.count(f) || !body.contains(f)) continue;
      if (CanonicalValue(current[0][f]) == CanonicalValue(body[f])) continue;
      sets.push_back(f + " = ?");
      values.push_back(body[f]);
    }
    const bool unredact = cols.count("redacted_at") && !current[0]["redacted_at"].is_null();
    if (sets.empty() && !unredact) return Status::Ok();
    std::string sql = "UPDATE " + def.table + " SET ";
    for (std::size_t i = 0; i < sets.size(); ++i) sql += (i ? ", " : "") + sets[i];
    if (cols.count("version"))
      sql += std::string(sets.empty() ? "" : ", ") + "version = version + 1";
    if (cols.count("updated_at")) sql += ", updated_at = '" + ctx.now_text() + "'";
    if (unredact) sql += ", redacted_at = NULL";
    sql += " WHERE id = ?";
    store::Stmt& up = db.Prepare(sql);
    int i = 1;
    for (const auto& v : values) up.BindJson(i++, v);
    return up.Bind(i, id).Run();
  }
  std::string names = "id", marks = "?";
  std::vector<json> values = {id};
  for (const char* meta : {"created_at", "updated_at"}) {
    if (!cols.count(meta)) continue;
    names += std::string(", ") + meta;
    marks += ", ?";
    values.push_back(ctx.now_text());
  }
  for (const auto& f : def.fields) {
    if (!cols.count(f) || !body.contains(f)) continue;
    names += ", " + f;
    marks += ", ?";
    values.push_back(body[f]);
  }
  store::Stmt& ins =
      db.Prepare("INSERT INTO " + def.table + " (" + names + ") VALUES (" + marks + ")");
  int i = 1;
  for (const auto& v : values) ins.BindJson(i++, v);
  return ins.Run();
}

Status ApplyEvent(store::WriteContext& ctx, const json& e) {
  store::Db& db = ctx.db();
  const std::string id = Str(e, "id");
  store::Stmt& seen = db.Prepare("SELECT 1 FROM attendance_event WHERE id = ?");
  if (seen.Bind(1, id).Step()) return Status::Ok();
  const json facts =
      e.contains("facts") && e["facts"].is_object() ? json(e["facts"].dump()) : json(nullptr);
  const std::string reason = Str(e, "reason");
  return db
      .Prepare(
          "INSERT INTO attendance_event(id, record_id, kind, work_group_id, service_user_id, "
          "order_id, facts, reason, author_user_id, author, device_id, recorded_at, request_hash) "
          "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
      .Bind(1, id)
      .Bind(2, Str(e, "record_id"))
      .Bind(3, Str(e, "kind"))
      .Bind(4, Str(e, "work_group_id"))
      .Bind(5, Str(e, "service_user_id"))
      .Bind(6, Str(e, "order_id"))
      .BindJson(7, facts)
      .BindJson(8, reason.empty() ? json(nullptr) : json(reason))
      .Bind(9, Str(e, "author_user_id"))
      .Bind(10, Str(e, "author"))
      .Bind(11, Str(e, "device_id"))
      .Bind(12, Str(e, "recorded_at"))
      .Bind(13, "sync:" + id)
      .Run();
}

std::string LocalUnitChecksum(store::Db& db, const std::string& unit) {
  std::vector<std::string> lines;
  auto add = [&](const char* entity, const std::vector<json>& rows) {
    const EntityDef* def = FindEntity(entity);
    for (const auto& r : rows) lines.push_back(CanonicalLine(*def, Str(r, "id"), r));
  };
  if (unit == "ref") {
    add("supervisor", Rows(db, "SELECT * FROM supervisor"));
    add("van", Rows(db, "SELECT * FROM van"));
    add("placement", Rows(db, "SELECT * FROM placement"));
    return UnitChecksum(lines);
  }
  auto group = Rows(db, "SELECT * FROM work_group WHERE id = ?", unit);
  if (group.empty()) return "";
  add("work_group", group);
  add("allocation", Rows(db, "SELECT * FROM allocation WHERE work_group_id = ?", unit));
  add("service_user", Rows(db,
                           "SELECT * FROM service_user WHERE id IN "
                           "(SELECT service_user_id FROM allocation WHERE work_group_id = ?)",
                           unit));
  add("order", Rows(db,
                    "SELECT * FROM cpo_order WHERE id IN "
                    "(SELECT order_id FROM allocation WHERE work_group_id = ?)",
                    unit));
  store::Stmt& ev = db.Prepare("SELECT id FROM attendance_event WHERE work_group_id = ?");
  ev.Bind(1, unit);
  while (ev.Step()) lines.push_back(EventLine(ev.Text(0)));
  add("conflict", Rows(db, "SELECT * FROM conflict WHERE work_group_id = ?", unit));
  return UnitChecksum(lines);
}

Result<int> ApplySnapshot(store::WriteContext& ctx, const json& snapshot, std::int64_t acked_seq) {
  store::Db& db = ctx.db();
  int failed = 0;
  std::set<std::string> allocations;
  for (const auto& row : snapshot.value("entities", json::array())) {
    const EntityDef* def = FindEntity(Str(row, "e"));
    if (def == nullptr) continue;
    const std::string id = Str(row, "i");
    if (def->name == "allocation") allocations.insert(id);
    Status s = InSavepoint(db, [&] { return ApplyEntity(ctx, *def, id, row["b"], acked_seq); });
    if (!s.ok()) {
      if (s.code() == Code::kUnavailable) return s;
      ++failed;
    }
  }
  for (const auto& e : snapshot.value("events", json::array())) {
    Status s = InSavepoint(db, [&] { return ApplyEvent(ctx, e); });
    if (!s.ok()) {
      if (s.code() == Code::kUnavailable) return s;
      ++failed;
    }
  }
  const std::string unit = Str(snapshot, "unit");
  if (unit != "ref") {
    for (const auto& a : Rows(db, "SELECT id FROM allocation WHERE work_group_id = ?", unit)) {
      const std::string id = Str(a, "id");
      bool all = false;
      if (allocations.count(id) || !PendingFields(db, acked_seq, "allocation", id, &all).empty() ||
          all) {
        continue;
      }
      if (Status s = db.Prepare("DELETE FROM allocation WHERE id = ?").Bind(1, id).Run(); !s.ok()) {
        return s;
      }
    }
  }
  return failed;
}

Result<int> RedactLeavers(store::WriteContext& ctx, const std::vector<std::string>& units,
                          std::int64_t acked_seq) {
  store::Db& db = ctx.db();
  std::set<std::string> keep;
  for (const auto& u : units) {
    for (const auto& a :
         Rows(db, "SELECT service_user_id FROM allocation WHERE work_group_id = ?", u)) {
      keep.insert(Str(a, "service_user_id"));
    }
  }
  int redacted = 0;
  for (const auto& p : Rows(db, "SELECT id FROM service_user WHERE redacted_at IS NULL")) {
    const std::string id = Str(p, "id");
    if (keep.count(id)) continue;
    store::Stmt& refs = db.Prepare(
        "SELECT 1 FROM outbox WHERE seq > ?1 AND (entity_id = ?2 OR instr(payload, ?2) > 0) LIMIT "
        "1");
    if (refs.Bind(1, acked_seq).Bind(2, id).Step())
      continue;  // a local change still refers to them
    Status s = db.Prepare(
                     "UPDATE service_user SET first_name = 'Removed', last_name = 'from this "
                     "device', date_of_birth = '1900-01-01', phone = NULL, risk_flags = '[]', "
                     "keep_apart = '[]', availability = NULL, notes = NULL, welfare_notes = NULL, "
                     "redacted_at = ? WHERE id = ?")
                   .Bind(1, ctx.now_text())
                   .Bind(2, id)
                   .Run();
    if (!s.ok()) return s;
    ++redacted;
  }
  return redacted;
}

}  // namespace upw::sync
