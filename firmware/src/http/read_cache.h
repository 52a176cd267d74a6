// A small cache of rendered read responses (the register, which tablets re-read all day), valid
// only while nothing has been committed since it was rendered and within the same clock minute
// (the register's "started"/"ended" flags move with time). Every write goes through the single
// writer, so its commit count is a complete invalidation signal. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace upw::http {

class ReadCache {
 public:
  // The body stored under `key` if it was rendered at `commits` and in `minute`.
  std::optional<std::string> Find(const std::string& key, std::uint64_t commits,
                                  std::int64_t minute);
  // Stores a body rendered from a snapshot at least as new as `commits`. Older entries for other
  // keys are dropped when the cache is full, so memory stays bounded.
  void Put(const std::string& key, std::uint64_t commits, std::int64_t minute, std::string body);

 private:
  static constexpr std::size_t kMaxEntries = 64;
  struct Entry {
    std::uint64_t commits;
    std::int64_t minute;
    std::string body;
  };
  std::mutex mu_;
  std::map<std::string, Entry> entries_;  // guarded by mu_
};

}  // namespace upw::http
