// Numbered schema migrations embedded in the binary (firmware/migrations/NNNN_*.sql), applied at
// start. The schema version is SQLite's user_version, set in the same transaction as each step.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "store/db.h"

namespace upw::store {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// All migrations in version order (generated at build time).
const std::vector<Migration>& EmbeddedMigrations();
// The newest schema version this binary knows.
int LatestSchemaVersion();

struct MigrateReport {
  int from_version = 0;
  int to_version = 0;
};

// Brings the database up to LatestSchemaVersion(), each step in one IMMEDIATE transaction. Refuses
// (kConflict, field "schema") a database newer than this binary, changing nothing. On a new
// database also mints this device's id (UUIDv7) into meta.
Result<MigrateReport> Migrate(Db& db, const std::string& new_device_id);

}  // namespace upw::store
