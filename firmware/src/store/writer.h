// The single writer: every mutating action runs here, on one thread that owns the only writable
// connection. Actions that arrive together share one transaction and so one fsync (group commit);
// each runs inside its own SAVEPOINT, so one action's failure never touches another's.
//
// Contract of Run(): it returns only after the action's changes are durably committed (WAL fsync,
// synchronous=FULL), or with the Status explaining why nothing of the action was written. It is
// safe to call from any number of threads at once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/status.h"
#include "hlc.h"
#include "store/db.h"

namespace upw::store {

// What an action sees while it runs in the writer.
class WriteContext {
 public:
  WriteContext(Db& db, std::int64_t now_ms, const std::string& device_id, sync::Hlc& hlc)
      : db_(db), now_ms_(now_ms), device_id_(device_id), hlc_(hlc) {}
  Db& db() { return db_; }
  std::int64_t now_ms() const { return now_ms_; }
  std::int64_t now_seconds() const { return now_ms_ / 1000; }
  // "YYYY-MM-DDTHH:MM:SSZ" of now_ms().
  std::string now_text() const;
  const std::string& device_id() const { return device_id_; }
  // A fresh UUIDv7 for a record born in this action.
  std::string NewId() const;
  // The next hybrid logical clock stamp (persisted with the batch).
  std::string NextHlc();
  // Moves the clock past a stamp received from the hub, so later local stamps order after it.
  void ObserveHlc(const std::string& remote);

 private:
  Db& db_;
  std::int64_t now_ms_;
  const std::string& device_id_;
  sync::Hlc& hlc_;
};

using WriteAction = std::function<Status(WriteContext&)>;

struct WriterStats {
  std::uint64_t batches = 0;
  std::uint64_t actions = 0;
  std::uint64_t action_us = 0;  // time spent running actions
  std::uint64_t commit_us = 0;  // time spent in COMMIT (the fsync)
};

class Writer {
 public:
  // Takes the writable connection (already migrated). Reads the device id and the persisted HLC
  // high-water mark from meta. kUnavailable if they cannot be read.
  static Result<std::unique_ptr<Writer>> Start(std::unique_ptr<Db> db, const Clock& clock,
                                               int max_batch = 256);
  ~Writer();

  // Runs `action` in the next batch and waits for the commit. The action must do all its reads
  // and writes through ctx.db(); returning a non-ok Status rolls back only its own changes.
  // Returns kUnavailable once Stop() has begun, or if the commit itself failed.
  Status Run(WriteAction action);

  // Refuses new actions, finishes the queued ones, and closes the connection. Idempotent.
  void Stop();
  const std::string& device_id() const { return device_id_; }
  WriterStats stats() const;
  // Counts transactions committed since start. A reader that sees N here and then opens a read
  // transaction sees every change of the first N commits: caches of read results key on it.
  std::uint64_t commits() const { return commits_.load(std::memory_order_acquire); }

 private:
  struct Pending;
  Writer(std::unique_ptr<Db> db, const Clock& clock, int max_batch, std::string device_id,
         sync::Hlc hlc);
  void Loop();
  // Runs the batch; returns the microseconds spent before COMMIT and in it.
  std::pair<std::uint64_t, std::uint64_t> RunBatch(std::deque<Pending*>& batch);

  std::unique_ptr<Db> db_;
  const Clock& clock_;
  const int max_batch_;
  const std::string device_id_;
  sync::Hlc hlc_;  // touched only by the writer thread

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending*> queue_;  // guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  WriterStats stats_;           // guarded by mu_
  std::atomic<std::uint64_t> commits_{0};
  std::thread thread_;
};

}  // namespace upw::store
