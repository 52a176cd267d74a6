// The hub's PostgreSQL store, for a head office serving many authorities. Same tables, same
// ordering and same behaviour as the SQLite store (sqlite_hub_store.cpp), which is the reference.
//
// Two connections, each behind its own mutex, like the SQLite store: one for writes and one for
// reads. Writes are serialised, and that matters for correctness, not just simplicity: devices
// pull the change log by cursor (seq > after), so a transaction must never commit a seq lower than
// one a puller may already have seen. With one writer at a time, seqs are drawn and committed in
// the same order. The mutex serialises the writes of this process; a table lock taken at the start
// of every write transaction extends that to every process writing to the same database (see
// kBeginWrite).
//
// Every value goes to the server as a parameter of a prepared statement, never inside SQL text.
#include <libpq-fe.h>

#include <charconv>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "hub_store.h"

namespace upw::sync::hub {
namespace {

using nlohmann::json;

// Text columns that are compared or ordered use the "C" collation: SQLite compares bytes, and a
// database's default collation (en_GB, say) would order ids and dates differently ("B" < "a" in
// bytes, not in English) and change which rows a date range selects. The index on
// (van_id, session_date) is usable for BETWEEN only with the same collation as the comparison.
//
// The append-only rules are triggers that raise an integrity-constraint error (SQLSTATE 23000),
// which maps to kConflict as SQLite's RAISE(ABORT) does. TRUNCATE is refused too: it skips row
// triggers, and SQLite has no such way around them. CREATE TRIGGER has no IF NOT EXISTS (before
// PostgreSQL 14, and OR REPLACE would lock the table on every start), hence the DO blocks.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS hub_meta (key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS device (
  id TEXT COLLATE "C" PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
  van_id TEXT COLLATE "C" NOT NULL, secret_hash TEXT NOT NULL, status TEXT NOT NULL,
  next_seq BIGINT NOT NULL, last_batch TEXT NOT NULL, schema BIGINT NOT NULL,
  enrolled_ms BIGINT NOT NULL, last_seen_ms BIGINT NOT NULL, clock_offset_ms BIGINT NOT NULL,
  clock_flagged BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS enrol_code (
  code_hash TEXT COLLATE "C" PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
  van_id TEXT NOT NULL, expires_ms BIGINT NOT NULL, used_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batch (
  device_id TEXT COLLATE "C" NOT NULL, batch_id TEXT COLLATE "C" NOT NULL, answer TEXT NOT NULL,
  at_ms BIGINT NOT NULL, PRIMARY KEY (device_id, batch_id)
);
CREATE TABLE IF NOT EXISTS op_log (
  device_id TEXT COLLATE "C" NOT NULL, seq BIGINT NOT NULL, batch_id TEXT NOT NULL,
  entity TEXT NOT NULL, entity_id TEXT NOT NULL, outcome TEXT NOT NULL, reason TEXT NOT NULL,
  PRIMARY KEY (device_id, seq)
);
CREATE TABLE IF NOT EXISTS entity (
  entity TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, body TEXT NOT NULL,
  stamps TEXT NOT NULL, group_id TEXT COLLATE "C" NOT NULL, van_id TEXT COLLATE "C" NOT NULL,
  session_date TEXT COLLATE "C" NOT NULL, PRIMARY KEY (entity, id)
);
CREATE INDEX IF NOT EXISTS entity_by_group ON entity(entity, group_id);
CREATE INDEX IF NOT EXISTS entity_by_van ON entity(van_id, session_date);
CREATE TABLE IF NOT EXISTS event (
  hub_seq BIGSERIAL PRIMARY KEY, id TEXT COLLATE "C" NOT NULL UNIQUE, record_id TEXT NOT NULL,
  kind TEXT NOT NULL, work_group_id TEXT COLLATE "C" NOT NULL,
  service_user_id TEXT COLLATE "C" NOT NULL, device_id TEXT NOT NULL, body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS event_by_person ON event(work_group_id, service_user_id, hub_seq);
CREATE TABLE IF NOT EXISTS change_log (
  seq BIGSERIAL PRIMARY KEY, entity TEXT NOT NULL, id TEXT NOT NULL
);
CREATE OR REPLACE FUNCTION upw_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
END
$$;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger
                 WHERE tgrelid = 'event'::regclass AND tgname = 'event_append_only') THEN
    CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON event FOR EACH ROW
      EXECUTE FUNCTION upw_refuse_change('attendance events are append-only');
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_trigger
                 WHERE tgrelid = 'event'::regclass AND tgname = 'event_no_truncate') THEN
    CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON event FOR EACH STATEMENT
      EXECUTE FUNCTION upw_refuse_change('attendance events are append-only');
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_trigger
                 WHERE tgrelid = 'op_log'::regclass AND tgname = 'op_log_no_delete') THEN
    CREATE TRIGGER op_log_no_delete BEFORE DELETE ON op_log FOR EACH ROW
      EXECUTE FUNCTION upw_refuse_change('the op log keeps every op');
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_trigger
                 WHERE tgrelid = 'op_log'::regclass AND tgname = 'op_log_no_truncate') THEN
    CREATE TRIGGER op_log_no_truncate BEFORE TRUNCATE ON op_log FOR EACH STATEMENT
      EXECUTE FUNCTION upw_refuse_change('the op log keeps every op');
  END IF;
