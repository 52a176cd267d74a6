// The sync wire format: JSON documents compressed with zlib (HTTP Content-Encoding: deflate).
//
// Push body: {"v":1,"batch":ID,"prev":ID|"","first":SEQ,"last":SEQ,"schema":N,"ops":[OP...]}
//   upsert OP: {"s":SEQ,"h":HLC,"e":ENTITY,"i":ID,"f":{FIELD:VALUE...},"c":1 when a create}
//   append OP: {"s":SEQ,"h":HLC,"e":"attendance_event","p":EVENT}
// Push answer: {"batch":ID,"applied":N,"rejected":[{"s":SEQ,"field":F,"reason":R}],
//               "conflicts":[{"s":SEQ,"conflict":ID}],"clamped":[SEQ...],"hlc":HLC,"ms":HUB_MS}
// Pull answer: {"changes":[{"c":SEQ,"e":ENTITY,"i":ID,"b":BODY}],"next":SEQ,"more":BOOL,
//               "hlc":HLC,"ms":HUB_MS}
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace upw::sync {

inline constexpr int kProtocolVersion = 1;
// Device database schemas the hub understands: a device outside this range must be upgraded.
inline constexpr int kMinDeviceSchema = 2;
inline constexpr int kMaxDeviceSchema = 2;
// A batch holds ops until their JSON reaches this many bytes (compressed, it is several times
// smaller), so one batch always fits the hub's 1 MiB request limit.
inline constexpr std::size_t kBatchJsonBytes = 256 * 1024;
// Largest document we inflate: refuses a "zip bomb" before it can exhaust memory.
inline constexpr std::size_t kMaxInflatedBytes = 16 * 1024 * 1024;

std::string Deflate(std::string_view plain);
// The inflated bytes, or nullopt when `packed` is not zlib data or would exceed max_bytes.
std::optional<std::string> Inflate(std::string_view packed,
                                   std::size_t max_bytes = kMaxInflatedBytes);

}  // namespace upw::sync
