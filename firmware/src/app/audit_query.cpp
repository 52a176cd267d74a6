#include "app/audit_query.h"

#include <cstdlib>

namespace upw::app {

using nlohmann::json;

Result<std::vector<json>> ListAudit(const Services& s, const Actor& a, const Query& q) {
  if (a.role != Role::kPlanner && a.role != Role::kAdmin) {
    return Status::Error(Code::kForbidden, "", "only planners and admins read the audit trail");
  }
  std::string where = "1=1";
  std::vector<std::string> binds;
  std::int64_t limit = 100;
  std::int64_t before = -1;
  for (const auto& [k, v] : q) {
    if (k == "entity" || k == "entity_id" || k == "username" || k == "action") {
      if (v.size() > 100) return Status::Invalid(k, k + " is too long");
      where += " AND " + k + " = ?";
      binds.push_back(v);
    } else if (k == "limit" || k == "before") {
      char* end = nullptr;
      const long long n = std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < 1 || (k == "limit" && n > 500)) {
        return Status::Invalid(k, k == "limit" ? "limit must be a whole number from 1 to 500"
                                               : "before must be a positive audit seq");
      }
      (k == "limit" ? limit : before) = n;
    } else {
      return Status::Invalid(k, k + " is not a filter of the audit trail");
    }
  }
  if (before > 0) where += " AND seq < " + std::to_string(before);
  auto lease = s.reads.Acquire();
  store::Stmt& st = lease->Prepare(
      "SELECT seq, at, user_id, username, role, device_id, action, entity, entity_id, detail FROM "
      "audit WHERE " +
      where + " ORDER BY seq DESC LIMIT " + std::to_string(limit));
  int i = 1;
  for (const auto& b : binds) st.Bind(i++, b);
  std::vector<json> out;
  while (st.Step()) {
    out.push_back({{"seq", st.Int(0)},
                   {"at", st.Text(1)},
                   {"user_id", st.Json(2)},
                   {"username", st.Text(3)},
                   {"role", st.Text(4)},
                   {"device_id", st.Text(5)},
                   {"action", st.Text(6)},
                   {"entity", st.Text(7)},
                   {"entity_id", st.Text(8)},
                   {"detail", json::parse(st.Text(9), nullptr, false)}});
  }
  if (!st.status().ok()) return st.status();
  return out;
}

}  // namespace upw::app
