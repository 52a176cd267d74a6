#include "http/server.h"

#include <civetweb.h>
#include <dlfcn.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <vector>

namespace upw::http {

namespace {

void Send(mg_connection* conn, const Response& r) {
  mg_response_header_start(conn, r.status);
  if (!r.body.empty() || r.status != 204) {
    mg_response_header_add(conn, "Content-Type", r.content_type.c_str(), -1);
  }
  const std::string length = std::to_string(r.status == 204 ? 0 : r.body.size());
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  for (const auto& [k, v] : r.headers) mg_response_header_add(conn, k.c_str(), v.c_str(), -1);
  mg_response_header_send(conn);
  if (r.status != 204 && !r.body.empty()) mg_write(conn, r.body.data(), r.body.size());
}

int Handle(mg_connection* conn, void* cbdata) {
  const Server::Handler& handler = *static_cast<const Server::Handler*>(cbdata);
  const mg_request_info* ri = mg_get_request_info(conn);
  Request req;
  req.method = ri->request_method ? ri->request_method : "";
  req.path = ri->local_uri ? ri->local_uri : "";
  req.client = ri->remote_addr;
  for (int i = 0; i < ri->num_headers; ++i) {
    std::string name = ri->http_headers[i].name ? ri->http_headers[i].name : "";
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    req.headers[name] = ri->http_headers[i].value ? ri->http_headers[i].value : "";
  }
  auto query = ParseQuery(ri->query_string ? ri->query_string : "");
  if (!query.ok()) {
    Send(conn, Problem(query.status()));
    return 1;
  }
  req.query = *query;
  if (ri->content_length > static_cast<long long>(kMaxBodyBytes)) {
    mg_disable_connection_keep_alive(conn);  // the unread body must not be taken for a request
    Send(conn, Problem(413, "", "the body is larger than 1 MiB"));
    return 1;
  }
  char buf[16384];
  for (;;) {
    const int got = mg_read(conn, buf, sizeof buf);
    if (got <= 0) break;
    req.body.append(buf, static_cast<std::size_t>(got));
    if (req.body.size() > kMaxBodyBytes) {
      mg_disable_connection_keep_alive(conn);
      Send(conn, Problem(413, "", "the body is larger than 1 MiB"));
      return 1;
    }
  }
  Send(conn, handler(req));
  return 1;
}

// See src/tls_shim/libssl_compat.c: loaded by path before CivetWeb loads "libssl.so" by name.
Status LoadTlsCompat() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::string shim = (exe.parent_path() / "libupw-libssl-compat.so").string();
  if (ec || dlopen(shim.c_str(), RTLD_NOW | RTLD_GLOBAL) == nullptr) {
    return Status::Error(Code::kUnavailable, "tls",
                         "cannot load " + shim +
                             " (it is built beside upw): " + (dlerror() ? dlerror() : "not found"));
  }
  return Status::Ok();
}

int LogMessage(const mg_connection*, const char* message) {
  spdlog::warn("civetweb: {}", message);
  return 1;
}

}  // namespace

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options, Handler api,
                                              Handler pages) {
  const bool tls = !options.tls_certificate.empty();
  if (tls) {
    if (Status s = LoadTlsCompat(); !s.ok()) return s;
  }
  mg_init_library(tls ? MG_FEATURES_TLS : 0);
  const std::string threads = std::to_string(options.threads);
  std::string ports = options.listen + (tls ? "s" : "");
  std::vector<const char*> cfg = {
      "listening_ports",    ports.c_str(), "num_threads",           threads.c_str(),
      "enable_keep_alive",  "yes",         "keep_alive_timeout_ms", "5000",
      "request_timeout_ms", "10000",       "tcp_nodelay",           "1",
      "listen_backlog",     "256",         "connection_queue",      "256",
      "max_request_size",   "65536",
  };
  if (tls) {
    cfg.insert(cfg.end(), {"ssl_certificate", options.tls_certificate.c_str(),
                           // TLS 1.2 and later only (CivetWeb's level 4).
                           "ssl_protocol_version", "4"});
  }
  cfg.push_back(nullptr);
  mg_callbacks callbacks{};
  callbacks.log_message = LogMessage;
  std::unique_ptr<Server> server(new Server());
  server->api_ = std::move(api);
  server->pages_ = std::move(pages);
  server->ctx_ = mg_start(&callbacks, nullptr, cfg.data());
  if (server->ctx_ == nullptr) {
    return Status::Error(Code::kUnavailable, "listen", "cannot listen on " + options.listen);
  }
  mg_set_request_handler(server->ctx_, "/api/", Handle, &server->api_);
  mg_set_request_handler(server->ctx_, "/", Handle, &server->pages_);
  mg_server_port bound[4];
  const int n = mg_get_server_ports(server->ctx_, 4, bound);
  if (n > 0) server->port_ = bound[0].port;
  return server;
}

Server::~Server() { Stop(); }

void Server::Stop() {
  if (ctx_ != nullptr) {
    mg_stop(ctx_);
    ctx_ = nullptr;
  }
}

}  // namespace upw::http
