// A small authority built through the real API on a real server: what most integration tests need.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "http_client.h"
#include "server_process.h"

namespace upw::testing {

inline constexpr const char* kPlannerPassword = "planner-pass-1";
inline constexpr const char* kSupervisorPassword = "supervisor-pass-1";
inline constexpr const char* kAdminPassword = "admin-pass-1";

struct World {
  TempDir dir;
  std::string db;
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<HttpClient> planner;
  std::unique_ptr<HttpClient> supervisor;  // signed in as the supervisor of `group`
  std::unique_ptr<HttpClient> admin;
  std::string supervisor_id, other_supervisor_id, van_id, placement_id;
  std::vector<std::string> people;  // service user ids, each with one active order
  std::vector<std::string> orders;
  std::string group;        // yesterday 09:00-16:00, everyone in `people` allocated
  std::string other_group;  // the other supervisor's group, same day
  std::string yesterday;    // YYYY-MM-DD (UK)

  std::unique_ptr<HttpClient> Client() const { return std::make_unique<HttpClient>(server->url()); }
  // "YYYY-MM-DDTHH:MM:00Z" for a UK local time yesterday.
  std::string At(int hour, int minute) const;
  // Restarts the server on the same database (SIGKILL first if `kill`).
  void Restart(bool kill);
};

// Builds the world: admin account by `upw user add`, then everything else over HTTP.
std::unique_ptr<World> MakeWorld(int people = 4);

}  // namespace upw::testing
