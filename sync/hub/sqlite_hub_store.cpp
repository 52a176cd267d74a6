// The hub's SQLite store: one write connection and one read connection (WAL lets reads go on while
// a batch commits), each behind its own mutex.
#include <mutex>

#include "hub_store.h"
#include "store/db.h"

namespace upw::sync::hub {
namespace {

using nlohmann::json;
using store::Db;
using store::Stmt;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS hub_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS device (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, van_id TEXT NOT NULL,
  secret_hash TEXT NOT NULL, status TEXT NOT NULL, next_seq INTEGER NOT NULL,
  last_batch TEXT NOT NULL, schema INTEGER NOT NULL, enrolled_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL, clock_offset_ms INTEGER NOT NULL, clock_flagged INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS enrol_code (
  code_hash TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, van_id TEXT NOT NULL,
  expires_ms INTEGER NOT NULL, used_by TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS batch (
  device_id TEXT NOT NULL, batch_id TEXT NOT NULL, answer TEXT NOT NULL, at_ms INTEGER NOT NULL,
  PRIMARY KEY (device_id, batch_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS op_log (
  device_id TEXT NOT NULL, seq INTEGER NOT NULL, batch_id TEXT NOT NULL, entity TEXT NOT NULL,
  entity_id TEXT NOT NULL, outcome TEXT NOT NULL, reason TEXT NOT NULL,
  PRIMARY KEY (device_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entity (
  entity TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, stamps TEXT NOT NULL,
  group_id TEXT NOT NULL, van_id TEXT NOT NULL, session_date TEXT NOT NULL,
  PRIMARY KEY (entity, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entity_by_group ON entity(entity, group_id);
CREATE INDEX IF NOT EXISTS entity_by_van ON entity(van_id, session_date);
CREATE TABLE IF NOT EXISTS event (
  hub_seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, record_id TEXT NOT NULL,
  kind TEXT NOT NULL, work_group_id TEXT NOT NULL, service_user_id TEXT NOT NULL,
  device_id TEXT NOT NULL, body TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS event_by_person ON event(work_group_id, service_user_id, hub_seq);
CREATE TABLE IF NOT EXISTS change_log (
  seq INTEGER PRIMARY KEY, entity TEXT NOT NULL, id TEXT NOT NULL
) STRICT;
CREATE TRIGGER IF NOT EXISTS event_no_update BEFORE UPDATE ON event
BEGIN SELECT RAISE(ABORT, 'attendance events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS event_no_delete BEFORE DELETE ON event
BEGIN SELECT RAISE(ABORT, 'attendance events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS op_log_no_delete BEFORE DELETE ON op_log
BEGIN SELECT RAISE(ABORT, 'the op log keeps every op'); END;
INSERT OR IGNORE INTO hub_meta(key, value) VALUES ('schema', '1');
)sql";

json ParseJson(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json::object() : j;
}

DeviceRow ReadDevice(Stmt& s) {
  DeviceRow d;
  d.id = s.Text(0);
  d.name = s.Text(1);
  d.kind = s.Text(2);
  d.van_id = s.Text(3);
  d.secret_hash = s.Text(4);
  d.status = s.Text(5);
  d.next_seq = s.Int(6);
  d.last_batch = s.Text(7);
  d.schema = static_cast<int>(s.Int(8));
  d.enrolled_ms = s.Int(9);
  d.last_seen_ms = s.Int(10);
  d.clock_offset_ms = s.Int(11);
  d.clock_flagged = s.Int(12) != 0;
  return d;
}

EntityRow ReadEntity(Stmt& s) {
  return {s.Text(0), s.Text(1), ParseJson(s.Text(2)), ParseJson(s.Text(3)), s.Text(4),
          s.Text(5), s.Text(6)};
}

EventRow ReadEvent(Stmt& s) {
  return {s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), ParseJson(s.Text(6))};
}

constexpr const char* kDeviceCols =
    "id, name, kind, van_id, secret_hash, status, next_seq, last_batch, schema, enrolled_ms, "
    "last_seen_ms, clock_offset_ms, clock_flagged";
constexpr const char* kEntityCols = "entity, id, body, stamps, group_id, van_id, session_date";
constexpr const char* kEventCols =
    "id, record_id, kind, work_group_id, service_user_id, device_id, body";

class SqliteTx final : public HubTx {
 public:
  explicit SqliteTx(Db& db) : db_(db) {}

  Result<std::optional<std::string>> GetMeta(const std::string& key) override {
    Stmt& s = db_.Prepare("SELECT value FROM hub_meta WHERE key = ?");
    if (s.Bind(1, key).Step()) return std::optional<std::string>(s.Text(0));
    return Done<std::optional<std::string>>(s, std::nullopt);
  }
  Status PutMeta(const std::string& key, const std::string& value) override {
    return db_
        .Prepare(
            "INSERT INTO hub_meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .Bind(1, key)
        .Bind(2, value)
        .Run();
  }

  Result<std::optional<DeviceRow>> FindDevice(const std::string& id) override {
    Stmt& s = db_.Prepare(std::string("SELECT ") + kDeviceCols + " FROM device WHERE id = ?");
    if (s.Bind(1, id).Step()) return std::optional<DeviceRow>(ReadDevice(s));
    return Done<std::optional<DeviceRow>>(s, std::nullopt);
  }
  Status PutDevice(const DeviceRow& d) override {
    return db_
        .Prepare(std::string("INSERT OR REPLACE INTO device(") + kDeviceCols +
                 ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
        .Bind(1, d.id)
        .Bind(2, d.name)
        .Bind(3, d.kind)
        .Bind(4, d.van_id)
        .Bind(5, d.secret_hash)
        .Bind(6, d.status)
        .Bind(7, d.next_seq)
        .Bind(8, d.last_batch)
        .Bind(9, d.schema)
        .Bind(10, d.enrolled_ms)
        .Bind(11, d.last_seen_ms)
        .Bind(12, d.clock_offset_ms)
        .Bind(13, d.clock_flagged ? 1 : 0)
        .Run();
  }
  Result<std::vector<DeviceRow>> ListDevices() override {
    Stmt& s =
        db_.Prepare(std::string("SELECT ") + kDeviceCols + " FROM device ORDER BY enrolled_ms");
    std::vector<DeviceRow> out;
    while (s.Step()) out.push_back(ReadDevice(s));
    return Done(s, std::move(out));
  }
  Result<std::optional<CodeRow>> FindCode(const std::string& code_hash) override {
    Stmt& s = db_.Prepare(
        "SELECT code_hash, name, kind, van_id, expires_ms, used_by FROM enrol_code "
        "WHERE code_hash = ?");
    if (s.Bind(1, code_hash).Step()) {
      return std::optional<CodeRow>(
          CodeRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4), s.Text(5)});
    }
    return Done<std::optional<CodeRow>>(s, std::nullopt);
  }
  Status PutCode(const CodeRow& c) override {
    return db_
        .Prepare(
            "INSERT OR REPLACE INTO enrol_code(code_hash, name, kind, van_id, expires_ms, used_by) "
            "VALUES (?,?,?,?,?,?)")
        .Bind(1, c.code_hash)
        .Bind(2, c.name)
        .Bind(3, c.kind)
        .Bind(4, c.van_id)
        .Bind(5, c.expires_ms)
        .Bind(6, c.used_by)
        .Run();
  }

  Result<std::optional<std::string>> FindBatchAnswer(const std::string& device_id,
                                                     const std::string& batch_id) override {
    Stmt& s = db_.Prepare("SELECT answer FROM batch WHERE device_id = ? AND batch_id = ?");
    if (s.Bind(1, device_id).Bind(2, batch_id).Step()) {
      return std::optional<std::string>(s.Text(0));
    }
    return Done<std::optional<std::string>>(s, std::nullopt);
  }
  Status PutBatch(const std::string& device_id, const std::string& batch_id,
                  const std::string& answer, std::int64_t at_ms) override {
    return db_.Prepare("INSERT INTO batch(device_id, batch_id, answer, at_ms) VALUES (?,?,?,?)")
        .Bind(1, device_id)
        .Bind(2, batch_id)
        .Bind(3, answer)
        .Bind(4, at_ms)
        .Run();
  }
  Status PutOps(const std::vector<OpLogRow>& ops) override {
    for (const auto& o : ops) {
      Status s = db_.Prepare(
                        "INSERT INTO op_log(device_id, seq, batch_id, entity, entity_id, outcome, "
                        "reason) VALUES (?,?,?,?,?,?,?)")
                     .Bind(1, o.device_id)
                     .Bind(2, o.seq)
                     .Bind(3, o.batch_id)
                     .Bind(4, o.entity)
                     .Bind(5, o.entity_id)
                     .Bind(6, o.outcome)
                     .Bind(7, o.reason)
                     .Run();
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }
  Result<std::vector<OpLogRow>> OpsOf(const std::string& device_id) override {
    Stmt& s = db_.Prepare(
        "SELECT device_id, seq, batch_id, entity, entity_id, outcome, reason FROM op_log "
        "WHERE device_id = ? ORDER BY seq");
    s.Bind(1, device_id);
    std::vector<OpLogRow> out;
    while (s.Step()) {
      out.push_back({s.Text(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6)});
    }
    return Done(s, std::move(out));
  }

  Result<std::optional<EntityRow>> FindEntity(const std::string& entity,
                                              const std::string& id) override {
    Stmt& s = db_.Prepare(std::string("SELECT ") + kEntityCols +
                          " FROM entity WHERE entity = ? AND id = ?");
    if (s.Bind(1, entity).Bind(2, id).Step()) return std::optional<EntityRow>(ReadEntity(s));
    return Done<std::optional<EntityRow>>(s, std::nullopt);
  }
  Status PutEntity(const EntityRow& r) override {
    Status s = db_.Prepare(std::string("INSERT OR REPLACE INTO entity(") + kEntityCols +
                           ") VALUES (?,?,?,?,?,?,?)")
                   .Bind(1, r.entity)
                   .Bind(2, r.id)
                   .Bind(3, r.body.dump())
                   .Bind(4, r.stamps.dump())
                   .Bind(5, r.group_id)
                   .Bind(6, r.van_id)
                   .Bind(7, r.session_date)
                   .Run();
    if (!s.ok()) return s;
    return LogChange(r.entity, r.id);
  }
  Result<std::vector<EntityRow>> EntitiesOfKind(const std::string& entity) override {
    Stmt& s = db_.Prepare(std::string("SELECT ") + kEntityCols +
                          " FROM entity WHERE entity = ? ORDER BY id");
    s.Bind(1, entity);
    return Rows(s);
  }
  Result<std::vector<EntityRow>> EntitiesOfGroup(const std::string& entity,
                                                 const std::string& group_id) override {
    Stmt& s = db_.Prepare(std::string("SELECT ") + kEntityCols +
                          " FROM entity WHERE entity = ? AND group_id = ? ORDER BY id");
    s.Bind(1, entity).Bind(2, group_id);
    return Rows(s);
  }
  Result<std::vector<EntityRow>> GroupsOfVan(const std::string& van_id, const std::string& from,
                                             const std::string& to) override {
    Stmt& s = db_.Prepare(std::string("SELECT ") + kEntityCols +
                          " FROM entity WHERE van_id = ? AND session_date BETWEEN ? AND ? "
                          "AND entity = 'work_group' ORDER BY id");
    s.Bind(1, van_id).Bind(2, from).Bind(3, to);
    return Rows(s);
  }
  Result<std::vector<EntityRow>> GroupsBetween(const std::string& from,
                                               const std::string& to) override {
    Stmt& s = db_.Prepare(std::string("SELECT ") + kEntityCols +
                          " FROM entity WHERE entity = 'work_group' AND session_date BETWEEN ? "
                          "AND ? ORDER BY id");
    s.Bind(1, from).Bind(2, to);
    return Rows(s);
  }

  Result<std::optional<EventRow>> FindEvent(const std::string& id) override {
    Stmt& s = db_.Prepare(std::string("SELECT ") + kEventCols + " FROM event WHERE id = ?");
    if (s.Bind(1, id).Step()) return std::optional<EventRow>(ReadEvent(s));
    return Done<std::optional<EventRow>>(s, std::nullopt);
  }
  Status PutEvent(const EventRow& e) override {
    Status s =
        db_.Prepare(std::string("INSERT INTO event(") + kEventCols + ") VALUES (?,?,?,?,?,?,?)")
            .Bind(1, e.id)
            .Bind(2, e.record_id)
            .Bind(3, e.kind)
            .Bind(4, e.work_group_id)
            .Bind(5, e.service_user_id)
            .Bind(6, e.device_id)
            .Bind(7, e.body.dump())
            .Run();
    if (!s.ok()) return s;
    return LogChange(std::string(kEventEntityName), e.id);
  }
  Result<std::vector<EventRow>> EventsOf(const std::string& group,
                                         const std::string& person) override {
    Stmt& s = db_.Prepare(std::string("SELECT ") + kEventCols +
                          " FROM event WHERE work_group_id = ? AND service_user_id = ? "
                          "ORDER BY hub_seq");
    s.Bind(1, group).Bind(2, person);
    return EventRows(s);
  }
  Result<std::vector<EventRow>> EventsOfGroup(const std::string& group) override {
    Stmt& s = db_.Prepare(std::string("SELECT ") + kEventCols +
                          " FROM event WHERE work_group_id = ? ORDER BY hub_seq");
    s.Bind(1, group);
    return EventRows(s);
  }
  Result<std::int64_t> CountEvents() override {
    Stmt& s = db_.Prepare("SELECT count(*) FROM event");
    const std::int64_t n = s.Step() ? s.Int(0) : 0;
    return Done(s, n);
  }

  Result<std::vector<ChangeRef>> ChangesAfter(std::int64_t after, int limit) override {
    Stmt& s =
        db_.Prepare("SELECT seq, entity, id FROM change_log WHERE seq > ? ORDER BY seq LIMIT ?");
    s.Bind(1, after).Bind(2, limit);
    std::vector<ChangeRef> out;
    while (s.Step()) out.push_back({s.Int(0), s.Text(1), s.Text(2)});
    return Done(s, std::move(out));
  }

 private:
  static constexpr const char* kEventEntityName = "attendance_event";

  template <typename T>
  static Result<T> Done(Stmt& s, T value) {
    if (!s.status().ok()) return s.status();
    return value;
  }
  static Result<std::vector<EntityRow>> Rows(Stmt& s) {
    std::vector<EntityRow> out;
    while (s.Step()) out.push_back(ReadEntity(s));
    return Done(s, std::move(out));
  }
  static Result<std::vector<EventRow>> EventRows(Stmt& s) {
    std::vector<EventRow> out;
    while (s.Step()) out.push_back(ReadEvent(s));
    return Done(s, std::move(out));
  }
  Status LogChange(const std::string& entity, const std::string& id) {
    return db_.Prepare("INSERT INTO change_log(entity, id) VALUES (?, ?)")
        .Bind(1, entity)
        .Bind(2, id)
        .Run();
  }

  Db& db_;
};

class SqliteHubStore final : public HubStore {
 public:
  SqliteHubStore(std::unique_ptr<Db> writer, std::unique_ptr<Db> reader)
      : writer_(std::move(writer)), reader_(std::move(reader)) {}

  Status Write(const std::function<Status(HubTx&)>& fn) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    return RunTx(*writer_, "BEGIN IMMEDIATE", fn);
  }
  Status Read(const std::function<Status(HubTx&)>& fn) override {
    std::lock_guard<std::mutex> lock(read_mu_);
    return RunTx(*reader_, "BEGIN", fn);
  }

 private:
  static Status RunTx(Db& db, const char* begin, const std::function<Status(HubTx&)>& fn) {
    if (Status b = db.Exec(begin); !b.ok()) return b;
    SqliteTx tx(db);
    Status s;
    try {
      s = fn(tx);
    } catch (...) {
      // Never leave the connection inside a transaction: every later call would fail.
      db.ResetStatements();
      db.Exec("ROLLBACK");
      throw;
    }
    db.ResetStatements();
    if (!s.ok()) {
      db.Exec("ROLLBACK");
      return s;
    }
    if (Status c = db.Exec("COMMIT"); !c.ok()) {
      db.Exec("ROLLBACK");
      return c;
    }
    return Status::Ok();
  }

  std::mutex write_mu_;
  std::mutex read_mu_;
  std::unique_ptr<Db> writer_;
  std::unique_ptr<Db> reader_;
};

}  // namespace

Result<std::unique_ptr<HubStore>> OpenSqliteHubStore(const std::string& path) {
  auto w = Db::Open(path, {});
  if (!w.ok()) return w.status();
  if (Status s = (*w)->Exec(kSchema); !s.ok()) return s;
  // The device keeps checkpoints off its request path (a timer runs them); the hub has no such
  // timer, so its writer checkpoints as it commits, once the WAL passes 1000 pages (4 MB).
  // Without it the WAL grew without bound (33 MB after 20,000 events in the benchmark).
  if (Status s = (*w)->Exec("PRAGMA wal_autocheckpoint=1000"); !s.ok()) return s;
  auto r = Db::Open(path, {.read_only = true, .cache_kib = 2048});
  if (!r.ok()) return r.status();
  return std::unique_ptr<HubStore>(
      std::make_unique<SqliteHubStore>(std::move(w).value(), std::move(r).value()));
}

Result<std::unique_ptr<HubStore>> OpenHubStore(const std::string& where) {
  if (where.rfind("postgresql://", 0) == 0 || where.rfind("postgres://", 0) == 0) {
    return OpenPostgresHubStore(where);
  }
  return OpenSqliteHubStore(where);
}

}  // namespace upw::sync::hub
