#include "ui/pages.h"

#include <spdlog/spdlog.h>

#include "app/attendance.h"
#include "app/resource.h"
#include "http/api.h"
#include "ui/assets.h"
#include "ui/forms.h"
#include "ui/register_pages.h"
#include "ui/render.h"
#include "ui/sync_page.h"

namespace upw::ui {

using nlohmann::json;

namespace {

std::string Cookie(const std::string& token, std::int64_t max_age) {
  return std::string(http::kSessionCookie) + "=" + token +
         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
}

std::string NextOf(const http::Request& req) {
  auto it = req.query.find("next");
  return it == req.query.end() ? std::string() : SafeNext(it->second);
}

http::Response PlainError(int status, const std::string& title, const std::string& text) {
  return Html(status,
              RenderPage("message", {{"title", title}, {"heading", title}, {"text", text}}));
}

}  // namespace

http::Response Pages::Handle(const http::Request& req) {
  try {
    return Route(req);
  } catch (const std::exception& e) {
    spdlog::error("page {} {} failed: {}", req.method, req.path, e.what());
    return PlainError(500, "Something went wrong",
                      "The page could not be shown. Nothing you had not already seen saved was "
                      "saved. Go back and try again.");
  }
}

http::Response Pages::Route(const http::Request& req) {
  if (req.path.rfind("/static/", 0) == 0) {
    const Asset* asset = req.method == "GET" ? FindAsset(req.path) : nullptr;
    if (asset == nullptr) return PlainError(404, "Page not found", "There is no such file.");
    http::Response r;
    r.content_type = asset->content_type;
    r.body = std::string(asset->content);
    r.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return r;
  }
  if (req.method == "POST" && !SameOrigin(req)) {
    return PlainError(403, "Not allowed", "Forms can only be sent from this service's own pages.");
  }
  if (req.method != "GET" && req.method != "POST") {
    http::Response r = PlainError(405, "Not allowed", "This address only answers GET and POST.");
    r.headers.emplace_back("Allow", "GET, POST");
    return r;
  }
  const std::vector<std::string> seg = http::SplitPath(req.path);
  if (seg.size() == 1 && seg[0] == "login") return Login(req);
  if (seg.size() == 1 && seg[0] == "unlock") return Unlock(req);
  if (seg.size() == 1 && seg[0] == "logout" && req.method == "POST") return Logout(req);

  // Everything else needs a signed-in, unlocked session.
  auto who = auth_.Authenticate(http::SessionToken(req));
  if (!who.ok()) {
    const std::string next = req.method == "GET" ? "?next=" + req.path : "";
    return SeeOther((who.status().field() == "pin" ? "/unlock" : "/login") +
                    (req.path == "/" ? std::string() : next));
  }
  const app::Actor& a = *who;
  if (seg.empty()) return SeeOther("/today");
  if (seg.size() == 1 && seg[0] == "pin") return Pin(req, a);
  if (seg.size() == 1 && seg[0] == "today" && req.method == "GET") return Today(req, a);
  if (!seg.empty() && seg[0] == "sync") {
    PageContext c{s_, a, req, {{"user", {{"username", a.username}}}, {"lock_after", lock_after_}}};
    return SyncPages(c, sync_, seg);
  }
  if (seg.size() >= 2 && seg[0] == "groups") {
    PageContext c{s_, a, req, {{"user", {{"username", a.username}}}, {"lock_after", lock_after_}}};
    return GroupPages(c, std::vector<std::string>(seg.begin() + 1, seg.end()));
  }
  return PlainError(404, "Page not found", "There is no page at this address.");
}

http::Response Pages::Login(const http::Request& req) {
  json data = {{"title", "Sign in"}};
  if (!NextOf(req).empty()) data["next"] = NextOf(req);
  if (req.method == "GET") return Html(200, RenderPage("login", data));
  auto form = ParseForm(req);
  if (!form.ok()) {
    AddError(data, form.status());
    return Html(400, RenderPage("login", data));
  }
  const std::string username = Value(*form, "username");
  const std::string password = Value(*form, "password");
  data["username"] = username;
  if (username.empty() || username.size() > 64) {
    AddError(data, Status::Invalid("username", "enter your username"));
  }
  if (password.empty() || password.size() > 256) {
    AddError(data, Status::Invalid("password", "enter your password"));
  }
  if (data.contains("errors")) return Html(422, RenderPage("login", data));
  auto signed_in = auth_.Login(username, password, req.client);
  if (!signed_in.ok()) {
    const bool throttled = signed_in.status().code() == Code::kRateLimited;
    AddError(data, throttled ? Status::Invalid("username", signed_in.status().message())
                             : Status::Invalid("password", "wrong username or password"));
    return Html(throttled ? 429 : 401, RenderPage("login", data));
  }
  const std::string next = NextOf(req).empty() ? "/today" : NextOf(req);
  http::Response r = SeeOther(auth_.HasPin(signed_in->actor) ? next : "/pin");
  r.headers.emplace_back("Set-Cookie", Cookie(signed_in->token, app::kSessionSeconds));
  return r;
}

http::Response Pages::Pin(const http::Request& req, const app::Actor& a) {
  json data = {{"title", "Choose a PIN"}, {"user", {{"username", a.username}}}};
  if (req.method == "GET") return Html(200, RenderPage("pin", data));
  auto form = ParseForm(req);
  if (!form.ok()) {
    AddError(data, form.status());
    return Html(400, RenderPage("pin", data));
  }
  if (Status st = auth_.SetPin(a, Value(*form, "pin"), Value(*form, "pin_confirm")); !st.ok()) {
    AddError(data, st);
    return Html(st.code() == Code::kInvalid ? 422 : 503, RenderPage("pin", data));
  }
  return SeeOther("/today");
}

http::Response Pages::Unlock(const http::Request& req) {
  const std::string token = http::SessionToken(req);
  json data = {{"title", "Locked"}};
  if (!NextOf(req).empty()) data["next"] = NextOf(req);
  if (token.empty()) return SeeOther("/login");
  if (req.method == "GET") {
    auto who = auth_.Authenticate(token);
    if (who.ok()) return SeeOther(NextOf(req).empty() ? "/today" : NextOf(req));
    if (who.status().field() != "pin") return SeeOther("/login");
    return Html(200, RenderPage("unlock", data));
  }
  auto form = ParseForm(req);
  if (!form.ok()) {
    AddError(data, form.status());
    return Html(400, RenderPage("unlock", data));
  }
  auto unlocked = auth_.Unlock(token, Value(*form, "pin"));
  if (!unlocked.ok()) {
    if (unlocked.status().code() == Code::kUnauthenticated) {
      http::Response r = SeeOther("/login");
      r.headers.emplace_back("Set-Cookie", Cookie("", 0));
      return r;
    }
    AddError(data, unlocked.status());
    return Html(422, RenderPage("unlock", data));
  }
  return SeeOther(NextOf(req).empty() ? "/today" : NextOf(req));
}

http::Response Pages::Logout(const http::Request& req) {
  const std::string token = http::SessionToken(req);
  auto who = auth_.Authenticate(token);
  if (who.ok()) {
    (void)auth_.Logout(*who, token);
  } else if (who.status().field() == "pin") {
    // A locked session may still be ended: that is what "Sign out" on the lock page is for.
    (void)auth_.Logout(app::Actor{}, token);
  }
  http::Response r = SeeOther("/login");
  r.headers.emplace_back("Set-Cookie", Cookie("", 0));
  return r;
}

http::Response Pages::Today(const http::Request& req, const app::Actor& a) {
  const std::int64_t now = s_.clock.NowSeconds();
  domain::Date today = domain::UkLocalDate(now);
  if (auto d = req.query.find("date"); d != req.query.end()) {
    if (auto parsed = domain::ParseDate(d->second)) today = *parsed;
  }
  const std::string today_text = domain::FormatDate(today);
  const std::string yesterday_text = domain::FormatDate(domain::AddDays(today, -1));
  auto listed = app::ListEntities(s_, a, app::Spec("work-groups"),
                                  {{"from", yesterday_text}, {"to", today_text}});
  if (!listed.ok()) {
    return PlainError(403, "Not available", listed.status().message());
  }
  json groups = json::array();
  for (const json& g : *listed) {
    if (g["status"] == "cancelled") continue;
    // Yesterday's sessions only while an evening session past midnight is still running.
    if (g["session_date"] == yesterday_text) {
      const bool crosses = g["ends_at"].get<std::string>() < g["starts_at"].get<std::string>();
      const auto end = GroupTime(g, g["ends_at"].get<std::string>());
      if (!crosses || !end || *end <= now) continue;
    }
    auto reg = app::GetRegister(s_, a, g["id"].get<std::string>());
    if (!reg.ok()) continue;
    const json& placement = (*reg)["placement"];
    json people = json::array();
    json pickups = json::array();
    for (const json& p : (*reg)["people"]) {
      const std::string name =
          p["first_name"].get<std::string>() + " " + p["last_name"].get<std::string>();
      json person = {{"name", name}, {"flags", RiskFlagLabels(p["risk_flags"])}};
      // Welfare notes are sensitive: the resource layer shows them to planners and admins only.
      if (a.role == app::Role::kPlanner || a.role == app::Role::kAdmin) {
        auto su = app::GetEntity(s_, a, app::Spec("service-users"), p["service_user_id"]);
        if (su.ok() && su->body.value("welfare_notes", json()).is_string()) {
          person["welfare"] = su->body["welfare_notes"];
        }
      }
      people.push_back(person);
      if (p["pickup_time"].is_string() || p["pickup_point"].is_string()) {
        pickups.push_back({{"time", p["pickup_time"].is_string() ? p["pickup_time"] : json("")},
                           {"point", p["pickup_point"].is_string() ? p["pickup_point"] : json("")},
                           {"name", name}});
      }
    }
    json van = (*reg)["van"];
    groups.push_back({{"id", g["id"]},
                      {"placement", placement["name"]},
                      {"address", placement["address"]},
                      {"placement_notes", placement["notes"]},
                      {"starts_at", g["starts_at"]},
                      {"ends_at", g["ends_at"]},
                      {"evening", placement["kind"] == "evening_workshop"},
                      {"closed", g["status"] == "closed"},
                      {"van", van},
                      {"capacity", g["capacity"]},
                      {"people_count", people.size()},
                      {"people", people},
                      {"pickups", pickups}});
  }
  return Html(200, RenderPage("today", {{"title", "Today"},
                                        {"user", {{"username", a.username}}},
                                        {"lock_after", lock_after_},
                                        {"date_text", DateText(today)},
                                        {"groups", groups}}));
}

}  // namespace upw::ui
