#include "sync_loop.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "domain/civil_time.h"

namespace upw::sync {

std::chrono::milliseconds BackoffDelay(int failures, const LoopOptions& o, double u) {
  const int doublings = std::clamp(failures - 1, 0, 30);
  const double cap = std::min(static_cast<double>(o.max_backoff.count()),
                              static_cast<double>(o.min_backoff.count()) * (1LL << doublings));
  return std::chrono::milliseconds(static_cast<std::int64_t>(cap * std::clamp(u, 0.0, 1.0)));
}

std::int64_t MsUntilNightly(std::int64_t now_ms, int hour) {
  const std::int64_t now_s = now_ms / 1000;
  auto day = domain::UkLocalDate(now_s);
  for (int i = 0; i < 3; ++i) {
    const std::int64_t at = domain::UkLocalToUtc(domain::AddDays(day, i), hour * 60);
    if (at > now_s) return at * 1000 - now_ms;
  }
  return 24LL * 3600 * 1000;
}

SyncLoop::SyncLoop(DeviceSync& sync, const Clock& clock, LoopOptions options)
    : sync_(sync),
      clock_(clock),
      options_(options),
      timer_(io_),
      nightly_(io_),
      rng_(std::random_device{}()) {}

SyncLoop::~SyncLoop() { Stop(); }

void SyncLoop::Start() {
  Schedule(options_.first_try);
  ScheduleNightly();
  thread_ = std::thread([this] { io_.run(); });
}

void SyncLoop::Nudge() {
  boost::asio::post(io_, [this] { Schedule(std::chrono::milliseconds(0)); });
}

void SyncLoop::Stop() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void SyncLoop::Schedule(std::chrono::milliseconds delay) {
  timer_.expires_after(delay);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: rescheduled or stopping
    RunOnce(false);
  });
}

void SyncLoop::ScheduleNightly() {
  nightly_.expires_after(
      std::chrono::milliseconds(MsUntilNightly(clock_.NowMs(), options_.nightly_hour)));
  nightly_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    spdlog::info("sync: nightly full exchange");
    RunOnce(true);
    ScheduleNightly();
  });
}

void SyncLoop::RunOnce(bool full) {
  const SyncReport r = sync_.SyncOnce(full);
  if (r.ok) {
    if (failures_.exchange(0) > 0 || r.batches > 0 || r.changes_pulled > 0) {
      spdlog::info("sync: pushed {} ops in {} batches, pulled {} changes, repaired {} units",
                   r.ops_pushed, r.batches, r.changes_pulled, r.units_repaired);
    }
    Schedule(options_.interval);
    return;
  }
  const int n = ++failures_;
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  // Not enrolled or refused: nothing will change until someone enrols it, so look rarely.
  const auto delay = (r.not_enrolled || r.must_enrol) ? options_.max_backoff
                                                      : BackoffDelay(n, options_, uniform(rng_));
  if (n == 1 || n % 10 == 0) {
    spdlog::warn("sync: {} (attempt {}; next in {} ms)", r.error, n, delay.count());
  }
  Schedule(std::max(delay, std::chrono::milliseconds(200)));
}

}  // namespace upw::sync
