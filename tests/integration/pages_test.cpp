// The tablet UI's pages over real HTTP: sign-in and the PIN, the lock after idle, same-origin
// form posts, escaping, hashed assets, and who may see welfare notes. The whole day in a real
// browser is walked by web/tests (Playwright in Chromium).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "world.h"

namespace upw::testing {
namespace {

using nlohmann::json;

class Pages : public ::testing::Test {
 protected:
  void SetUp() override { w = MakeWorld(2); }
  // A browser-like form post from this server's own pages.
  HttpResponse Form(HttpClient& c, const std::string& path, const std::string& body,
                    const std::string& origin = "") {
    const std::string host = w->server->url().substr(7);  // after "http://"
    return c.Request("POST", path, body,
                     {{"Content-Type", "application/x-www-form-urlencoded"},
                      {"Origin", origin.empty() ? "http://" + host : origin}});
  }
  std::unique_ptr<World> w;
};

TEST_F(Pages, SignInChooseAPinThenToday) {
  auto c = w->Client();
  auto r = c->Get("/today");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.header("location"), "/login?next=/today");
  EXPECT_EQ(c->Get("/login").status, 200);

  r = Form(*c, "/login", "username=sup&password=wrong+password");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("There is a problem"), std::string::npos);
  EXPECT_NE(r.body.find("value=\"sup\""), std::string::npos) << "the username is kept";

  r = Form(*c, "/login", std::string("username=sup&password=") + kSupervisorPassword);
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.header("location"), "/pin") << "first sign-in: choose a PIN";
  EXPECT_NE(r.header("set-cookie").find("HttpOnly"), std::string::npos);

  r = Form(*c, "/pin", "pin=2468&pin_confirm=2469");
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("href=\"#pin_confirm\""), std::string::npos) << r.body;
  r = Form(*c, "/pin", "pin=24&pin_confirm=24");
  EXPECT_EQ(r.status, 422);
  r = Form(*c, "/pin", "pin=2468&pin_confirm=2468");
  ASSERT_EQ(r.status, 303) << r.body;

  r = c->Get("/today?date=" + w->yesterday);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Community garden"), std::string::npos);
  EXPECT_NE(r.body.find("/groups/" + w->group), std::string::npos);
  EXPECT_EQ(r.body.find(w->other_group), std::string::npos) << "only the supervisor's own groups";
  EXPECT_EQ(c->Get("/groups/" + w->other_group).status, 404);

  // Signing in again on another tablet goes straight to Today: the PIN is the account's.
  auto again = w->Client();
  r = Form(*again, "/login", std::string("username=sup&password=") + kSupervisorPassword);
  EXPECT_EQ(r.header("location"), "/today");
}

TEST_F(Pages, FormsFromAnotherSiteAreRefusedAndWriteNothing) {
  auto c = w->Client();
  ASSERT_EQ(Form(*c, "/login", std::string("username=sup&password=") + kSupervisorPassword).status,
            303);
  const std::string arrive = "/groups/" + w->group + "/people/" + w->people[0] + "/arrive";
  EXPECT_EQ(Form(*c, arrive, "", "http://evil.example").status, 403);
  auto reg = w->planner->Get("/api/v1/work-groups/" + w->group + "/attendance").json();
  EXPECT_TRUE(reg["people"][0]["record"].is_null());
  // The same tap from the service's own page is saved and the banner names the stored event.
  auto r = Form(*c, arrive, "");
  ASSERT_EQ(r.status, 303) << r.body;
  const std::string location = r.header("location");
  EXPECT_NE(location.find("?event="), std::string::npos) << location;
  r = c->Get(location.substr(0, location.find('#')));
  EXPECT_NE(r.body.find("Saved: Person Number 0, arrived at"), std::string::npos) << r.body;
  // A made-up event never shows as saved.
  r = c->Get("/groups/" + w->group + "?event=01890a5d-ac96-774b-bcce-b302099a8057");
  EXPECT_EQ(r.body.find("Saved:"), std::string::npos);
}

