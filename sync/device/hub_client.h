// HTTP to the hub with libcurl: bounded timeouts (a dead link never stalls the sync loop), bodies
// inflated here so the bytes on the wire can be counted, and the hub's TLS key pinned once known.
#pragma once

#include <cstdint>
#include <string>

namespace upw::sync {

struct HubReply {
  int status = 0;     // 0: no answer (connection refused, cut, timed out)
  std::string body;   // inflated
  std::string error;  // why there was no answer
  std::int64_t sent_bytes = 0;
  std::int64_t received_bytes = 0;  // as they crossed the wire
};

struct HubRequest {
  std::string method = "GET";
  std::string url;
  std::string body;
  std::string content_type = "application/json";
  std::string content_encoding;  // "deflate" when body is deflated
  std::string authorization;
  std::string pin;  // required public key (sha256//BASE64), or empty before enrolment
  // Enrolment over https without a pin from head office: accept the hub's self-signed
  // certificate this once; the key it names is pinned for every later request.
  bool insecure_first_contact = false;
  std::int64_t device_ms = 0;
  long timeout_s = 60;
};

// One connection to the hub, kept open across the requests of an exchange (keep-alive): over a
// slow link each new connection costs a TCP and a TLS handshake, about 1.8 s at 300 ms latency.
class HubConnection {
 public:
  HubConnection();
  ~HubConnection();
  HubConnection(const HubConnection&) = delete;
  HubConnection& operator=(const HubConnection&) = delete;
  HubReply Send(const HubRequest& request);

 private:
  void* curl_;
};

// A request on a connection of its own.
HubReply Send(const HubRequest& request);

}  // namespace upw::sync