END
$$;
INSERT INTO hub_meta(key, value) VALUES ('schema', '1') ON CONFLICT (key) DO NOTHING;
)sql";

// Two hubs starting at once would both run CREATE TABLE IF NOT EXISTS, and PostgreSQL can then
// fail one of them with a unique violation in its catalogue: the check and the create are not
// atomic. The schema is therefore created in one transaction holding this advisory lock (an
// arbitrary constant, "upwhub" in ASCII), released at COMMIT or ROLLBACK. NOTICEs such as
// "relation already exists, skipping" are silenced for that transaction only.
constexpr const char* kBeginSchema =
    "BEGIN; SET LOCAL client_min_messages = warning; SELECT pg_advisory_xact_lock(126896885589346)";

// EXCLUSIVE mode conflicts with every writer of change_log (ROW EXCLUSIVE) but not with readers
// (ACCESS SHARE), and is held until COMMIT. So a second hub process on the same database waits
// here before drawing a seq, and seqs become visible in the order they were drawn, as with
// SQLite's BEGIN IMMEDIATE. Within one process the mutex already ensures this; the lock costs
// nothing when uncontended.
constexpr const char* kBeginWrite = "BEGIN; LOCK TABLE change_log IN EXCLUSIVE MODE";
// A consistent snapshot for the whole of a Read, as SQLite gives a read transaction.
constexpr const char* kBeginRead = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

constexpr const char* kEventEntityName = "attendance_event";

constexpr const char* kDeviceCols =
    "id, name, kind, van_id, secret_hash, status, next_seq, last_batch, schema, enrolled_ms, "
    "last_seen_ms, clock_offset_ms, clock_flagged";
constexpr const char* kEntityCols = "entity, id, body, stamps, group_id, van_id, session_date";
constexpr const char* kEventCols =
    "id, record_id, kind, work_group_id, service_user_id, device_id, body";

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string TrimmedMessage(const char* m) {
  std::string s = m ? m : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// A failed command as a Status. Integrity-constraint violations (SQLSTATE class 23: unique, the
// append-only triggers) are kConflict, as SQLite's constraint errors are; everything else, from a
// lost connection to a full disk, is kUnavailable with the server's words.
Status ErrorOf(const PGresult* r, PGconn* conn, std::string_view what) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  // The server's own sentence ("duplicate key value violates ..."), without libpq's "ERROR:  "
  // prefix and context lines; libpq's message when the server never answered.
  std::string message =
      TrimmedMessage(r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr);
  if (message.empty()) message = TrimmedMessage(r ? PQresultErrorMessage(r) : nullptr);
  if (message.empty()) message = TrimmedMessage(PQerrorMessage(conn));
  const Code code =
      state && std::string_view(state).substr(0, 2) == "23" ? Code::kConflict : Code::kUnavailable;
  return Status::Error(code, "", "postgres " + std::string(what) + ": " + message);
}

