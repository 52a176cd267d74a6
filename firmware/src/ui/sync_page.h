// The sync page: what waits to be sent and since when, the last good exchange, the clock's
// offset from head office, the conflict inbox (planners resolve it here) and refused changes.
#pragma once

#include "app/sync_port.h"
#include "ui/register_pages.h"

namespace upw::ui {

// GET /sync, POST /sync/run, POST /sync/conflicts/{id}.
http::Response SyncPages(PageContext& c, app::SyncPort* sync, const std::vector<std::string>& seg);

}  // namespace upw::ui
