#include "http/read_cache.h"

namespace upw::http {

std::optional<std::string> ReadCache::Find(const std::string& key, std::uint64_t commits,
                                           std::int64_t minute) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.commits != commits || it->second.minute != minute) {
    return std::nullopt;
  }
  return it->second.body;
}

void ReadCache::Put(const std::string& key, std::uint64_t commits, std::int64_t minute,
                    std::string body) {
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.size() >= kMaxEntries && !entries_.count(key)) {
    // Anything stale goes first; if all are fresh (many tablets, many groups), start again.
    for (auto it = entries_.begin(); it != entries_.end();) {
      it = it->second.commits != commits ? entries_.erase(it) : std::next(it);
    }
    if (entries_.size() >= kMaxEntries) entries_.clear();
  }
  entries_[key] = Entry{commits, minute, std::move(body)};
}

}  // namespace upw::http