std::string Text(const PGresult* r, int row, int col) {
  return std::string(PQgetvalue(r, row, col), static_cast<std::size_t>(PQgetlength(r, row, col)));
}

std::int64_t Int(const PGresult* r, int row, int col) {
  const char* p = PQgetvalue(r, row, col);
  std::int64_t v = 0;
  std::from_chars(p, p + PQgetlength(r, row, col), v);
  return v;
}

json ParseJson(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json::object() : j;
}

DeviceRow ReadDevice(const PGresult* r, int i) {
  DeviceRow d;
  d.id = Text(r, i, 0);
  d.name = Text(r, i, 1);
  d.kind = Text(r, i, 2);
  d.van_id = Text(r, i, 3);
  d.secret_hash = Text(r, i, 4);
  d.status = Text(r, i, 5);
  d.next_seq = Int(r, i, 6);
  d.last_batch = Text(r, i, 7);
  d.schema = static_cast<int>(Int(r, i, 8));
  d.enrolled_ms = Int(r, i, 9);
  d.last_seen_ms = Int(r, i, 10);
  d.clock_offset_ms = Int(r, i, 11);
  d.clock_flagged = Text(r, i, 12) == "t";
  return d;
}

EntityRow ReadEntity(const PGresult* r, int i) {
  return {Text(r, i, 0),
          Text(r, i, 1),
          ParseJson(Text(r, i, 2)),
          ParseJson(Text(r, i, 3)),
          Text(r, i, 4),
          Text(r, i, 5),
          Text(r, i, 6)};
}

EventRow ReadEvent(const PGresult* r, int i) {
  return {Text(r, i, 0), Text(r, i, 1), Text(r, i, 2),           Text(r, i, 3),
          Text(r, i, 4), Text(r, i, 5), ParseJson(Text(r, i, 6))};
}

// A statement parameter in text format; nullopt is SQL NULL.
using Param = std::optional<std::string>;
Param P(const std::string& s) { return s; }
Param P(std::int64_t v) { return std::to_string(v); }

// One connection and the statements prepared on it. Not thread-safe: the store's mutexes give it
// to one transaction at a time.
class PgConn {
 public:
  explicit PgConn(PGconn* conn) : conn_(conn) {}
  ~PgConn() { PQfinish(conn_); }
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  PGconn* raw() { return conn_; }

  // Runs SQL text without parameters (BEGIN, COMMIT, the schema). It may hold several statements;
  // the result is the last one's.
  Status Exec(const char* sql, std::string_view what) {
    PgResult r(PQexec(conn_, sql));
    const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::Ok();
    return ErrorOf(r.get(), conn_, what);
  }

