#include "merge.h"

#include <algorithm>
#include <set>

namespace upw::sync {

using nlohmann::json;

std::string Stamp(Hlc hlc, const std::string& device_id) { return Encode(hlc) + "@" + device_id; }

ClampedHlc ClampHlc(Hlc op, std::int64_t hub_now_ms, std::int64_t max_ahead_ms, Hlc hub_next) {
  if (op.wall_ms > hub_now_ms + max_ahead_ms) return {hub_next, true};
  return {op, false};
}

FieldMerge MergeFields(const EntityDef& def, bool exists, const json& body, const json& stamps,
                       const json& incoming, const std::string& stamp) {
  FieldMerge out{exists ? body : json::object(), exists ? stamps : json::object(), {}, {}, {}};
  if (!out.body.is_object()) out.body = json::object();
  if (!out.stamps.is_object()) out.stamps = json::object();
  if (exists) {
    for (const auto& f : def.office_only) {
      if (!incoming.contains(f)) continue;
      const json current = body.contains(f) ? body[f] : json(nullptr);
      if (incoming[f] != current) {
        return {body, stamps, {}, f, f + " is set by head office; a device cannot change it"};
      }
    }
  }
  for (const auto& f : def.fields) {
    if (!incoming.contains(f)) continue;
    const std::string current = out.stamps.value(f, std::string());
    if (stamp <= current) continue;  // a later write of this field already stands
    out.stamps[f] = stamp;
    const json before = out.body.contains(f) ? out.body[f] : json(nullptr);
    if (before != incoming[f] || !out.body.contains(f)) {
      out.body[f] = incoming[f];
      out.changed.push_back(f);
    }
  }
  return out;
}

const char* ToString(ConflictKind k) {
  switch (k) {
    case ConflictKind::kNone:
      return "none";
    case ConflictKind::kDuplicateRecord:
      return "duplicate_record";
    case ConflictKind::kConcurrentChange:
      return "concurrent_change";
  }
  return "none";
}

EventVerdict JudgeEvent(const KnownEvent& incoming, const std::string& base_event_id, bool resolves,
                        const std::vector<KnownEvent>& same_person_group) {
  EventVerdict v;
  if (resolves) return v;
  std::set<std::string> voided;
  for (const auto& e : same_person_group) {
    if (e.kind == "void") voided.insert(e.record_id);
  }
  if (incoming.kind == "record") {
    for (const auto& e : same_person_group) {
      if (e.kind != "record" || e.record_id == incoming.record_id || voided.count(e.record_id)) {
        continue;
      }
      v.conflict = ConflictKind::kDuplicateRecord;
      v.record_ids.push_back(e.record_id);
      v.event_ids.push_back(e.id);
    }
    if (v.conflict != ConflictKind::kNone) {
      v.record_ids.push_back(incoming.record_id);
      v.event_ids.push_back(incoming.id);
    }
    return v;
  }
  // A change to a record: its author must have seen the record's latest event.
  const KnownEvent* head = nullptr;
  for (const auto& e : same_person_group) {
    if (e.record_id == incoming.record_id) head = &e;
  }
  if (head == nullptr || head->id == base_event_id) return v;
  v.conflict = ConflictKind::kConcurrentChange;
  v.record_ids.push_back(incoming.record_id);
  v.event_ids = {head->id, incoming.id};
  return v;
}

}  // namespace upw::sync