TEST_F(Pages, NamesAreEscapedAndWelfareNotesAreForPlannersOnly) {
  auto& p = *w->planner;
  auto person = p.Get("/api/v1/service-users/" + w->people[1]);
  ASSERT_EQ(p.Patch("/api/v1/service-users/" + w->people[1],
                    {{"first_name", "<script>alert(1)</script>"},
                     {"welfare_notes", "carer for a parent"}},
                    person.header("etag"))
                .status,
            200);
  auto sup = w->Client();
  ASSERT_EQ(
      Form(*sup, "/login", std::string("username=sup&password=") + kSupervisorPassword).status,
      303);
  auto today = sup->Get("/today?date=" + w->yesterday);
  ASSERT_EQ(today.status, 200);
  EXPECT_EQ(today.body.find("<script>alert(1)"), std::string::npos);
  EXPECT_NE(today.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(today.body.find("carer for a parent"), std::string::npos);

  auto planner = w->Client();
  ASSERT_EQ(
      Form(*planner, "/login", std::string("username=planner&password=") + kPlannerPassword).status,
      303);
  today = planner->Get("/today?date=" + w->yesterday);
  EXPECT_NE(today.body.find("carer for a parent"), std::string::npos);
}

TEST_F(Pages, AssetsHaveHashedNamesAndLongCaching) {
  auto c = w->Client();
  auto login = c->Get("/login");
  // (No std::regex: g++ 12 warns falsely inside it under the sanitizers.)
  const std::size_t at = login.body.find("href=\"/static/app.");
  ASSERT_NE(at, std::string::npos) << login.body;
  const std::size_t from = at + 6;
  const std::string href = login.body.substr(from, login.body.find('"', from) - from);
  ASSERT_EQ(href.substr(href.size() - 4), ".css") << href;
  auto css = c->Get(href);
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.header("content-type"), "text/css; charset=utf-8");
  EXPECT_NE(css.header("cache-control").find("immutable"), std::string::npos);
  EXPECT_EQ(c->Get("/static/app.000000000000.css").status, 404);
  EXPECT_NE(login.header("content-security-policy").find("default-src 'self'"), std::string::npos);
}

TEST(PagesLock, IdleSessionLocksUntilThePinAndFiveWrongPinsEndIt) {
  auto w = MakeWorld(1);
  w->server->Signal(SIGTERM);
  w->server = ServerProcess::Start(w->db, {"--lock-after", "1"});
  auto c = w->Client();
  const std::string host = "http://" + w->server->url().substr(7);
  auto form = [&](const std::string& path, const std::string& body) {
    return c->Request("POST", path, body,
                      {{"Content-Type", "application/x-www-form-urlencoded"}, {"Origin", host}});
  };
  ASSERT_EQ(form("/login", std::string("username=sup&password=") + kSupervisorPassword).status,
            303);
  ASSERT_EQ(form("/pin", "pin=1357&pin_confirm=1357").status, 303);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto r = c->Get("/today");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.header("location"), "/unlock?next=/today");
  r = c->Get("/api/v1/session");
  EXPECT_EQ(r.status, 401) << "the API is locked too";
  EXPECT_EQ(r.json()["field"], "pin");
  r = form("/unlock?next=/today", "pin=0000");
  EXPECT_EQ(r.status, 422) << r.header("location") << r.body;
  EXPECT_NE(r.body.find("4 tries left"), std::string::npos) << r.body;
  r = form("/unlock?next=/today", "pin=1357");
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(r.header("location"), "/today");
  EXPECT_EQ(c->Get("/today").status, 200);

  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(form("/unlock", "pin=0000").status, 422);
  r = form("/unlock", "pin=0000");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.header("location"), "/login");
  EXPECT_EQ(form("/unlock", "pin=1357").header("location"), "/login") << "the session has ended";
}

}  // namespace
}  // namespace upw::testing
