// The register pages of one work group: the list with one-tap arrival and sign-out, a person's
// record form and history, void, stand-down, close and the paper register (web/UI.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/actor.h"
#include "app/services.h"
#include "http/message.h"

namespace upw::ui {

struct PageContext {
  const app::Services& s;
  const app::Actor& actor;
  const http::Request& req;
  nlohmann::json layout;  // what every page's layout needs: user, lock_after
};

// Answers /groups/{id}[/...]; `rest` are the path segments after "groups".
http::Response GroupPages(const PageContext& c, const std::vector<std::string>& rest);

// Human words for the API's values, shared with the Today page.
std::string OutcomeLabel(const std::string& outcome);
std::vector<std::string> RiskFlagLabels(const nlohmann::json& flags);

}  // namespace upw::ui
