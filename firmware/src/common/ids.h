// Record ids: UUIDv7 text (RFC 9562), minted where the record is born so offline creation on many
// devices never collides, and sortable by creation time.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace upw {

// Formats a UUIDv7 from a Unix millisecond time and 10 random bytes (pure; testable).
std::string FormatUuidV7(std::int64_t unix_ms, const std::array<std::uint8_t, 10>& random);
// A fresh UUIDv7 with random bits from libsodium's CSPRNG.
std::string NewUuidV7(std::int64_t unix_ms);
// True for the canonical lower-case 8-4-4-4-12 hex form of any UUID.
bool IsUuid(std::string_view text);

}  // namespace upw