  // Runs `sql` with `params` ($1, $2, ...) as a statement prepared once per connection: the
  // server parses and plans each query once, not on every call.
  Result<PgResult> Query(const std::string& sql, const std::vector<Param>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) {
      // Text parameters are C strings: a NUL would silently cut the value short. PostgreSQL's text
      // cannot hold one anyway, so refuse rather than store something else.
      if (p && p->find('\0') != std::string::npos) {
        return Status::Invalid("", "postgres: a text value contains a NUL character");
      }
      values.push_back(p ? p->c_str() : nullptr);
    }
    auto name = Prepared(sql, static_cast<int>(params.size()));
    if (!name.ok()) return name.status();
    PgResult r(PQexecPrepared(conn_, name->c_str(), static_cast<int>(values.size()), values.data(),
                              nullptr, nullptr, 0));
    const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return ErrorOf(r.get(), conn_, "query");
    return r;
  }

  // Runs fn in one transaction opened by `begin`. Commits if fn succeeds, rolls back otherwise
  // (also if fn throws). A write that reports success has been committed, and with PostgreSQL's
  // default synchronous_commit, flushed to disk.
  Status RunTx(const char* begin, bool read_only, const std::function<Status(HubTx&)>& fn);

  void Rollback() {
    // Nothing to do on a lost connection: the server has already rolled back.
    if (PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      PgResult r(PQexec(conn_, "ROLLBACK"));
    }
  }

 private:
  Status Begin(const char* begin);
  // Re-establishes a lost connection. Prepared statements die with the old session.
  bool Reset() {
    PQreset(conn_);
    prepared_.clear();
    return PQstatus(conn_) == CONNECTION_OK;
  }
  Result<std::string> Prepared(const std::string& sql, int n_params) {
    if (auto it = prepared_.find(sql); it != prepared_.end()) return it->second;
    std::string name = "upw_" + std::to_string(prepared_.size() + 1);
    // Parameter types are left to the server, which infers them from the columns they meet.
    PgResult r(PQprepare(conn_, name.c_str(), sql.c_str(), n_params, nullptr));
    if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      return ErrorOf(r.get(), conn_, "prepare");
    }
    prepared_.emplace(sql, name);
    return name;
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
};

class PgTx final : public HubTx {
 public:
  explicit PgTx(PgConn& c) : c_(c) {}

  Result<std::optional<std::string>> GetMeta(const std::string& key) override {
    auto r = c_.Query("SELECT value FROM hub_meta WHERE key = $1", {P(key)});
    if (!r.ok()) return r.status();
    if (PQntuples(r->get()) == 0) return std::optional<std::string>();
    return std::optional<std::string>(Text(r->get(), 0, 0));
  }
  Status PutMeta(const std::string& key, const std::string& value) override {
    return Run(
        "INSERT INTO hub_meta(key, value) VALUES ($1, $2) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        {P(key), P(value)});
  }

  Result<std::optional<DeviceRow>> FindDevice(const std::string& id) override {
    auto r = c_.Query(std::string("SELECT ") + kDeviceCols + " FROM device WHERE id = $1", {P(id)});
    if (!r.ok()) return r.status();
    if (PQntuples(r->get()) == 0) return std::optional<DeviceRow>();
    return std::optional<DeviceRow>(ReadDevice(r->get(), 0));
  }
  Status PutDevice(const DeviceRow& d) override {
    // INSERT OR REPLACE in SQLite: every column takes the new value.
    return Run(std::string("INSERT INTO device(") + kDeviceCols +
                   ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) "
                   "ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
                   "van_id = excluded.van_id, secret_hash = excluded.secret_hash, "
                   "status = excluded.status, next_seq = excluded.next_seq, "
                   "last_batch = excluded.last_batch, schema = excluded.schema, "
                   "enrolled_ms = excluded.enrolled_ms, last_seen_ms = excluded.last_seen_ms, "
                   "clock_offset_ms = excluded.clock_offset_ms, "
                   "clock_flagged = excluded.clock_flagged",
               {P(d.id), P(d.name), P(d.kind), P(d.van_id), P(d.secret_hash), P(d.status),
                P(d.next_seq), P(d.last_batch), P(std::int64_t{d.schema}), P(d.enrolled_ms),
                P(d.last_seen_ms), P(d.clock_offset_ms), P(d.clock_flagged ? "true" : "false")});
  }
  Result<std::vector<DeviceRow>> ListDevices() override {
    // id breaks ties so the order does not depend on where rows happen to sit in the table.
    auto r = c_.Query(
        std::string("SELECT ") + kDeviceCols + " FROM device ORDER BY enrolled_ms, id", {});
    if (!r.ok()) return r.status();
    std::vector<DeviceRow> out;
    for (int i = 0; i < PQntuples(r->get()); ++i) out.push_back(ReadDevice(r->get(), i));
    return out;
  }
  Result<std::optional<CodeRow>> FindCode(const std::string& code_hash) override {
    auto r = c_.Query(
        "SELECT code_hash, name, kind, van_id, expires_ms, used_by FROM enrol_code "
        "WHERE code_hash = $1",
        {P(code_hash)});
    if (!r.ok()) return r.status();
    const PGresult* g = r->get();
    if (PQntuples(g) == 0) return std::optional<CodeRow>();
    return std::optional<CodeRow>(CodeRow{Text(g, 0, 0), Text(g, 0, 1), Text(g, 0, 2),
                                          Text(g, 0, 3), Int(g, 0, 4), Text(g, 0, 5)});
  }
  Status PutCode(const CodeRow& c) override {
    return Run(
        "INSERT INTO enrol_code(code_hash, name, kind, van_id, expires_ms, used_by) "
        "VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (code_hash) DO UPDATE SET name = excluded.name, "
        "kind = excluded.kind, van_id = excluded.van_id, expires_ms = excluded.expires_ms, "
        "used_by = excluded.used_by",
        {P(c.code_hash), P(c.name), P(c.kind), P(c.van_id), P(c.expires_ms), P(c.used_by)});
  }

