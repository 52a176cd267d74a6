// When the device syncs: soon after start, then every `interval` while the hub answers; after a
// failure it backs off exponentially (with full jitter, so a fleet of vans coming back into signal
// together does not arrive at once) up to `max_backoff`; every night in the quiet window it runs
// a full exchange with a scope check. Nudge() asks for an exchange now (the "Sync now" button).
//
// Each exchange runs on the loop's own thread; every request in it has bounded timeouts, so a dead
// link delays the next attempt but never stalls the loop or the service.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "device_sync.h"

namespace upw::sync {

struct LoopOptions {
  std::chrono::milliseconds first_try{2000};
  std::chrono::milliseconds interval{30000};
  std::chrono::milliseconds min_backoff{2000};
  std::chrono::milliseconds max_backoff{300000};
  int nightly_hour = 2;  // UK local time at which the nightly full sync runs
};

// Pure: the delay before attempt number `failures` (1 = the first retry), drawn uniformly from
// [0, min(max, min * 2^(failures-1))] with the given uniform value u in [0, 1).
std::chrono::milliseconds BackoffDelay(int failures, const LoopOptions& o, double u);
// Pure: milliseconds from now_ms until the next UK-local `hour`:00.
std::int64_t MsUntilNightly(std::int64_t now_ms, int hour);

class SyncLoop {
 public:
  SyncLoop(DeviceSync& sync, const Clock& clock, LoopOptions options = {});
  ~SyncLoop();
  void Start();
  void Nudge();
  void Stop();
  int failures() const { return failures_.load(); }

 private:
  void Schedule(std::chrono::milliseconds delay);
  void ScheduleNightly();
  void RunOnce(bool full);

  DeviceSync& sync_;
  const Clock& clock_;
  LoopOptions options_;
  boost::asio::io_context io_;
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer nightly_;
  std::thread thread_;
  std::atomic<int> failures_{0};
  std::mt19937_64 rng_;
};

}  // namespace upw::sync
