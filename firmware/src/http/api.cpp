#include "http/api.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "app/allocations.h"
#include "app/attendance.h"
#include "app/audit_query.h"
#include "app/conflicts.h"
#include "app/register_actions.h"
#include "app/resource.h"
#include "http/openapi.h"
#include "store/migrations.h"

namespace upw::http {

using nlohmann::json;

namespace {

constexpr int kMaxJsonDepth = 32;

Response Json(int status, const json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

Response WithEtag(Response r, std::int64_t version) {
  r.headers.emplace_back("ETag", "\"v" + std::to_string(version) + "\"");
  return r;
}

// Rejects nesting deeper than we ever accept before parsing, so hostile input cannot exhaust the
// stack of a worker thread.
bool TooDeep(const std::string& body) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

bool IsJson(const Request& req) {
  return req.header("content-type").rfind("application/json", 0) == 0;
}

Response NotJson() { return Problem(415, "Content-Type", "send the body as application/json"); }

Result<json> ParseBody(const Request& req) {
  if (req.body.empty()) return Status::Error(Code::kMalformed, "", "the request has no body");
  if (TooDeep(req.body))
    return Status::Error(Code::kMalformed, "", "the JSON body is nested too deeply");
  json j = json::parse(req.body, nullptr, false);
  if (j.is_discarded()) return Status::Error(Code::kMalformed, "", "the body is not valid JSON");
  if (!j.is_object()) return Status::Error(Code::kMalformed, "", "the body must be a JSON object");
  return j;
}

// If-Match: "v3" (or W/"v3") -> 3.
Result<std::int64_t> IfMatch(const Request& req) {
  std::string v = req.header("if-match");
  if (v.empty()) {
    return Status::Error(
        Code::kPreconditionRequired, "If-Match",
        "send If-Match with the ETag you read, so a change by someone else is not overwritten");
  }
  if (v.rfind("W/", 0) == 0) v = v.substr(2);
  if (v.size() < 4 || v.front() != '"' || v[1] != 'v' || v.back() != '"') {
    return Status::Error(Code::kMalformed, "If-Match", "If-Match must be an ETag such as \"v3\"");
  }
  const std::string digits = v.substr(2, v.size() - 3);
  if (digits.empty() || digits.size() > 15 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return Status::Error(Code::kMalformed, "If-Match", "If-Match must be an ETag such as \"v3\"");
  }
  return std::stoll(digits);
}

Response MethodNotAllowed(const std::string& allow) {
  Response r = Problem(405, "", "this address accepts " + allow);
  r.headers.emplace_back("Allow", allow);
  return r;
}

json ActorJson(const app::Actor& a) {
  return {{"user_id", a.user_id},
          {"username", a.username},
          {"role", app::ToString(a.role)},
          {"supervisor_id", a.supervisor_id ? json(*a.supervisor_id) : json(nullptr)}};
}

template <typename T>
Response ListResponse(const Result<std::vector<T>>& r) {
  if (!r.ok()) return Problem(r.status());
  return Json(200, {{"items", *r}, {"count", r->size()}});
}

}  // namespace

std::string SessionToken(const Request& req) {
  const std::string cookies = req.header("cookie");
  const std::string key = std::string(kSessionCookie) + "=";
  std::size_t pos = 0;
  while ((pos = cookies.find(key, pos)) != std::string::npos) {
    if (pos == 0 || cookies[pos - 1] == ' ' || cookies[pos - 1] == ';') {
      const std::size_t start = pos + key.size();
      const std::size_t end = cookies.find(';', start);
      return cookies.substr(start, end == std::string::npos ? std::string::npos : end - start);
    }
    pos += key.size();
  }
  return "";
}

Api::Api(const app::Services& s, app::Auth& auth)
    : s_(s), auth_(auth), openapi_(OpenApiDocument().dump()) {}

Response Api::Handle(const Request& req) {
  Response r;
  try {
    r = Route(req);
  } catch (const std::exception& e) {
    spdlog::error("{} {} failed: {}", req.method, req.path, e.what());
    r = Problem(500, "", "an internal error occurred");
  }
  if (r.status >= 500) spdlog::warn("{} {} -> {} {}", req.method, req.path, r.status, r.body);
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

Response Api::Route(const Request& req) {
  const std::vector<std::string> seg = SplitPath(req.path);
  if (seg.size() < 2 || seg[0] != "api" || seg[1] != "v1")
    return Problem(404, "", "no such address");
  const std::vector<std::string> p(seg.begin() + 2, seg.end());
  const std::string& m = req.method;
  const std::size_t n = p.size();

  if (n == 1 && p[0] == "health") {
    if (m != "GET") return MethodNotAllowed("GET");
    const auto stats = s_.writer.stats();
    return Json(200, {{"status", "ok"},
                      {"schema_version", store::LatestSchemaVersion()},
                      {"device_id", s_.writer.device_id()},
                      {"writer",
                       {{"batches", stats.batches},
                        {"actions", stats.actions},
                        {"action_ms", stats.action_us / 1000},
                        {"commit_ms", stats.commit_us / 1000}}}});
  }
  if (n == 1 && p[0] == "session" && m == "POST") {
    if (!IsJson(req)) return NotJson();
    auto body = ParseBody(req);
    if (!body.ok()) return Problem(body.status());
    const json user = body->value("username", json(nullptr));
    const json pass = body->value("password", json(nullptr));
    for (const auto& [k, _] : body->items()) {
      if (k != "username" && k != "password")
        return Problem(Status::Invalid(k, k + " is not a sign-in field"));
    }
    if (!user.is_string() || user.get<std::string>().empty() ||
        user.get<std::string>().size() > 64) {
      return Problem(Status::Invalid("username", "enter your username"));
    }
    if (!pass.is_string() || pass.get<std::string>().empty() ||
        pass.get<std::string>().size() > 256) {
      return Problem(Status::Invalid("password", "enter your password"));
    }
    auto signed_in = auth_.Login(user.get<std::string>(), pass.get<std::string>(), req.client);
    if (!signed_in.ok()) return Problem(signed_in.status());
    Response r =
        Json(201, {{"user", ActorJson(signed_in->actor)}, {"expires_in", app::kSessionSeconds}});
    r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=" + signed_in->token +
                                             "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                                             std::to_string(app::kSessionSeconds));
    return r;
  }

  // Everything below needs a signed-in account.
  std::string token = SessionToken(req);
  const std::string authz = req.header("authorization");
  if (token.empty() && authz.rfind("Bearer ", 0) == 0) token = authz.substr(7);
  auto who = auth_.Authenticate(token);
  if (!who.ok()) {
    Response r = Problem(who.status());
    r.headers.emplace_back("WWW-Authenticate", "Cookie realm=\"upw\"");
    return r;
  }
  const app::Actor& a = *who;
  // A form on another site cannot send application/json without a CORS preflight, which this
  // server never grants: with SameSite=Strict cookies that closes cross-site request forgery.
  const bool mutating = m == "POST" || m == "PATCH" || m == "PUT";

  if (n == 1 && p[0] == "session") {
    if (m == "GET") return Json(200, {{"user", ActorJson(a)}});
    if (m == "DELETE") {
      if (Status st = auth_.Logout(a, token); !st.ok()) return Problem(st);
      Response r;
      r.status = 204;
      r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) +
                                               "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
      return r;
    }
    return MethodNotAllowed("GET, POST, DELETE");
  }
  if (n >= 2 && p[0] == "sync" && p[1] == "conflicts") {
    if (n == 2) {
      if (m != "GET") return MethodNotAllowed("GET");
      auto list = app::ListConflicts(s_, a);
      if (!list.ok()) return Problem(list.status());
      return Json(200, {{"items", *list}});
    }
    if (n != 4 || p[3] != "resolve") return Problem(404, "", "no such resource");
    if (m != "POST") return MethodNotAllowed("POST");
    if (!IsJson(req)) return NotJson();
    auto body = ParseBody(req);
    if (!body.ok()) return Problem(body.status());
    if (!body->is_object() || !body->contains("keep") || !(*body)["keep"].is_string()) {
      return Problem(Status::Invalid("keep", "keep names the event whose version stands"));
    }
    Status st = app::ResolveConflict(s_, a, p[2], (*body)["keep"].get<std::string>());
    if (!st.ok()) return Problem(st);
    return Json(200, {{"resolved", p[2]}});
  }
  if (n >= 1 && n <= 2 && p[0] == "sync") {
    if (sync_ == nullptr) return Problem(404, "", "this device does not sync");
    if (n == 1) {
      if (m != "GET") return MethodNotAllowed("GET");
      auto st = sync_->SyncStatus();
      if (!st.ok()) return Problem(st.status());
      return Json(200, *st);
    }
    if (p[1] != "run") return Problem(404, "", "no such resource");
    if (m != "POST") return MethodNotAllowed("POST");
    return Json(200, sync_->SyncNow());
  }
  if (n == 1 && p[0] == "openapi.json") {
    if (m != "GET") return MethodNotAllowed("GET");
    Response r;
    r.body = openapi_;
    return r;
  }
  Result<json> body = json::object();
  if (mutating && !IsJson(req)) return NotJson();
  if (mutating) body = ParseBody(req);
  if (!body.ok()) return Problem(body.status());

  if (p[0] == "audit" && n == 1) {
    if (m != "GET") return MethodNotAllowed("GET");
    return ListResponse(app::ListAudit(s_, a, req.query));
  }
  if (p[0] == "users") {
    if (n == 1 && m == "GET") return ListResponse(auth_.ListUsers(a));
    if (n == 1 && m == "POST") {
      auto u = auth_.CreateUser(a, *body);
      return u.ok() ? Json(201, *u) : Problem(u.status());
    }
    if (n == 1) return MethodNotAllowed("GET, POST");
    if (n == 2 && m == "PATCH") {
      auto u = auth_.UpdateUser(a, p[1], *body);
      return u.ok() ? Json(200, *u) : Problem(u.status());
    }
    if (n == 2) return MethodNotAllowed("PATCH");
    if (n == 3 && p[2] == "password") {
      if (m != "PUT") return MethodNotAllowed("PUT");
      Status st = auth_.SetPassword(a, p[1], *body);
      if (!st.ok()) return Problem(st);
      Response r;
      r.status = 204;
      return r;
    }
    return Problem(404, "", "no such address");
  }

  if (p[0] == "work-groups" && n >= 3) {
    const std::string& group = p[1];
    if (p[2] == "allocations") {
      if (n == 3 && m == "GET") return ListResponse(app::ListAllocations(s_, a, group));
      if (n == 3 && m == "POST") {
        auto r = app::AddAllocation(s_, a, group, *body);
        return r.ok() ? Json(201, *r) : Problem(r.status());
      }
      if (n == 3) return MethodNotAllowed("GET, POST");
      if (n == 4 && m == "DELETE") {
        Status st = app::RemoveAllocation(s_, a, group, p[3]);
        if (!st.ok()) return Problem(st);
        Response r;
        r.status = 204;
        return r;
      }
      if (n == 4) return MethodNotAllowed("DELETE");
    }
    if (n == 3 && (p[2] == "close" || p[2] == "stand-down")) {
      if (m != "POST") return MethodNotAllowed("POST");
      auto r = p[2] == "close" ? app::CloseSession(s_, a, group)
                               : app::StandDownGroup(s_, a, group, *body);
      return r.ok() ? Json(200, *r) : Problem(r.status());
    }
    if (p[2] == "attendance") {
      auto written = [](const Result<app::AttendanceWrite>& w) {
        if (!w.ok()) return Problem(w.status());
        return Json(w->replayed ? 200 : 201, w->record);
      };
      if (n == 3 && m == "GET") {
        // What a viewer may see depends on role and name (sensitive notes), so both are in the key.
        const std::string key = group + "|" + std::string(app::ToString(a.role)) + "|" + a.username;
        const std::uint64_t commits = s_.writer.commits();
        const std::int64_t minute = s_.clock.NowSeconds() / 60;
        if (auto cached = registers_.Find(key, commits, minute)) {
          Response hit;
          hit.body = std::move(*cached);
          return hit;
        }
        auto r = app::GetRegister(s_, a, group);
        if (!r.ok()) return Problem(r.status());
        Response fresh = Json(200, *r);
        registers_.Put(key, commits, minute, fresh.body);
        return fresh;
      }
      if (n == 3 && m == "POST") return written(app::RecordAttendance(s_, a, group, *body));
      if (n == 3) return MethodNotAllowed("GET, POST");
      if (n == 4 && m == "GET") {
        auto r = app::GetRecord(s_, a, group, p[3]);
        return r.ok() ? Json(200, *r) : Problem(r.status());
      }
      if (n == 4) return MethodNotAllowed("GET");
      if (n == 5 && p[4] == "amendments") {
        if (m != "POST") return MethodNotAllowed("POST");
        return written(app::AmendAttendance(s_, a, group, p[3], *body));
      }
      if (n == 5 && p[4] == "updates") {
        if (m != "POST") return MethodNotAllowed("POST");
        return written(app::UpdateAttendance(s_, a, group, p[3], *body));
      }
      if (n == 5 && p[4] == "void") {
        if (m != "POST") return MethodNotAllowed("POST");
        return written(app::VoidAttendance(s_, a, group, p[3], *body));
      }
    }
    return Problem(404, "", "no such address");
  }

  const app::ResourceSpec* spec = app::FindResource(p[0]);
  if (spec == nullptr || n > 2) return Problem(404, "", "no such address");
  if (n == 1) {
    if (m == "GET") return ListResponse(app::ListEntities(s_, a, *spec, req.query));
    if (m == "POST") {
      auto r = app::CreateEntity(s_, a, *spec, *body);
      if (!r.ok()) return Problem(r.status());
      Response resp = WithEtag(Json(201, r->body), r->version);
      resp.headers.emplace_back("Location",
                                "/api/v1/" + spec->path + "/" + r->body["id"].get<std::string>());
      return resp;
    }
    return MethodNotAllowed("GET, POST");
  }
  if (m == "GET") {
    auto r = app::GetEntity(s_, a, *spec, p[1]);
    return r.ok() ? WithEtag(Json(200, r->body), r->version) : Problem(r.status());
  }
  if (m == "PATCH") {
    auto version = IfMatch(req);
    if (!version.ok()) return Problem(version.status());
    auto r = app::PatchEntity(s_, a, *spec, p[1], *version, *body);
    return r.ok() ? WithEtag(Json(200, r->body), r->version) : Problem(r.status());
  }
  return MethodNotAllowed("GET, PATCH");
}

}  // namespace upw::http
