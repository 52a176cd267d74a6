#include "store/writer.h"

#include <chrono>
#include <exception>
#include <future>

#include "common/ids.h"
#include "domain/civil_time.h"

namespace upw::store {

struct Writer::Pending {
  WriteAction action;
  Status result;
  std::promise<void> done;
};

std::string WriteContext::now_text() const { return domain::FormatTimestamp(now_seconds()); }
std::string WriteContext::NewId() const { return NewUuidV7(now_ms_); }
std::string WriteContext::NextHlc() {
  hlc_ = sync::Tick(hlc_, now_ms_);
  return sync::Encode(hlc_);
}

void WriteContext::ObserveHlc(const std::string& remote) {
  if (auto h = sync::Decode(remote)) hlc_ = sync::Receive(hlc_, *h, now_ms_);
}

Result<std::unique_ptr<Writer>> Writer::Start(std::unique_ptr<Db> db, const Clock& clock,
                                              int max_batch) {
  Stmt& s = db->Prepare("SELECT key, value FROM meta WHERE key IN ('device_id', 'hlc')");
  std::string device_id;
  sync::Hlc hlc;
  while (s.Step()) {
    if (s.Text(0) == "device_id") device_id = s.Text(1);
    if (auto h = sync::Decode(s.Text(1)); s.Text(0) == "hlc" && h) hlc = *h;
  }
  if (!s.status().ok()) return s.status();
  db->ResetStatements();  // the writer starts with no read transaction open (see migrations.cpp)
  if (device_id.empty()) {
    return Status::Error(Code::kUnavailable, "", "database has no device id: run upw migrate");
  }
  return std::unique_ptr<Writer>(new Writer(std::move(db), clock, max_batch, device_id, hlc));
}

Writer::Writer(std::unique_ptr<Db> db, const Clock& clock, int max_batch, std::string device_id,
               sync::Hlc hlc)
    : db_(std::move(db)),
      clock_(clock),
      max_batch_(max_batch),
      device_id_(std::move(device_id)),
      hlc_(hlc),
      thread_([this] { Loop(); }) {}

Writer::~Writer() { Stop(); }

Status Writer::Run(WriteAction action) {
  Pending p{std::move(action), Status::Ok(), {}};
  std::future<void> done = p.done.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Status::Error(Code::kUnavailable, "", "the service is shutting down");
    queue_.push_back(&p);
  }
  cv_.notify_one();
  done.wait();
  return p.result;
}

void Writer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  db_.reset();
}

WriterStats Writer::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void Writer::Loop() {
  std::deque<Pending*> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has been written
      while (!queue_.empty() && static_cast<int>(batch.size()) < max_batch_) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
      stats_.batches += 1;
      stats_.actions += batch.size();
    }
    const auto [action_us, commit_us] = RunBatch(batch);
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.action_us += action_us;
      stats_.commit_us += commit_us;
    }
    for (Pending* p : batch) p->done.set_value();
    batch.clear();
  }
}

// One transaction for the batch, one savepoint per action. If SQLite abandons the transaction
// (I/O error, disk full) or COMMIT fails, every action that had succeeded is reported as not
// written: nothing is acknowledged that is not durable.
std::pair<std::uint64_t, std::uint64_t> Writer::RunBatch(std::deque<Pending*>& batch) {
  using Micros = std::chrono::microseconds;
  const auto t0 = std::chrono::steady_clock::now();
  if (Status s = db_->Exec("BEGIN IMMEDIATE"); !s.ok()) {
    for (Pending* p : batch) p->result = s;
    return {0, 0};
  }
  WriteContext ctx(*db_, clock_.NowMs(), device_id_, hlc_);
  const sync::Hlc hlc_before = hlc_;
  bool lost = false;
  for (Pending* p : batch) {
    if (lost) {
      p->result = Status::Error(Code::kUnavailable, "", "storage failed; nothing was saved");
      continue;
    }
    if (Status s = db_->Exec("SAVEPOINT action"); !s.ok()) {
      p->result = s;
      lost = !db_->InTransaction();
      continue;
    }
    try {
      p->result = p->action(ctx);
    } catch (const std::exception& e) {
      p->result = Status::Error(Code::kInternal, "", e.what());
    }
    if (!db_->InTransaction()) {
      lost = true;
      if (p->result.ok()) p->result = db_->LastError("storage failed; nothing was saved");
      continue;
    }
    if (!p->result.ok()) (void)db_->Exec("ROLLBACK TO action");
    (void)db_->Exec("RELEASE action");
  }
  Status commit = lost ? Status::Error(Code::kUnavailable, "", "storage failed") : Status::Ok();
  if (commit.ok() && hlc_ != hlc_before) {
    commit = db_->Prepare(
                    "INSERT INTO meta(key, value) VALUES ('hlc', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
                 .Bind(1, sync::Encode(hlc_))
                 .Run();
  }
  db_->ResetStatements();
  const auto t1 = std::chrono::steady_clock::now();
  if (commit.ok()) commit = db_->Exec("COMMIT");
  const auto t2 = std::chrono::steady_clock::now();
  if (commit.ok()) commits_.fetch_add(1, std::memory_order_release);
  if (!commit.ok()) {
    if (db_->InTransaction()) (void)db_->Exec("ROLLBACK");
    hlc_ = hlc_before;
    for (Pending* p : batch) {
      if (p->result.ok()) {
        p->result = Status::Error(Code::kUnavailable, "",
                                  "storage failed (" + commit.message() + "); nothing was saved");
      }
    }
  }
  return {static_cast<std::uint64_t>(std::chrono::duration_cast<Micros>(t1 - t0).count()),
          static_cast<std::uint64_t>(std::chrono::duration_cast<Micros>(t2 - t1).count())};
}

}  // namespace upw::store
