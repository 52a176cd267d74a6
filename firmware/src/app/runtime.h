// Everything a command needs to act on one device database: migrate, the writer, read connections,
// the profile and the auth service, opened in the right order.
#pragma once

#include <memory>
#include <string>

#include "app/auth.h"
#include "app/services.h"
#include "common/clock.h"

namespace upw::app {

struct Runtime {
  std::string path;
  OffsetClock clock;
  domain::Profile profile;
  std::unique_ptr<store::Writer> writer;
  std::unique_ptr<store::ReadPool> reads;
  std::unique_ptr<Services> services;
  std::unique_ptr<Auth> auth;
  int migrated_from = 0;
  int schema_version = 0;

  // Opens (creating) the file, applies migrations, starts the writer. kConflict (field "schema") on
  // a database newer than this binary; kUnavailable if the file cannot be opened.
  static Result<std::unique_ptr<Runtime>> Open(const std::string& path, int readers = 8);
  // True when no placement and no service user exist (a new authority).
  bool IsEmpty();
  // Finishes queued writes and closes the writer (idempotent).
  void Close();
};

}  // namespace upw::app
