#include "app/login_throttle.h"

#include <algorithm>

namespace upw::app {

std::int64_t LoginThrottle::Wait(const std::string& key, std::int64_t now) const {
  auto it = failures_.find(key);
  if (it == failures_.end()) return 0;
  std::deque<std::int64_t> recent;
  for (auto t : it->second) {
    if (t > now - kWindowSeconds) recent.push_back(t);
  }
  if (static_cast<int>(recent.size()) < kMaxFailures) return 0;
  // Allowed again when the oldest failure that keeps the count at the limit ages out.
  return std::max<std::int64_t>(1, recent[recent.size() - kMaxFailures] + kWindowSeconds - now);
}

std::int64_t LoginThrottle::RetryAfter(const std::string& username, const std::string& client,
                                       std::int64_t now) const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::max(Wait("u:" + username, now), Wait("c:" + client, now));
}

void LoginThrottle::RecordFailure(const std::string& username, const std::string& client,
                                  std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  Prune(now);
  failures_["u:" + username].push_back(now);
  failures_["c:" + client].push_back(now);
}

void LoginThrottle::RecordSuccess(const std::string& username) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.erase("u:" + username);
}

void LoginThrottle::Prune(std::int64_t now) {
  for (auto it = failures_.begin(); it != failures_.end();) {
    while (!it->second.empty() && it->second.front() <= now - kWindowSeconds)
      it->second.pop_front();
    it = it->second.empty() ? failures_.erase(it) : std::next(it);
  }
}

}  // namespace upw::app
