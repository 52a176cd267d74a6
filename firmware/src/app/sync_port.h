// What the device API needs from sync (implemented in sync/device), so http/ does not depend on
// sync/: the sync state for the sync page, and an exchange on demand ("Sync now").
#pragma once

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace upw::app {

class SyncPort {
 public:
  virtual ~SyncPort() = default;
  // Queue depth, oldest unsent change, last good exchange, clock offset, conflicts, rejected ops.
  virtual Result<nlohmann::json> SyncStatus() = 0;
  // One whole exchange now; its report (ok false with the reason when the hub was not reached).
  virtual nlohmann::json SyncNow() = 0;
};

}  // namespace upw::app
