// CivetWeb on the device: one worker thread per connection, so the pool is sized for every client
// we expect at once (extra connections would wait silently); keep-alive on (3x fewer round trips).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/message.h"

struct mg_context;

namespace upw::http {

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free port
  int threads = 96;
  // A PEM file with the key and certificate: serve HTTPS (TLS 1.2 and later) instead of HTTP.
  std::string tls_certificate;
};

class Server {
 public:
  using Handler = std::function<Response(const Request&)>;
  // Starts listening: /api/ goes to `api`, everything else to `pages` (the tablet UI). Both must
  // outlive the server and be safe to call from many threads. kUnavailable with CivetWeb's message
  // if the address cannot be bound.
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options, Handler api,
                                               Handler pages);
  ~Server();
  int port() const { return port_; }
  // Stops accepting and waits for in-flight requests (CivetWeb may take up to ~2 s).
  void Stop();

 private:
  Server() = default;
  Handler api_;
  Handler pages_;
  mg_context* ctx_ = nullptr;
  int port_ = 0;
};

}  // namespace upw::http
