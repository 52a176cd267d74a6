// The tablet UI: server-rendered pages over the same use cases as the JSON API (web/UI.md).
// Handle() never throws: an escaping exception becomes a plain error page and is logged.
#pragma once

#include <cstdint>
#include "app/sync_port.h"

#include "app/auth.h"
#include "app/services.h"
#include "http/message.h"

namespace upw::ui {

class Pages {
 public:
  // `lock_after`: idle seconds before the screen locks (the same figure Auth enforces).
  Pages(const app::Services& s, app::Auth& auth, std::int64_t lock_after)
      : s_(s), auth_(auth), lock_after_(lock_after) {}
  http::Response Handle(const http::Request& req);
  // The sync page (/sync); without it the page says the device does not sync.
  void set_sync(app::SyncPort* sync) { sync_ = sync; }

 private:
  http::Response Route(const http::Request& req);
  http::Response Login(const http::Request& req);
  http::Response Pin(const http::Request& req, const app::Actor& a);
  http::Response Unlock(const http::Request& req);
  http::Response Logout(const http::Request& req);
  http::Response Today(const http::Request& req, const app::Actor& a);

  const app::Services& s_;
  app::Auth& auth_;
  const std::int64_t lock_after_;
  app::SyncPort* sync_ = nullptr;
};

}  // namespace upw::ui
