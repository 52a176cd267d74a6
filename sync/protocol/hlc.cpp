#include "hlc.h"

#include <algorithm>
#include <cstdio>

namespace upw::sync {

namespace {
constexpr std::int64_t kMaxWall = (std::int64_t{1} << 48) - 1;

Hlc Advance(std::int64_t wall, std::int64_t counter) {
  if (counter > 0xffff) {
    wall += 1;
    counter = 0;
  }
  return Hlc{std::min(wall, kMaxWall), static_cast<std::uint16_t>(counter)};
}
}  // namespace

Hlc Tick(Hlc last, std::int64_t now_ms) {
  if (now_ms > last.wall_ms) return Advance(now_ms, 0);
  return Advance(last.wall_ms, std::int64_t{last.counter} + 1);
}

Hlc Receive(Hlc last, Hlc remote, std::int64_t now_ms) {
  const std::int64_t wall = std::max({last.wall_ms, remote.wall_ms, now_ms});
  std::int64_t counter = 0;
  if (wall == last.wall_ms && wall == remote.wall_ms) {
    counter = std::int64_t{std::max(last.counter, remote.counter)} + 1;
  } else if (wall == last.wall_ms) {
    counter = std::int64_t{last.counter} + 1;
  } else if (wall == remote.wall_ms) {
    counter = std::int64_t{remote.counter} + 1;
  }
  return Advance(wall, counter);
}

std::string Encode(Hlc h) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%012llx%04x", static_cast<unsigned long long>(h.wall_ms),
                static_cast<unsigned>(h.counter));
  return buf;
}

std::optional<Hlc> Decode(std::string_view text) {
  if (text.size() != 16) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    int d = 0;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  return Hlc{static_cast<std::int64_t>(v >> 16), static_cast<std::uint16_t>(v & 0xffff)};
}

}  // namespace upw::sync
