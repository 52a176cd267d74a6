#include "store/read_pool.h"

namespace upw::store {

Result<std::unique_ptr<ReadPool>> ReadPool::Open(const std::string& path, int size) {
  auto pool = std::make_unique<ReadPool>();
  for (int i = 0; i < size; ++i) {
    auto db = Db::Open(path, OpenOptions{.read_only = true, .cache_kib = 512});
    if (!db.ok()) return db.status();
    pool->free_.push_back(std::move(db).value());
  }
  return pool;
}

ReadPool::Lease ReadPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !free_.empty(); });
  std::unique_ptr<Db> db = std::move(free_.back());
  free_.pop_back();
  lock.unlock();
  // Deferred: the snapshot is taken at the first read. A failure here shows up at that read.
  (void)db->Exec("BEGIN");
  return Lease(this, std::move(db));
}

void ReadPool::Release(std::unique_ptr<Db> db) {
  db->ResetStatements();
  if (db->InTransaction()) (void)db->Exec("COMMIT");
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(std::move(db));
  }
  cv_.notify_one();
}

}  // namespace upw::store
