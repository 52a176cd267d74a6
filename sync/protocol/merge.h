// The hub's merge rules, as pure functions of values (no storage, no clock reads).
//
// - Entities other than attendance merge per field: the write with the later stamp wins, where a
//   stamp is the op's hybrid logical clock followed by its device id (so ties break the same way
//   on every replica). Office-only fields may be set when a row is created, never changed after.
// - A device whose clock runs far ahead has its stamps clamped to the hub's clock, and is flagged.
// - Attendance events are append-only and merge by id. Two live records for one person in one
//   group, or a change made to a record without having seen its latest event, are conflicts for a
//   person to resolve: both events are kept and nothing wins on its own.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "entities.h"
#include "hlc.h"

namespace upw::sync {

// "HLC16@device": compares as text in stamp order.
std::string Stamp(Hlc hlc, const std::string& device_id);

struct ClampedHlc {
  Hlc hlc;
  bool clamped = false;  // the op's clock was more than max_ahead_ms ahead of the hub's
};
// The stamp to merge an op with: its own, or `hub_next` when it is more than max_ahead_ms ahead
// of hub_now_ms.
ClampedHlc ClampHlc(Hlc op, std::int64_t hub_now_ms, std::int64_t max_ahead_ms, Hlc hub_next);
inline constexpr std::int64_t kMaxClockAheadMs = 5 * 60 * 1000;

struct FieldMerge {
  nlohmann::json body;    // the row after the merge
  nlohmann::json stamps;  // field -> Stamp of its current value
  std::vector<std::string> changed;
  std::string rejected_field;  // set when the op was refused: nothing changes
  std::string rejected_reason;
};
// Merges `incoming` (field -> value, only the fields the op wrote) into the row `body` with its
// per-field `stamps`; `exists` is false when the hub has no such row yet (a create).
FieldMerge MergeFields(const EntityDef& def, bool exists, const nlohmann::json& body,
                       const nlohmann::json& stamps, const nlohmann::json& incoming,
                       const std::string& stamp);

// What the hub knows of one attendance event when judging a new one.
struct KnownEvent {
  std::string id;
  std::string record_id;
  std::string kind;  // record | update | amend | void
  std::string device_id;
};

enum class ConflictKind { kNone, kDuplicateRecord, kConcurrentChange };
const char* ToString(ConflictKind k);

struct EventVerdict {
  ConflictKind conflict = ConflictKind::kNone;
  std::vector<std::string> record_ids;  // the records in conflict
  std::vector<std::string> event_ids;   // the events in conflict, oldest first
};
// Judges a new event against the hub's events for the same person in the same group (in the
// hub's order). `base_event_id` is the record's latest event as its author's device knew it;
// `resolves` is set on events a planner made to resolve a conflict, which are never conflicts.
EventVerdict JudgeEvent(const KnownEvent& incoming, const std::string& base_event_id, bool resolves,
                        const std::vector<KnownEvent>& same_person_group);

}  // namespace upw::sync