  Result<std::optional<std::string>> FindBatchAnswer(const std::string& device_id,
                                                     const std::string& batch_id) override {
    auto r = c_.Query("SELECT answer FROM batch WHERE device_id = $1 AND batch_id = $2",
                      {P(device_id), P(batch_id)});
    if (!r.ok()) return r.status();
    if (PQntuples(r->get()) == 0) return std::optional<std::string>();
    return std::optional<std::string>(Text(r->get(), 0, 0));
  }
  // The inserts that can meet a duplicate key (batch, op, event) use ON CONFLICT DO NOTHING and
  // report kConflict themselves. A failed statement would abort the whole PostgreSQL transaction,
  // whereas in SQLite only the statement fails and the transaction goes on; this keeps the two
  // alike for a caller that handles the conflict and carries on.
  Status PutBatch(const std::string& device_id, const std::string& batch_id,
                  const std::string& answer, std::int64_t at_ms) override {
    return Insert(
        "INSERT INTO batch(device_id, batch_id, answer, at_ms) VALUES ($1,$2,$3,$4) "
        "ON CONFLICT DO NOTHING",
        {P(device_id), P(batch_id), P(answer), P(at_ms)}, "batch " + batch_id);
  }
  Status PutOps(const std::vector<OpLogRow>& ops) override {
    for (const auto& o : ops) {
      Status s = Insert(
          "INSERT INTO op_log(device_id, seq, batch_id, entity, entity_id, outcome, reason) "
          "VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING",
          {P(o.device_id), P(o.seq), P(o.batch_id), P(o.entity), P(o.entity_id), P(o.outcome),
           P(o.reason)},
          "op " + o.device_id + "/" + std::to_string(o.seq));
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }
  Result<std::vector<OpLogRow>> OpsOf(const std::string& device_id) override {
    auto r = c_.Query(
        "SELECT device_id, seq, batch_id, entity, entity_id, outcome, reason FROM op_log "
        "WHERE device_id = $1 ORDER BY seq",
        {P(device_id)});
    if (!r.ok()) return r.status();
    const PGresult* g = r->get();
    std::vector<OpLogRow> out;
    for (int i = 0; i < PQntuples(g); ++i) {
      out.push_back({Text(g, i, 0), Int(g, i, 1), Text(g, i, 2), Text(g, i, 3), Text(g, i, 4),
                     Text(g, i, 5), Text(g, i, 6)});
    }
    return out;
  }

  Result<std::optional<EntityRow>> FindEntity(const std::string& entity,
                                              const std::string& id) override {
    auto r = c_.Query(
        std::string("SELECT ") + kEntityCols + " FROM entity WHERE entity = $1 AND id = $2",
        {P(entity), P(id)});
    if (!r.ok()) return r.status();
    if (PQntuples(r->get()) == 0) return std::optional<EntityRow>();
    return std::optional<EntityRow>(ReadEntity(r->get(), 0));
  }
  Status PutEntity(const EntityRow& row) override {
    // JSON is stored as the text nlohmann writes (not jsonb, which would reorder keys and
    // normalise numbers), so a body reads back exactly as the SQLite store returns it.
    Status s = Run(std::string("INSERT INTO entity(") + kEntityCols +
                       ") VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (entity, id) DO UPDATE SET "
                       "body = excluded.body, stamps = excluded.stamps, "
                       "group_id = excluded.group_id, van_id = excluded.van_id, "
                       "session_date = excluded.session_date",
                   {P(row.entity), P(row.id), P(row.body.dump()), P(row.stamps.dump()),
                    P(row.group_id), P(row.van_id), P(row.session_date)});
    if (!s.ok()) return s;
    return LogChange(row.entity, row.id);
  }
  Result<std::vector<EntityRow>> EntitiesOfKind(const std::string& entity) override {
    return Entities(
        std::string("SELECT ") + kEntityCols + " FROM entity WHERE entity = $1 ORDER BY id",
        {P(entity)});
  }
  Result<std::vector<EntityRow>> EntitiesOfGroup(const std::string& entity,
                                                 const std::string& group_id) override {
    return Entities(std::string("SELECT ") + kEntityCols +
                        " FROM entity WHERE entity = $1 AND group_id = $2 ORDER BY id",
                    {P(entity), P(group_id)});
  }
  Result<std::vector<EntityRow>> GroupsOfVan(const std::string& van_id, const std::string& from,
                                             const std::string& to) override {
    return Entities(std::string("SELECT ") + kEntityCols +
                        " FROM entity WHERE van_id = $1 AND session_date BETWEEN $2 AND $3 "
                        "AND entity = 'work_group' ORDER BY id",
                    {P(van_id), P(from), P(to)});
  }
  Result<std::vector<EntityRow>> GroupsBetween(const std::string& from,
                                               const std::string& to) override {
    return Entities(std::string("SELECT ") + kEntityCols +
                        " FROM entity WHERE entity = 'work_group' AND session_date BETWEEN $1 "
                        "AND $2 ORDER BY id",
                    {P(from), P(to)});
  }

  Result<std::optional<EventRow>> FindEvent(const std::string& id) override {
    auto r = c_.Query(std::string("SELECT ") + kEventCols + " FROM event WHERE id = $1", {P(id)});
    if (!r.ok()) return r.status();
    if (PQntuples(r->get()) == 0) return std::optional<EventRow>();
    return std::optional<EventRow>(ReadEvent(r->get(), 0));
  }
  Status PutEvent(const EventRow& e) override {
    Status s = Insert(std::string("INSERT INTO event(") + kEventCols +
                          ") VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING",
                      {P(e.id), P(e.record_id), P(e.kind), P(e.work_group_id), P(e.service_user_id),
                       P(e.device_id), P(e.body.dump())},
                      "event " + e.id);
    if (!s.ok()) return s;
    return LogChange(kEventEntityName, e.id);
  }
  Result<std::vector<EventRow>> EventsOf(const std::string& group,
                                         const std::string& person) override {
    return Events(std::string("SELECT ") + kEventCols +
                      " FROM event WHERE work_group_id = $1 AND service_user_id = $2 "
                      "ORDER BY hub_seq",
                  {P(group), P(person)});
  }
  Result<std::vector<EventRow>> EventsOfGroup(const std::string& group) override {
    return Events(std::string("SELECT ") + kEventCols +
                      " FROM event WHERE work_group_id = $1 ORDER BY hub_seq",
                  {P(group)});
  }
  Result<std::int64_t> CountEvents() override {
    auto r = c_.Query("SELECT count(*) FROM event", {});
    if (!r.ok()) return r.status();
    return Int(r->get(), 0, 0);
  }

  Result<std::vector<ChangeRef>> ChangesAfter(std::int64_t after, int limit) override {
    // SQLite reads a negative LIMIT as "no limit"; PostgreSQL refuses one, but takes NULL so.
    auto r = c_.Query("SELECT seq, entity, id FROM change_log WHERE seq > $1 ORDER BY seq LIMIT $2",
                      {P(after), limit < 0 ? Param() : P(std::int64_t{limit})});
    if (!r.ok()) return r.status();
    const PGresult* g = r->get();
    std::vector<ChangeRef> out;
    for (int i = 0; i < PQntuples(g); ++i) {
      out.push_back({Int(g, i, 0), Text(g, i, 1), Text(g, i, 2)});
    }
    return out;
  }

 private:
  Status Run(const std::string& sql, const std::vector<Param>& params) {
    auto r = c_.Query(sql, params);
    return r.ok() ? Status::Ok() : r.status();
  }
  // An INSERT ... ON CONFLICT DO NOTHING: kConflict when the key was already there.
  Status Insert(const std::string& sql, const std::vector<Param>& params, const std::string& what) {
    auto r = c_.Query(sql, params);
    if (!r.ok()) return r.status();
    if (std::string_view(PQcmdTuples(r->get())) == "0") {
      return Status::Error(Code::kConflict, "", "postgres: " + what + " is already stored");
    }
    return Status::Ok();
  }
  Result<std::vector<EntityRow>> Entities(const std::string& sql,
                                          const std::vector<Param>& params) {
    auto r = c_.Query(sql, params);
    if (!r.ok()) return r.status();
    std::vector<EntityRow> out;
    for (int i = 0; i < PQntuples(r->get()); ++i) out.push_back(ReadEntity(r->get(), i));
    return out;
  }
  Result<std::vector<EventRow>> Events(const std::string& sql, const std::vector<Param>& params) {
    auto r = c_.Query(sql, params);
    if (!r.ok()) return r.status();
    std::vector<EventRow> out;
    for (int i = 0; i < PQntuples(r->get()); ++i) out.push_back(ReadEvent(r->get(), i));
    return out;
  }
  Status LogChange(const std::string& entity, const std::string& id) {
    return Run("INSERT INTO change_log(entity, id) VALUES ($1, $2)", {P(entity), P(id)});
  }

  PgConn& c_;
};

Status PgConn::Begin(const char* begin) {
  // A connection the server or the network dropped is re-established once per transaction:
  // before BEGIN if libpq already knows it is broken, or when BEGIN itself finds out (an idle
  // connection's loss is only noticed on use). Retrying BEGIN is safe; nothing has been done yet.
  bool reset = false;
  if (PQstatus(conn_) != CONNECTION_OK) {
    reset = true;
    if (!Reset()) return ErrorOf(nullptr, conn_, "reconnect");
  }
  // A transaction left open by an earlier failure (say, a ROLLBACK that could not be sent) must
  // not swallow this one.
  Rollback();
  for (;;) {
    Status s = Exec(begin, "begin");
    if (s.ok()) return s;
    if (PQstatus(conn_) == CONNECTION_OK || reset) {
      Rollback();
      return s;
    }
    reset = true;
    if (!Reset()) return ErrorOf(nullptr, conn_, "reconnect");
  }
}

Status PgConn::RunTx(const char* begin, bool read_only, const std::function<Status(HubTx&)>& fn) {
  if (Status b = Begin(begin); !b.ok()) return b;
  PgTx tx(*this);
  Status s;
  try {
    s = fn(tx);
  } catch (...) {
    Rollback();
    throw;
  }
  if (!s.ok()) {
    Rollback();
    return s;
  }
  // After a failed statement PostgreSQL refuses everything until ROLLBACK, and answers COMMIT with
  // a silent rollback. If fn went on and returned ok regardless, nothing would be kept: a write
  // must say so. A read has nothing to keep, and fn has seen every error it got.
  if (PQtransactionStatus(conn_) == PQTRANS_INERROR) {
    Rollback();
    if (read_only) return Status::Ok();
    return Status::Error(Code::kUnavailable, "",
                         "postgres: the transaction failed earlier and was rolled back");
  }
  PgResult r(PQexec(conn_, "COMMIT"));
  if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    Status c = ErrorOf(r.get(), conn_, "commit");
    if (PQstatus(conn_) != CONNECTION_OK && !read_only) {
      // The server may or may not have committed before the connection went: say so, since a
      // caller cannot tell from "unavailable" alone. Batches are idempotent, so a retry is safe.
      return Status::Error(c.code(), c.field(), c.message() + " (the commit may have happened)");
    }
    Rollback();
    return c;
  }
  if (std::string_view(PQcmdStatus(r.get())) != "COMMIT") {  // "ROLLBACK": see above
    return Status::Error(Code::kUnavailable, "", "postgres: the transaction was rolled back");
  }
  return Status::Ok();
}

