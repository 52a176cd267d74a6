#include "entities.h"

#include <algorithm>

namespace upw::sync {

const std::vector<EntityDef>& Entities() {
  static const std::vector<EntityDef> kDefs = {
      {"supervisor", "supervisor", {"name", "phone", "can_drive", "active", "notes"}, {}, ""},
      {"van", "van", {"registration", "name", "seats", "usable_seats", "active", "notes"}, {}, ""},
      {"placement",
       "placement",
       {"name", "kind", "address", "beneficiary", "days_available", "capacity",
        "max_per_supervisor", "indoor", "flags", "notes", "active"},
       {},
       ""},
      {"service_user",
       "service_user",
       {"first_name", "last_name", "date_of_birth", "phone", "risk_flags", "keep_apart",
        "availability", "notes", "welfare_notes"},
       {},
       ""},
      // The court's order: what was imposed, by whom and until when is head office's to change.
      {"order",
       "cpo_order",
       {"service_user_id", "court", "imposed_on", "hours_ordered", "deadline",
        "other_activity_allowed", "status", "case_manager", "first_seen_on"},
       {"service_user_id", "court", "imposed_on", "hours_ordered", "deadline"},
       ""},
      {"work_group",
       "work_group",
       {"session_date", "starts_at", "ends_at", "placement_id", "supervisor_id", "van_id",
        "capacity", "status", "notes"},
       {},
       "id"},
      {"allocation",
       "allocation",
       {"work_group_id", "service_user_id", "order_id", "pickup_point", "pickup_time", "deleted"},
       {"work_group_id", "service_user_id", "order_id"},
       "work_group_id"},
      {"conflict",
       "conflict",
       {"kind", "work_group_id", "service_user_id", "record_ids", "event_ids", "detail", "status",
        "resolution", "resolved_by", "resolved_at"},
       {"kind", "work_group_id", "service_user_id", "record_ids", "event_ids", "detail"},
       "work_group_id"},
  };
  return kDefs;
}

const EntityDef* FindEntity(std::string_view name) {
  for (const auto& d : Entities()) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

bool IsOfficeOnly(const EntityDef& def, std::string_view field) {
  return std::find(def.office_only.begin(), def.office_only.end(), field) != def.office_only.end();
}

}  // namespace upw::sync
