#include "store/migrations.h"

namespace upw::store {

int LatestSchemaVersion() {
  const auto& all = EmbeddedMigrations();
  return all.empty() ? 0 : all.back().version;
}

static int UserVersion(Db& db) {
  Stmt& s = db.Prepare("PRAGMA user_version");
  const int v = s.Step() ? static_cast<int>(s.Int(0)) : 0;
  // A statement left after its row keeps a read transaction open: on the writer's connection that
  // pinned the snapshot of start-up, and once another process wrote (upw enrol, upw user add
  // beside a running server) every BEGIN IMMEDIATE failed at once with "database is locked".
  db.ResetStatements();
  return v;
}

Result<MigrateReport> Migrate(Db& db, const std::string& new_device_id) {
  MigrateReport report;
  report.from_version = UserVersion(db);
  report.to_version = report.from_version;
  const int latest = LatestSchemaVersion();
  if (report.from_version > latest) {
    return Status::Error(Code::kConflict, "schema",
                         "database schema version " + std::to_string(report.from_version) +
                             " is newer than this upw binary supports (" + std::to_string(latest) +
                             "); install a newer upw, do not downgrade");
  }
  for (const Migration& m : EmbeddedMigrations()) {
    if (m.version <= report.to_version) continue;
    if (Status s = db.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    Status s = db.Exec(m.sql);
    if (s.ok() && m.version == 1) {
      s = db.Prepare("INSERT INTO meta(key, value) VALUES ('device_id', ?)")
              .Bind(1, new_device_id)
              .Run();
    }
    if (s.ok()) s = db.Exec("PRAGMA user_version=" + std::to_string(m.version));
    if (s.ok()) s = db.Exec("COMMIT");
    if (!s.ok()) {
      (void)db.Exec("ROLLBACK");
      return Status::Error(s.code(), "schema",
                           std::string("migration ") + m.name + " failed: " + s.message());
    }
    report.to_version = m.version;
  }
  return report;
}

}  // namespace upw::store
