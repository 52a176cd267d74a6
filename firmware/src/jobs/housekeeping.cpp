#include "jobs/housekeeping.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace upw::jobs {

Result<std::unique_ptr<Housekeeping>> Housekeeping::Start(boost::asio::io_context& io,
                                                          const std::string& db_path,
                                                          store::Writer& writer) {
  auto db = store::Db::Open(db_path, store::OpenOptions{.read_only = false, .cache_kib = 256});
  if (!db.ok()) return db.status();
  std::unique_ptr<Housekeeping> h(new Housekeeping(io, std::move(db).value(), writer));
  h->ScheduleCheckpoint();
  h->ScheduleExpiry();
  return h;
}

Housekeeping::Housekeeping(boost::asio::io_context& io, std::unique_ptr<store::Db> db,
                           store::Writer& writer)
    : db_(std::move(db)), writer_(writer), checkpoint_timer_(io), expiry_timer_(io) {}

void Housekeeping::ScheduleCheckpoint() {
  checkpoint_timer_.expires_after(std::chrono::seconds(1));
  checkpoint_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    // PASSIVE never blocks the writer or readers; it copies what it can and tries again later.
    if (Status s = db_->Exec("PRAGMA wal_checkpoint(PASSIVE)"); !s.ok()) {
      spdlog::warn("checkpoint: {}", s.message());
    }
    ScheduleCheckpoint();
  });
}

void Housekeeping::ScheduleExpiry() {
  expiry_timer_.expires_after(std::chrono::minutes(10));
  expiry_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    Status s = writer_.Run([](store::WriteContext& ctx) {
      return ctx.db()
          .Prepare("DELETE FROM auth_session WHERE expires_at <= ?")
          .Bind(1, ctx.now_text())
          .Run();
    });
    if (!s.ok()) spdlog::warn("session expiry: {}", s.message());
    ScheduleExpiry();
  });
}

Status Housekeeping::FinalCheckpoint() {
  checkpoint_timer_.cancel();
  expiry_timer_.cancel();
  return db_->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

}  // namespace upw::jobs