class PostgresHubStore final : public HubStore {
 public:
  PostgresHubStore(std::unique_ptr<PgConn> writer, std::unique_ptr<PgConn> reader)
      : writer_(std::move(writer)), reader_(std::move(reader)) {}

  Status Write(const std::function<Status(HubTx&)>& fn) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    return writer_->RunTx(kBeginWrite, false, fn);
  }
  Status Read(const std::function<Status(HubTx&)>& fn) override {
    std::lock_guard<std::mutex> lock(read_mu_);
    return reader_->RunTx(kBeginRead, true, fn);
  }

 private:
  std::mutex write_mu_;
  std::mutex read_mu_;
  std::unique_ptr<PgConn> writer_;
  std::unique_ptr<PgConn> reader_;
};

Result<std::unique_ptr<PgConn>> Connect(const std::string& conninfo) {
  // conninfo is expanded in place of "dbname" (a URI or key=value string). Parameters listed
  // before it are defaults it can override; those after it are forced: UTF-8, because the JSON
  // and names we store are UTF-8 whatever the server's or the environment's encoding.
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", "client_encoding",
                        nullptr};
  const char* values[] = {"10", "upw-hub", conninfo.c_str(), "UTF8", nullptr};
  auto conn = std::make_unique<PgConn>(PQconnectdbParams(keys, values, 1));
  if (conn->raw() == nullptr) {
    return Status::Error(Code::kUnavailable, "", "postgres: out of memory");
  }
  if (PQstatus(conn->raw()) != CONNECTION_OK) {
    return ErrorOf(nullptr, conn->raw(), "connect");
  }
  return conn;
}

}  // namespace

Result<std::unique_ptr<HubStore>> OpenPostgresHubStore(const std::string& conninfo) {
  auto writer = Connect(conninfo);
  if (!writer.ok()) return writer.status();
  PgConn& w = **writer;
  if (Status s = w.Exec(kBeginSchema, "lock schema"); !s.ok()) {
    w.Rollback();
    return s;
  }
  if (Status s = w.Exec(kSchema, "create schema"); !s.ok()) {
    w.Rollback();
    return s;
  }
  if (Status s = w.Exec("COMMIT", "commit schema"); !s.ok()) return s;
  auto reader = Connect(conninfo);
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<HubStore>(
      std::make_unique<PostgresHubStore>(std::move(writer).value(), std::move(reader).value()));
}

}  // namespace upw::sync::hub
