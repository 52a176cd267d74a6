// Who is acting: the signed-in account, its role and (for supervisors) their supervisor record.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace upw::app {

enum class Role { kSupervisor, kPlanner, kAdmin, kDevice };
std::optional<Role> ParseRole(std::string_view text);
std::string_view ToString(Role r);

struct Actor {
  std::string user_id;
  std::string username;
  Role role = Role::kSupervisor;
  std::optional<std::string> supervisor_id;  // set for supervisors: their own groups only
};

// The actor used by `upw demo` and other command-line actions run on the device itself.
Actor SystemActor();

}  // namespace upw::app
