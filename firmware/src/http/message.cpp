#include "http/message.h"

#include <nlohmann/json.hpp>

namespace upw::http {

int HttpStatusOf(Code c) {
  switch (c) {
    case Code::kOk:
      return 200;
    case Code::kInvalid:
      return 422;
    case Code::kMalformed:
      return 400;
    case Code::kNotFound:
      return 404;
    case Code::kConflict:
      return 409;
    case Code::kPreconditionFailed:
      return 412;
    case Code::kPreconditionRequired:
      return 428;
    case Code::kForbidden:
      return 403;
    case Code::kUnauthenticated:
      return 401;
    case Code::kTooLarge:
      return 413;
    case Code::kRateLimited:
      return 429;
    case Code::kUnavailable:
      return 503;
    case Code::kInternal:
      return 500;
  }
  return 500;
}

static const char* Title(int status) {
  switch (status) {
    case 400:
      return "Bad request";
    case 401:
      return "Sign in first";
    case 403:
      return "Not allowed";
    case 404:
      return "Not found";
    case 405:
      return "Method not allowed";
    case 409:
      return "Conflict";
    case 411:
      return "Length required";
    case 412:
      return "Changed by someone else";
    case 413:
      return "Request too large";
    case 415:
      return "Unsupported media type";
    case 422:
      return "Check your answers";
    case 428:
      return "If-Match required";
    case 429:
      return "Too many attempts";
    case 503:
      return "Service unavailable";
    default:
      return "Server error";
  }
}

Response Problem(int http_status, const std::string& field, const std::string& detail) {
  nlohmann::json j = {{"type", "about:blank"},
                      {"title", Title(http_status)},
                      {"status", http_status},
                      {"detail", detail}};
  if (!field.empty()) {
    j["field"] = field;
    j["errors"] = {{{"field", field}, {"reason", detail}}};
  }
  Response r;
  r.status = http_status;
  r.content_type = "application/problem+json";
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Problem(const Status& s) {
  const int code = HttpStatusOf(s.code());
  if (s.code() == Code::kRateLimited) {
    Response r = Problem(code, "", s.message());
    r.headers.emplace_back("Retry-After", s.field());  // seconds, carried in the field slot
    return r;
  }
  // Internal errors never echo internals to the client; the server log has them.
  return Problem(code, s.field(),
                 s.code() == Code::kInternal ? "an internal error occurred" : s.message());
}

static int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static std::string Decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && Hex(s[i + 1]) >= 0 && Hex(s[i + 2]) >= 0) {
      out += static_cast<char>(Hex(s[i + 1]) * 16 + Hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Result<app::Query> ParseQuery(const std::string& raw) {
  app::Query q;
  std::size_t start = 0;
  while (start < raw.size()) {
    std::size_t end = raw.find('&', start);
    if (end == std::string::npos) end = raw.size();
    const std::string part = raw.substr(start, end - start);
    start = end + 1;
    if (part.empty()) continue;
    const std::size_t eq = part.find('=');
    const std::string name = Decode(part.substr(0, eq));
    const std::string value = eq == std::string::npos ? "" : Decode(part.substr(eq + 1));
    if (name.empty()) return Status::Invalid("query", "a query parameter has no name");
    if (!q.emplace(name, value).second) return Status::Invalid(name, name + " is given twice");
  }
  return q;
}

}  // namespace upw::http
