// The hub's HTTP face: translates requests to HubService calls and results to responses.
//   GET  /health
//   POST /sync/v1/enrol            {"code","schema","first_seq"}
//   POST /sync/v1/push             a batch (Content-Encoding: deflate), Authorization: Bearer
//   GET  /sync/v1/pull?after=SEQ   a page of changes in the device's scope (deflated)
//   GET  /sync/v1/scope            the scope's units with checksums (deflated)
//   GET  /sync/v1/scope/UNIT       everything in one unit (deflated)
#pragma once

#include "http/message.h"
#include "hub_service.h"

namespace upw::sync::hub {

http::Response HandleHubRequest(HubService& hub, const http::Request& request);

}  // namespace upw::sync::hub
