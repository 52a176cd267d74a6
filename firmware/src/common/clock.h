// The one place the service reads the wall clock; domain and planner take times as values.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace upw {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t NowMs() const = 0;  // Unix milliseconds, UTC
  std::int64_t NowSeconds() const { return NowMs() / 1000; }
};

class SystemClock final : public Clock {
 public:
  std::int64_t NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// The system clock, optionally shifted: tests run devices whose clocks are minutes to years off.
class OffsetClock final : public Clock {
 public:
  std::int64_t NowMs() const override { return system_.NowMs() + offset_ms_.load(); }
  void set_offset_ms(std::int64_t ms) { offset_ms_.store(ms); }

 private:
  SystemClock system_;
  std::atomic<std::int64_t> offset_ms_{0};
};

}  // namespace upw
