// Hybrid logical clock (48-bit wall milliseconds + 16-bit counter), shared by device and hub.
// Pure: the caller passes the physical time. Encoded as 16 hex digits so text order is time order;
// ties between devices are broken by device id where ops are merged (sync/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace upw::sync {

struct Hlc {
  std::int64_t wall_ms = 0;
  std::uint16_t counter = 0;
  friend bool operator==(const Hlc&, const Hlc&) = default;
  friend auto operator<=>(const Hlc&, const Hlc&) = default;
};

// The next timestamp for a local event after `last`, at physical time now_ms. Never goes backwards
// even if the clock does (a Pi may boot with a wrong clock); when the counter would overflow the
// wall part advances by one millisecond.
Hlc Tick(Hlc last, std::int64_t now_ms);
// The timestamp after receiving `remote` (merge rule of Kulkarni et al., 2014).
Hlc Receive(Hlc last, Hlc remote, std::int64_t now_ms);

std::string Encode(Hlc h);
std::optional<Hlc> Decode(std::string_view text);

}  // namespace upw::sync
