// The device's side of sync. One exchange (SyncOnce) pushes every unsent op in batches, pulls
// every change in the device's scope page by page, then compares scope checksums and re-fetches
// only the units that drifted. Safe to interrupt at any byte: every step is a durable commit
// before the next request, and every request can be repeated.
#pragma once

#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "app/services.h"
#include "app/sync_port.h"
#include "common/status.h"

namespace upw::sync {

class HubConnection;

struct SyncReport {
  bool ok = false;
  std::string error;        // why the exchange stopped early
  bool must_enrol = false;  // the hub refused this device (revoked, restored from an old copy)
  bool not_enrolled = false;
  int batches = 0;
  int ops_pushed = 0;
  int rejected = 0;
  int conflicts = 0;
  int changes_pulled = 0;
  int units_checked = 0;
  int units_repaired = 0;
  int rows_skipped = 0;
  int redacted = 0;
  std::int64_t bytes_sent = 0;
  std::int64_t bytes_received = 0;
  nlohmann::json ToJson() const;
};

class DeviceSync final : public app::SyncPort {
 public:
  explicit DeviceSync(const app::Services& services);
  Result<nlohmann::json> SyncStatus() override { return StatusJson(); }
  nlohmann::json SyncNow() override { return SyncOnce(true).ToJson(); }

  // Enrols with the hub using a one-time code from head office (replacing any earlier
  // enrolment: ops not yet answered are sent again under the new one, and merged by id).
  // Over https the hub's key is pinned: to `pin` ("sha256//...", from head office with the code)
  // when given, else to the key the hub names at enrolment (trust on first use).
  Result<nlohmann::json> Enrol(const std::string& hub_url, const std::string& code,
                               const std::string& pin = "");
  // One whole exchange. `check_scope`: compare every unit's checksum (always done when the last
  // check is older than ten minutes).
  SyncReport SyncOnce(bool check_scope);
  // Queue depth, oldest unsent change, last good exchange, clock offset, conflicts, rejected ops.
  Result<nlohmann::json> StatusJson();

 private:
  struct State;
  Result<State> LoadState();
  bool PushAll(HubConnection& conn, const State& st, SyncReport& r);
  bool PullAll(HubConnection& conn, SyncReport& r);
  bool CheckScope(HubConnection& conn, SyncReport& r);
  bool Refused(int status, const std::string& body, SyncReport& r);
  // One request to the hub as this enrolment: GET `path`, or POST the deflated `batch` when given.
  // Counts the bytes; no answer, or a refusal, becomes r.error (and must_enrol) and false. On
  // success *body holds the answer and *sent_ms the device's clock when it asked.
  bool Call(HubConnection& conn, const State& st, const std::string& path, const std::string* batch,
            SyncReport& r, std::string* body, std::int64_t* sent_ms = nullptr);
  void RecordAttempt(const SyncReport& r);

  const app::Services& s_;
  std::mutex mu_;  // one exchange at a time
};

}  // namespace upw::sync
