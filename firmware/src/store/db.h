// A thin RAII wrapper over one SQLite connection and its cached prepared statements.
//
// Not thread-safe: a Db belongs to one thread at a time (the writer thread, or a reader that leased
// it from ReadPool). Errors come back as Status with Code::kUnavailable (storage refused: disk
// full, I/O error, busy) or kConflict (a constraint held); SQL text errors are programmer errors
// (kInternal).
#pragma once

#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"

namespace upw::store {

class Db;

// A prepared statement, reset and unbound each time Db::Prepare hands it out.
class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  Stmt& Bind(int i, std::int64_t v);
  Stmt& Bind(int i, int v) { return Bind(i, static_cast<std::int64_t>(v)); }
  Stmt& Bind(int i, double v);
  Stmt& Bind(int i, std::string_view v);
  Stmt& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  Stmt& BindNull(int i);
  // Bytes stored as a BLOB (read back with Text(), which keeps embedded NULs).
  Stmt& BindBlob(int i, std::string_view v);
  Stmt& Bind(int i, const std::optional<std::string>& v);
  // Binds a JSON scalar: null, bool (0/1), integer, float or string; arrays/objects as JSON text.
  Stmt& BindJson(int i, const nlohmann::json& v);

  // Steps once. Returns true with a row, false when done; Status via status() on error.
  bool Step();
  // Runs to completion (for writes). Ok, or the error with the database's message.
  Status Run();
  const Status& status() const { return status_; }

  int Columns() const { return sqlite3_column_count(s_); }
  bool IsNull(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  std::int64_t Int(int c) const { return sqlite3_column_int64(s_, c); }
  double Real(int c) const { return sqlite3_column_double(s_, c); }
  std::string Text(int c) const;
  std::optional<std::string> OptText(int c) const;
  const char* Name(int c) const { return sqlite3_column_name(s_, c); }
  // The column as JSON according to its storage class (TEXT stays a string).
  nlohmann::json Json(int c) const;

 private:
  friend class Db;
  void Reset();
  sqlite3_stmt* s_;
  Status status_;
};

struct OpenOptions {
  bool read_only = false;
  int cache_kib = 2048;       // page cache per connection; readers keep it small (32 MB RSS budget)
  const char* vfs = nullptr;  // SQLite VFS name; tests pass a fault-injecting one
};

class Db {
 public:
  // Opens (creating if writable) the file with WAL, synchronous=FULL, foreign keys on and a busy
  // timeout. Returns kUnavailable with SQLite's message if the file cannot be opened.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, OpenOptions options);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements without results.
  Status Exec(std::string_view sql);
  // A cached statement for `sql`, reset and unbound. Aborts on SQL that does not compile: that is a
  // programmer error, found by any test that runs the query.
  Stmt& Prepare(const std::string& sql);
  // Resets every cached statement. A statement left mid-way (stepped to a row, never to done) keeps
  // its read transaction open, so the connection would go on seeing an old snapshot of the file.
  void ResetStatements();
  // Error status for the connection's last failure.
  Status LastError(std::string_view what) const;
  std::int64_t Changes() const { return sqlite3_changes64(db_); }
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
  sqlite3* raw() { return db_; }
  const std::string& path() const { return path_; }

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
};

// Maps an SQLite result code to our codes: constraint -> kConflict, anything else -> kUnavailable.
Status SqliteStatus(int rc, std::string_view what, sqlite3* db);

}  // namespace upw::store
