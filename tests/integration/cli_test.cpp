// The `upw` administration commands against real database files: the demo authority, and a
// password reset that ends the account's sessions even in a server that is already running.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "store/db.h"
#include "world.h"

namespace upw::testing {
namespace {

using nlohmann::json;

std::int64_t Count(store::Db& db, const std::string& sql) {
  auto& st = db.Prepare(sql);
  return st.Step() ? st.Int(0) : -1;
}

TEST(Cli, DemoSeedsARealisticAuthorityOnlyIntoAnEmptyDatabase) {
  TempDir dir;
  const std::string db = dir.file("demo.db");
  std::string out;
  ASSERT_EQ(RunUpw({"demo", "--db", db}, "", &out), 0) << out;
  {
    auto raw = store::Db::Open(db, {.read_only = true}).value();
    EXPECT_EQ(Count(*raw, "SELECT count(*) FROM van"), 3);
    EXPECT_EQ(Count(*raw, "SELECT count(*) FROM supervisor"), 6);
    EXPECT_EQ(Count(*raw, "SELECT count(*) FROM placement"), 12);
    EXPECT_EQ(Count(*raw, "SELECT count(*) FROM placement WHERE kind = 'at_base_workshop'"), 1);
    EXPECT_EQ(Count(*raw,
                    "SELECT json_array_length(days_available) FROM placement "
                    "WHERE kind = 'evening_workshop'"),
              4)
        << "evening workshops four nights a week";
    EXPECT_GE(Count(*raw, "SELECT count(*) FROM service_user"), 110);
    EXPECT_GE(Count(*raw, "SELECT count(DISTINCT status) FROM cpo_order"), 5)
        << "orders at every stage";
    EXPECT_GE(Count(*raw,
                    "SELECT count(DISTINCT session_date) FROM work_group WHERE "
                    "session_date < date('now')"),
              8)
        << "two weeks of history";
    EXPECT_GT(Count(*raw, "SELECT count(*) FROM attendance_event"), 100);
  }
  // Every demo account signs in with "demo", and the server says whose database this is.
  auto server = ServerProcess::Start(db);
  for (const std::string user : {"planner", "supervisor1", "supervisor6", "admin"}) {
    EXPECT_TRUE(HttpClient(server->url()).Login(user, "demo")) << user;
  }
  std::ifstream log(server->log_path());
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_NE(text.str().find("seeded with --demo"), std::string::npos) << text.str();
  server->Signal(SIGTERM);
  // A database that already holds an authority is left alone.
  out.clear();
  ASSERT_EQ(RunUpw({"demo", "--db", db}, "", &out), 0) << out;
  EXPECT_NE(out.find("demo data not added"), std::string::npos) << out;
}

TEST(Cli, ResetPasswordEndsTheAccountsSessionsInARunningServer) {
  auto w = MakeWorld(1);
  ASSERT_EQ(w->supervisor->Get("/api/v1/session").status, 200);
  std::string out;
  ASSERT_EQ(RunUpw({"user", "reset-password", "--db", w->db, "--username", "sup"},
                   "a brand new passphrase\n", &out),
            0)
      << out;
  // The running server learns of it within its re-check interval (10 s).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  int status = 200;
  while (status == 200 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    status = static_cast<int>(w->supervisor->Get("/api/v1/session").status);
  }
  EXPECT_EQ(status, 401) << "the old session still works after the reset";
  auto c = w->Client();
  EXPECT_FALSE(c->Login("sup", kSupervisorPassword));
  EXPECT_TRUE(c->Login("sup", "a brand new passphrase"));
  // Other accounts are untouched.
  EXPECT_EQ(w->planner->Get("/api/v1/session").status, 200);
}

// The writer's connection once kept the read transaction of its start-up schema check open; after
// any other process wrote (upw user add, upw enrol), every write answered 503 "database is
// locked" until the server restarted.
TEST(Cli, ACommandWritingBesideARunningServerLeavesItWritable) {
  TempDir dir;
  const std::string db = dir.file("upw.db");
  ASSERT_EQ(RunUpw({"user", "add", "--db", db, "--username", "admin", "--role", "admin"},
                   std::string(kAdminPassword) + "\n"),
            0);
  auto server = ServerProcess::Start(db);
  ASSERT_EQ(RunUpw({"user", "add", "--db", db, "--username", "later", "--role", "planner"},
                   "another passphrase\n"),
            0);
  HttpClient admin(server->url());
  EXPECT_TRUE(admin.Login("admin", kAdminPassword));  // a write: the session
  HttpClient later(server->url());
  EXPECT_TRUE(later.Login("later", "another passphrase"));
  EXPECT_EQ(
      later.Post("/api/v1/vans", {{"registration", "SV70 XYZ"}, {"name", "Van 9"}, {"seats", 8}})
          .status,
      201);
}

}  // namespace
}  // namespace upw::testing
