#include "checksum.h"

#include <sodium.h>

#include <algorithm>

namespace upw::sync {

nlohmann::json CanonicalValue(const nlohmann::json& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
  if (v.is_array() || v.is_object()) return v.dump();
  return v;
}

std::string CanonicalLine(const EntityDef& def, const std::string& id, const nlohmann::json& body) {
  nlohmann::json values = nlohmann::json::array();
  for (const auto& f : def.fields) {
    values.push_back(body.contains(f) ? CanonicalValue(body[f]) : nlohmann::json(nullptr));
  }
  return def.name + "|" + id + "|" + values.dump();
}

std::string EventLine(const std::string& id) { return std::string(kEventEntity) + "|" + id; }

std::string UnitChecksum(std::vector<std::string> lines) {
  std::sort(lines.begin(), lines.end());
  crypto_generichash_state st;
  unsigned char out[16];
  crypto_generichash_init(&st, nullptr, 0, sizeof out);
  for (const auto& l : lines) {
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(l.data()), l.size());
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>("\n"), 1);
  }
  crypto_generichash_final(&st, out, sizeof out);
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

}  // namespace upw::sync
