// A small HTTP/1.1 client over libcurl for tests and benchmarks: one connection kept alive, its
// own cookie jar (so a signed-in session sticks). Not thread-safe: one per thread.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

typedef void CURL;

namespace upw::testing {

struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names; last value wins
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class HttpClient {
 public:
  explicit HttpClient(std::string base_url);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse Request(const std::string& method, const std::string& path,
                       const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {});
  HttpResponse Get(const std::string& path) { return Request("GET", path); }
  HttpResponse Post(const std::string& path, const nlohmann::json& body) {
    return Request("POST", path, body.dump(), {{"Content-Type", "application/json"}});
  }
  HttpResponse Patch(const std::string& path, const nlohmann::json& body, const std::string& etag) {
    return Request("PATCH", path, body.dump(),
                   {{"Content-Type", "application/json"}, {"If-Match", etag}});
  }
  HttpResponse Delete(const std::string& path) { return Request("DELETE", path); }
  // POST /api/v1/session; true on 201.
  bool Login(const std::string& username, const std::string& password);

 private:
  std::string base_;
  CURL* curl_;
};

}  // namespace upw::testing
