// The JSON API under /api/v1: routing, authentication, roles, ETags, and the translation of use
// case results into HTTP. Handlers hold no rules of their own: they call app/.
#pragma once

#include <string>

#include "app/auth.h"
#include "app/services.h"
#include "app/sync_port.h"
#include "http/message.h"
#include "http/read_cache.h"

namespace upw::http {

inline constexpr const char* kSessionCookie = "upw_session";

// The session token from the request's cookie, or "".
std::string SessionToken(const Request& req);

class Api {
 public:
  Api(const app::Services& s, app::Auth& auth);
  // Answers one request. Never throws: any escaping exception becomes a 500 problem and is logged.
  Response Handle(const Request& req);
  // Sync with head office (GET /sync, POST /sync/run); without it those answer 404.
  void set_sync(app::SyncPort* sync) { sync_ = sync; }

 private:
  Response Route(const Request& req);
  const app::Services& s_;
  app::Auth& auth_;
  std::string openapi_;  // built once
  ReadCache registers_;  // rendered registers, per group and viewer
  app::SyncPort* sync_ = nullptr;
};

}  // namespace upw::http
