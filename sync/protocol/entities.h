// The entities that sync carries between devices and the hub, in dependency order (a row's
// references come before it), with the fields that travel and the fields only head office may
// change. Pure data: the device, the hub and the checksums all read this one table.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace upw::sync {

inline constexpr std::string_view kEventEntity = "attendance_event";

struct EntityDef {
  std::string name;   // outbox/wire name, e.g. "order"
  std::string table;  // device table, e.g. "cpo_order"
  std::vector<std::string> fields;
  // Set when head office creates the row (or a device creates it); a device may never change them.
  std::vector<std::string> office_only;
  // Rows of this entity belong to one work group (scope): the field naming it, or empty.
  std::string group_field;
};

// Every synced entity except attendance events (which are append-only and travel whole).
const std::vector<EntityDef>& Entities();
const EntityDef* FindEntity(std::string_view name);
bool IsOfficeOnly(const EntityDef& def, std::string_view field);

}  // namespace upw::sync
