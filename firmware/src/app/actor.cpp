#include "app/actor.h"

namespace upw::app {

std::optional<Role> ParseRole(std::string_view t) {
  if (t == "supervisor") return Role::kSupervisor;
  if (t == "planner") return Role::kPlanner;
  if (t == "admin") return Role::kAdmin;
  if (t == "device") return Role::kDevice;
  return std::nullopt;
}

std::string_view ToString(Role r) {
  switch (r) {
    case Role::kSupervisor:
      return "supervisor";
    case Role::kPlanner:
      return "planner";
    case Role::kAdmin:
      return "admin";
    case Role::kDevice:
      return "device";
  }
  return "supervisor";
}

Actor SystemActor() { return Actor{"", "system", Role::kAdmin, std::nullopt}; }

}  // namespace upw::app
