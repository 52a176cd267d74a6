#include "app/group_access.h"

#include "app/resource.h"

namespace upw::app {

Result<nlohmann::json> LoadGroupFor(store::Db& db, const Actor& a, const std::string& group_id) {
  nlohmann::json g = LoadRow(db, Spec("work-groups"), group_id);
  const bool hidden = a.role == Role::kSupervisor && !g.is_null() &&
                      g["supervisor_id"] != a.supervisor_id.value_or("");
  if (g.is_null() || hidden) {
    return Status::Error(Code::kNotFound, "id", "no work group with id " + group_id.substr(0, 64));
  }
  return g;
}

domain::SessionWindow WindowOf(const nlohmann::json& group) {
  const auto date = *domain::ParseDate(group["session_date"].get<std::string>());
  const int start = *domain::ParseTimeOfDay(group["starts_at"].get<std::string>());
  const int end = *domain::ParseTimeOfDay(group["ends_at"].get<std::string>());
  domain::SessionWindow w;
  w.start = domain::UkLocalToUtc(date, start);
  w.end = domain::UkLocalToUtc(end > start ? date : domain::AddDays(date, 1), end);
  return w;
}

}  // namespace upw::app
