#include "common/ids.h"

#include <sodium.h>

#include <cstdio>

namespace upw {

std::string FormatUuidV7(std::int64_t unix_ms, const std::array<std::uint8_t, 10>& r) {
  std::uint8_t b[16];
  const auto ms = static_cast<std::uint64_t>(unix_ms);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
  b[6] = static_cast<std::uint8_t>(0x70 | (r[0] & 0x0f));  // version 7
  b[7] = r[1];
  b[8] = static_cast<std::uint8_t>(0x80 | (r[2] & 0x3f));  // RFC 9562 variant
  for (int i = 9; i < 16; ++i) b[i] = r[static_cast<std::size_t>(i - 6)];
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

std::string NewUuidV7(std::int64_t unix_ms) {
  std::array<std::uint8_t, 10> r;
  randombytes_buf(r.data(), r.size());
  return FormatUuidV7(unix_ms, r);
}

bool IsUuid(std::string_view t) {
  if (t.size() != 36) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace upw
