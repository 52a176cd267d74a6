// Read-only connections shared by request threads. WAL lets them read while the writer commits.
// Acquire() blocks until a connection is free; the lease returns it on destruction. Thread-safe.
//
// A lease is one read transaction: everything read through it sees one snapshot of the database
// (a register and its order figures always agree), and the snapshot ends when the lease does, so
// the next lease sees every commit acknowledged before it began.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/db.h"

namespace upw::store {

class ReadPool {
 public:
  class Lease {
   public:
    Lease(ReadPool* pool, std::unique_ptr<Db> db) : pool_(pool), db_(std::move(db)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (db_) pool_->Release(std::move(db_));
    }
    Db& db() { return *db_; }
    Db* operator->() { return db_.get(); }

   private:
    ReadPool* pool_;
    std::unique_ptr<Db> db_;
  };

  // Opens `size` read-only connections. kUnavailable if any cannot be opened.
  static Result<std::unique_ptr<ReadPool>> Open(const std::string& path, int size);
  Lease Acquire();

 private:
  void Release(std::unique_ptr<Db> db);
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Db>> free_;  // guarded by mu_
};

}  // namespace upw::store
