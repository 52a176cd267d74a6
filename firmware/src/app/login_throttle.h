// Slows password guessing: after 5 failures for one username or one client address within 15
// minutes, further attempts are refused until the oldest failure ages out. Pure apart from its
// lock: the caller passes the time. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace upw::app {

class LoginThrottle {
 public:
  static constexpr int kMaxFailures = 5;
  static constexpr std::int64_t kWindowSeconds = 15 * 60;

  // Seconds to wait before trying again, or 0 if an attempt is allowed now.
  std::int64_t RetryAfter(const std::string& username, const std::string& client,
                          std::int64_t now) const;
  void RecordFailure(const std::string& username, const std::string& client, std::int64_t now);
  void RecordSuccess(const std::string& username);

 private:
  std::int64_t Wait(const std::string& key, std::int64_t now) const;  // requires mu_
  void Prune(std::int64_t now);                                       // requires mu_
  mutable std::mutex mu_;
  std::map<std::string, std::deque<std::int64_t>> failures_;  // guarded by mu_
};

}  // namespace upw::app
