#include "hub_http.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "wire.h"

namespace upw::sync::hub {

using nlohmann::json;

namespace {

http::Response Json(const json& body, bool deflate) {
  http::Response r;
  r.body = body.dump();
  if (deflate) {
    r.body = Deflate(r.body);
    r.headers.push_back({"Content-Encoding", "deflate"});
  }
  r.headers.push_back({"Cache-Control", "no-store"});
  return r;
}

std::int64_t ParseInt(const std::string& text, std::int64_t fallback) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return ec == std::errc() && p == text.data() + text.size() ? v : fallback;
}

}  // namespace

namespace {
http::Response Route(HubService& hub, const http::Request& req);
}  // namespace

http::Response HandleHubRequest(HubService& hub, const http::Request& req) {
  try {
    return Route(hub, req);
  } catch (const std::exception& e) {
    spdlog::error("hub: {} {} failed: {}", req.method, req.path, e.what());
    return http::Problem(500, "", "the hub failed to answer; nothing was changed");
  }
}

namespace {

http::Response Route(HubService& hub, const http::Request& req) {
  const auto parts = http::SplitPath(req.path);
  if (req.method == "GET" && parts.size() == 1 && parts[0] == "health") {
    return Json({{"status", "ok"}, {"service", "upw hub"}}, false);
  }
  if (parts.size() < 3 || parts[0] != "sync" || parts[1] != "v1") {
    return http::Problem(404, "", "no such resource");
  }
  const std::string& what = parts[2];
  if (what == "enrol" && parts.size() == 3) {
    if (req.method != "POST") return http::Problem(405, "", "use POST");
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded()) return http::Problem(400, "", "the body is not JSON");
    auto out = hub.Enrol(body);
    if (!out.ok()) {
      spdlog::warn("hub: enrolment refused from {}: {}", req.client, out.status().message());
      return http::Problem(out.status());
    }
    spdlog::info("hub: enrolled device {} ({})", (*out)["device_id"].get<std::string>(),
                 (*out)["name"].get<std::string>());
    return Json(*out, false);
  }
  auto device = hub.Authenticate(req.header("authorization"));
  if (!device.ok()) return http::Problem(device.status());
  if (what == "push" && parts.size() == 3) {
    if (req.method != "POST") return http::Problem(405, "", "use POST");
    std::string plain = req.body;
    if (req.header("content-encoding") == "deflate") {
      auto inflated = Inflate(req.body);
      if (!inflated) return http::Problem(400, "", "the body is not deflate data");
      plain = std::move(*inflated);
    }
    auto answer = hub.Push(device->id, plain, ParseInt(req.header("x-device-time-ms"), 0));
    if (!answer.ok()) return http::Problem(answer.status());
    http::Response r;
    r.body = std::move(answer).value();
    return r;
  }
  if (req.method != "GET") return http::Problem(405, "", "use GET");
  if (what == "pull" && parts.size() == 3) {
    auto it = req.query.find("after");
    const std::int64_t after = it == req.query.end() ? 0 : ParseInt(it->second, -1);
    if (after < 0) return http::Problem(422, "after", "after is a change sequence number (>= 0)");
    auto page = hub.Pull(*device, after, static_cast<int>(kBatchJsonBytes));
    if (!page.ok()) return http::Problem(page.status());
    return Json(*page, true);
  }
  if (what == "scope" && parts.size() == 3) {
    auto scope = hub.Scope(*device);
    if (!scope.ok()) return http::Problem(scope.status());
    return Json(*scope, true);
  }
  if (what == "scope" && parts.size() == 4) {
    auto snap = hub.Snapshot(*device, parts[3]);
    if (!snap.ok()) return http::Problem(snap.status());
    return Json(*snap, true);
  }
  return http::Problem(404, "", "no such resource");
}

}  // namespace

}  // namespace upw::sync::hub
