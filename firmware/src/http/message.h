// HTTP requests and responses as plain values, so the API can be driven without a socket and the
// CivetWeb glue (server.cpp) stays a thin translation.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "app/resource.h"
#include "common/status.h"

namespace upw::http {

inline constexpr std::size_t kMaxBodyBytes = 1 << 20;  // 1 MiB

struct Request {
  std::string method;
  std::string path;  // decoded, without the query string
  app::Query query;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string client;  // remote address
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// 4xx/5xx application/problem+json naming the field and the reason (RFC 9457).
Response Problem(const Status& s);
Response Problem(int http_status, const std::string& field, const std::string& detail);
int HttpStatusOf(Code c);

// "/api/v1/work-groups/7" -> {"api", "v1", "work-groups", "7"}; empty segments are dropped.
std::vector<std::string> SplitPath(const std::string& path);

// Splits "a=1&b=x%20y" into decoded pairs. Invalid (field "query") on a repeated or empty name.
Result<app::Query> ParseQuery(const std::string& raw);

}  // namespace upw::http
