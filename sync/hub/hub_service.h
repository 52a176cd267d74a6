// The head office's side of sync: enrolment, push (exactly once per batch), pull by cursor within
// a device's scope, scope checksums and snapshots, and the admin's commands. Each request is one
// store transaction. The clock is passed in; merge rules live in protocol/merge.h.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "hub_store.h"

namespace upw::sync::hub {

struct HubOptions {
  int window_back_days = 7;    // a van's scope: its groups from this many days ago...
  int window_ahead_days = 14;  // ...to this many days ahead
  std::int64_t code_ttl_ms = 10 * 60 * 1000;
  int pull_scan_limit = 2000;  // change-log rows looked at per pull page
};

class HubService {
 public:
  HubService(HubStore& store, const Clock& clock, HubOptions options = {});

  // Admin: a one-time enrolment code for a named device. kind is "van" (van_id required: its
  // scope is that van's groups) or "base" (everything).
  Result<std::string> IssueCode(const std::string& name, const std::string& kind,
                                const std::string& van_id);
  Status Revoke(const std::string& device_id);
  // The pin ("sha256//...") of the TLS key the hub serves with, given to devices at enrolment;
  // empty when the hub serves plain HTTP (a test network).
  Status SetTlsPin(const std::string& pin);
  Result<std::string> TlsPin();
  Result<nlohmann::json> Devices();
  Result<nlohmann::json> Conflicts();

  // Device: {"code","schema","first_seq"} ->
  // {"device_id","secret","name","kind","van_id","hlc","ms"}.
  Result<nlohmann::json> Enrol(const nlohmann::json& request);
  // "Bearer DEVICE.SECRET" -> the device, if known, active and of a schema we understand.
  Result<DeviceRow> Authenticate(std::string_view authorization);
  // One batch (inflated JSON text) -> the answer's JSON text; a replayed batch gets its stored
  // answer byte for byte. device_ms: the device's clock when it sent (for the offset it is shown).
  Result<std::string> Push(const std::string& device_id, std::string_view batch_json,
                           std::int64_t device_ms);
  Result<nlohmann::json> Pull(const DeviceRow& device, std::int64_t after, int limit_bytes);
  // {"units":[{"u":GROUP_ID,"sum":HEX}], "ref":HEX}: what the device should hold, by unit.
  Result<nlohmann::json> Scope(const DeviceRow& device);
  // Everything in one unit (a work group id in the device's scope, or "ref").
  Result<nlohmann::json> Snapshot(const DeviceRow& device, const std::string& unit);

 private:
  HubStore& store_;
  const Clock& clock_;
  HubOptions options_;
};

// The hash stored for a device secret or enrolment code (BLAKE2b-256, hex): both are long random
// tokens, so a fast hash is right; passwords are never involved.
std::string HashToken(std::string_view token);

}  // namespace upw::sync::hub
