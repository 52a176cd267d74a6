#include "store/db.h"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace upw::store {

Status SqliteStatus(int rc, std::string_view what, sqlite3* db) {
  const int primary = rc & 0xff;
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (primary == SQLITE_CONSTRAINT) return Status::Error(Code::kConflict, "", msg);
  return Status::Error(Code::kUnavailable, "", msg);
}

Stmt& Stmt::Bind(int i, std::int64_t v) {
  sqlite3_bind_int64(s_, i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, double v) {
  sqlite3_bind_double(s_, i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, std::string_view v) {
  sqlite3_bind_text64(s_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
Stmt& Stmt::BindBlob(int i, std::string_view v) {
  sqlite3_bind_blob64(s_, i, v.data(), v.size(), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::BindNull(int i) {
  sqlite3_bind_null(s_, i);
  return *this;
}
Stmt& Stmt::Bind(int i, const std::optional<std::string>& v) {
  return v ? Bind(i, std::string_view(*v)) : BindNull(i);
}

Stmt& Stmt::BindJson(int i, const nlohmann::json& v) {
  if (v.is_null()) return BindNull(i);
  if (v.is_boolean()) return Bind(i, static_cast<std::int64_t>(v.get<bool>() ? 1 : 0));
  if (v.is_number_integer()) return Bind(i, v.get<std::int64_t>());
  if (v.is_number()) return Bind(i, v.get<double>());
  if (v.is_string()) return Bind(i, std::string_view(v.get_ref<const std::string&>()));
  return Bind(i, std::string_view(v.dump()));
}

bool Stmt::Step() {
  const int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) status_ = SqliteStatus(rc, "step", sqlite3_db_handle(s_));
  return false;
}

Status Stmt::Run() {
  while (Step()) {
  }
  return status_;
}

std::string Stmt::Text(int c) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, c))) : std::string();
}

std::optional<std::string> Stmt::OptText(int c) const {
  if (IsNull(c)) return std::nullopt;
  return Text(c);
}

nlohmann::json Stmt::Json(int c) const {
  switch (sqlite3_column_type(s_, c)) {
    case SQLITE_INTEGER:
      return Int(c);
    case SQLITE_FLOAT:
      return Real(c);
    case SQLITE_TEXT:
      return Text(c);
    default:
      return nullptr;
  }
}

void Stmt::Reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
  status_ = Status::Ok();
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, OpenOptions options) {
  sqlite3* raw = nullptr;
  const int flags =
      (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, options.vfs);
  if (rc != SQLITE_OK) {
    Status s = SqliteStatus(rc, "open " + path, raw);
    sqlite3_close_v2(raw);
    return s;
  }
  std::unique_ptr<Db> db(new Db(raw, path));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 5000);
  // synchronous=FULL: a commit is durable (WAL fsync) before we answer 2xx. Autocheckpoint is off
  // on every connection: checkpoints run on the housekeeping timer, never inside a request.
  std::string pragmas =
      "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=0; "
      "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-" +
      std::to_string(options.cache_kib) + ";";
  if (!options.read_only) pragmas = "PRAGMA journal_mode=WAL; " + pragmas;
  if (Status s = db->Exec(pragmas); !s.ok()) return s;
  return db;
}

Db::~Db() {
  cache_.clear();
  sqlite3_stmt* s = nullptr;
  while ((s = sqlite3_next_stmt(db_, nullptr)) != nullptr) sqlite3_finalize(s);
  sqlite3_close_v2(db_);
}

Status Db::Exec(std::string_view sql) {
  char* err = nullptr;
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return SqliteStatus(rc, msg, nullptr);
}

Stmt& Db::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second->Reset();
    return *it->second;
  }
  sqlite3_stmt* s = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) {
    std::fprintf(stderr, "upw: SQL does not compile (%s): %s\n", sqlite3_errmsg(db_), sql.c_str());
    std::abort();
  }
  auto [pos, _] = cache_.emplace(sql, std::make_unique<Stmt>(s));
  return *pos->second;
}

void Db::ResetStatements() {
  for (auto& [sql, stmt] : cache_) stmt->Reset();
}

Status Db::LastError(std::string_view what) const {
  return SqliteStatus(sqlite3_extended_errcode(db_), what, db_);
}

}  // namespace upw::store
