// The two rows every action writes beside its change, in the same transaction: an audit row (who,
// when, what, from which device) and a sync outbox row (read by sync/).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/actor.h"
#include "store/writer.h"

namespace upw::app {

struct JournalEntry {
  std::string action;  // e.g. "placement.create", "attendance.amend"
  std::string entity;  // table-level name, e.g. "placement", "attendance_event"
  std::string entity_id;
  nlohmann::json detail;   // what changed (audit)
  std::string op;          // outbox op: "upsert" (row state) or "append" (event)
  nlohmann::json payload;  // outbox payload: the row or event as it now stands
  // For upserts: the fields this action changed (sync merges per field); empty: all of them.
  std::vector<std::string> fields = {};
};

// Writes the audit row and the outbox row. Fails only if storage fails.
Status Journal(store::WriteContext& ctx, const Actor& actor, const JournalEntry& e);
// An audit row alone, for actions that sync does not carry (sign-in, account changes).
Status AuditOnly(store::WriteContext& ctx, const Actor& actor, const std::string& action,
                 const std::string& entity, const std::string& entity_id,
                 const nlohmann::json& detail);

}  // namespace upw::app
