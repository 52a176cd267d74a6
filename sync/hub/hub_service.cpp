#include "hub_service.h"

#include <sodium.h>

#include <algorithm>
#include <set>

#include "checksum.h"
#include "common/ids.h"
#include "domain/civil_time.h"
#include "entities.h"
#include "hlc.h"
#include "merge.h"
#include "wire.h"

namespace upw::sync::hub {

using nlohmann::json;

std::string HashToken(std::string_view token) {
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

namespace {

constexpr const char* kHubStampDevice = "hub";

std::string RandomHex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                 raw.size());
  hex.pop_back();
  return hex;
}

// Codes are read aloud and typed on a tablet: no 0/O or 1/I/L.
std::string NewCode() {
  static constexpr char kAlphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
  std::string code;
  for (int i = 0; i < 10; ++i) {
    code += kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
    if (i == 4) code += '-';
  }
  return code;
}

std::string NormaliseCode(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  return out;
}

std::string Str(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

Result<Hlc> LoadHubHlc(HubTx& tx) {
  auto h = tx.GetMeta("hlc");
  if (!h.ok()) return h.status();
  if (!h->has_value()) return Hlc{};
  return Decode(**h).value_or(Hlc{});
}

// The scope keys the store indexes, from a row's body.
EntityRow WithScopeKeys(EntityRow row, const EntityDef& def) {
  row.group_id = def.group_field == "id" ? row.id : Str(row.body, def.group_field.c_str());
  if (def.name == "work_group") {
    row.van_id = Str(row.body, "van_id");
    row.session_date = Str(row.body, "session_date");
  }
  return row;
}

bool Deleted(const EntityRow& r) {
  return r.body.contains("deleted") && r.body["deleted"].is_boolean() &&
         r.body["deleted"].get<bool>();
}

// What one device may see: every work group (base) or one van's groups in the date window, and
// the people and orders allocated to them. Reference data (vans, placements, supervisors) is
// shared by every device.
struct ScopeSet {
  bool all = false;
  std::vector<EntityRow> groups;  // in the window (the units of the scope manifest)
  std::set<std::string> group_ids, people, orders;
};

Result<ScopeSet> ComputeScope(HubTx& tx, const DeviceRow& d, const std::string& from,
                              const std::string& to) {
  ScopeSet s;
  s.all = d.kind == "base";
  auto groups = s.all ? tx.GroupsBetween(from, to) : tx.GroupsOfVan(d.van_id, from, to);
  if (!groups.ok()) return groups.status();
  s.groups = std::move(groups).value();
  for (const auto& g : s.groups) {
    s.group_ids.insert(g.id);
    auto allocs = tx.EntitiesOfGroup("allocation", g.id);
    if (!allocs.ok()) return allocs.status();
    for (const auto& a : *allocs) {
      if (Deleted(a)) continue;
      s.people.insert(Str(a.body, "service_user_id"));
      s.orders.insert(Str(a.body, "order_id"));
    }
  }
  return s;
}

bool InScope(const ScopeSet& s, const std::string& entity, const std::string& id,
             const json& body) {
  if (s.all || entity == "supervisor" || entity == "van" || entity == "placement") return true;
  if (entity == "work_group") return s.group_ids.count(id) > 0;
  if (entity == "service_user") return s.people.count(id) > 0;
  if (entity == "order") return s.orders.count(id) > 0;
  return s.group_ids.count(Str(body, "work_group_id")) > 0;  // allocations, events, conflicts
}

json Change(std::int64_t seq, const std::string& entity, const std::string& id, json body) {
  return {{"c", seq}, {"e", entity}, {"i", id}, {"b", std::move(body)}};
}

// Every row of one unit, in dependency order, each as {"e","i","b"}; events as their bodies.
struct UnitRows {
  json entities = json::array();
  json events = json::array();
  std::vector<std::string> lines;
};

Status AddRow(UnitRows& u, const std::string& entity, const EntityRow& row) {
  const EntityDef* def = FindEntity(entity);
  u.entities.push_back({{"e", entity}, {"i", row.id}, {"b", row.body}});
  u.lines.push_back(CanonicalLine(*def, row.id, row.body));
  return Status::Ok();
}

Result<UnitRows> CollectUnit(HubTx& tx, const std::string& unit) {
  UnitRows u;
  if (unit == "ref") {
    for (const char* entity : {"supervisor", "van", "placement"}) {
      auto rows = tx.EntitiesOfKind(entity);
      if (!rows.ok()) return rows.status();
      for (const auto& r : *rows) AddRow(u, entity, r);
    }
    return u;
  }
  auto group = tx.FindEntity("work_group", unit);
  if (!group.ok()) return group.status();
  if (!group->has_value()) return Status::Error(Code::kNotFound, "unit", "no such work group");
  auto allocs = tx.EntitiesOfGroup("allocation", unit);
  if (!allocs.ok()) return allocs.status();
  std::vector<EntityRow> live;
  for (const auto& a : *allocs) {
    if (!Deleted(a)) live.push_back(a);
  }
  std::set<std::string> seen;
  for (const auto& a : live) {
    const std::string person = Str(a.body, "service_user_id");
    if (!seen.insert("p" + person).second) continue;
    auto p = tx.FindEntity("service_user", person);
    if (!p.ok()) return p.status();
    if (p->has_value()) AddRow(u, "service_user", **p);
  }
  for (const auto& a : live) {
    const std::string order = Str(a.body, "order_id");
    if (!seen.insert("o" + order).second) continue;
    auto o = tx.FindEntity("order", order);
    if (!o.ok()) return o.status();
    if (o->has_value()) AddRow(u, "order", **o);
  }
  AddRow(u, "work_group", **group);
  for (const auto& a : live) AddRow(u, "allocation", a);
  auto events = tx.EventsOfGroup(unit);
  if (!events.ok()) return events.status();
  for (const auto& e : *events) {
    u.events.push_back(e.body);
    u.lines.push_back(EventLine(e.id));
  }
  auto conflicts = tx.EntitiesOfGroup("conflict", unit);
  if (!conflicts.ok()) return conflicts.status();
  for (const auto& c : *conflicts) AddRow(u, "conflict", c);
  return u;
}

struct Window {
  std::string from, to;
};

Window ScopeWindow(std::int64_t now_ms, const HubOptions& o) {
  const auto today = domain::UkLocalDate(now_ms / 1000);
  return {domain::FormatDate(domain::AddDays(today, -o.window_back_days)),
          domain::FormatDate(domain::AddDays(today, o.window_ahead_days))};
}

// Records a conflict, or adds the new event to the open conflict already about the same record.
Status RecordConflict(HubTx& tx, const EventRow& incoming, const EventVerdict& v, Hlc& hub_hlc,
                      std::int64_t now_ms, std::string* conflict_id) {
  auto open = tx.EntitiesOfGroup("conflict", incoming.work_group_id);
  if (!open.ok()) return open.status();
  hub_hlc = Tick(hub_hlc, now_ms);
  const std::string stamp = Stamp(hub_hlc, kHubStampDevice);
  for (auto row : *open) {
    if (Str(row.body, "status") != "open" ||
        Str(row.body, "service_user_id") != incoming.service_user_id) {
      continue;
    }
    json records = json::parse(Str(row.body, "record_ids"), nullptr, false);
    json events = json::parse(Str(row.body, "event_ids"), nullptr, false);
    if (!records.is_array() || !events.is_array()) continue;
    bool overlaps = false;
    for (const auto& r : v.record_ids) {
      if (std::find(records.begin(), records.end(), r) != records.end()) overlaps = true;
    }
    if (!overlaps) continue;
    for (const auto& r : v.record_ids) {
      if (std::find(records.begin(), records.end(), r) == records.end()) records.push_back(r);
    }
    for (const auto& e : v.event_ids) {
      if (std::find(events.begin(), events.end(), e) == events.end()) events.push_back(e);
    }
    row.body["record_ids"] = records.dump();
    row.body["event_ids"] = events.dump();
    row.stamps["record_ids"] = stamp;
    row.stamps["event_ids"] = stamp;
    *conflict_id = row.id;
    return tx.PutEntity(row);
  }
  EntityRow row;
  row.entity = "conflict";
  row.id = NewUuidV7(now_ms);
  row.body = {{"kind", ToString(v.conflict)},
              {"work_group_id", incoming.work_group_id},
              {"service_user_id", incoming.service_user_id},
              {"record_ids", json(v.record_ids).dump()},
              {"event_ids", json(v.event_ids).dump()},
              {"detail", v.conflict == ConflictKind::kDuplicateRecord
                             ? "Two attendance records for one person in one session"
                             : "Two changes to one attendance record, each made without seeing "
                               "the other"},
              {"status", "open"},
              {"resolution", nullptr},
              {"resolved_by", nullptr},
              {"resolved_at", nullptr}};
  for (const auto& [k, _] : row.body.items()) row.stamps[k] = stamp;
  *conflict_id = row.id;
  return tx.PutEntity(WithScopeKeys(row, *FindEntity("conflict")));
}

// Applies one attendance event; sets *outcome and, for conflicts, *conflict_id.
Status ApplyEvent(HubTx& tx, const std::string& device_id, const json& p, Hlc& hub_hlc,
                  std::int64_t now_ms, std::string* outcome, std::string* reason,
                  std::string* conflict_id) {
  EventRow e{Str(p, "id"),
             Str(p, "record_id"),
             Str(p, "kind"),
             Str(p, "work_group_id"),
             Str(p, "service_user_id"),
             device_id,
             p};
  if (!IsUuid(e.id) || e.record_id.empty() || e.work_group_id.empty() ||
      e.service_user_id.empty() ||
      (e.kind != "record" && e.kind != "update" && e.kind != "amend" && e.kind != "void")) {
    *outcome = "rejected";
    *reason = "not a well-formed attendance event";
    return Status::Ok();
  }
  auto existing = tx.FindEvent(e.id);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) {
    // Merged by id: the same event again (a device restored, or re-enrolled) is no change.
    if ((*existing)->body == p) {
      *outcome = "duplicate";
    } else {
      *outcome = "rejected";
      *reason = "an attendance event with this id already exists with different content";
    }
    return Status::Ok();
  }
  auto same = tx.EventsOf(e.work_group_id, e.service_user_id);
  if (!same.ok()) return same.status();
  std::vector<KnownEvent> known;
  for (const auto& k : *same) known.push_back({k.id, k.record_id, k.kind, k.device_id});
  const EventVerdict v = JudgeEvent({e.id, e.record_id, e.kind, device_id}, Str(p, "base_event_id"),
                                    !Str(p, "resolves").empty(), known);
  if (Status s = tx.PutEvent(e); !s.ok()) return s;
  *outcome = "applied";
  if (v.conflict == ConflictKind::kNone) return Status::Ok();
  *outcome = "conflict";
  return RecordConflict(tx, e, v, hub_hlc, now_ms, conflict_id);
}

}  // namespace

HubService::HubService(HubStore& store, const Clock& clock, HubOptions options)
    : store_(store), clock_(clock), options_(options) {}

Result<std::string> HubService::IssueCode(const std::string& name, const std::string& kind,
                                          const std::string& van_id) {
  if (name.empty() || name.size() > 100) {
    return Status::Invalid("name", "name the device (1 to 100 characters)");
  }
  if (kind != "van" && kind != "base") return Status::Invalid("kind", "kind is van or base");
  if (kind == "van" && van_id.empty()) {
    return Status::Invalid("van_id", "a van device needs the id of its van");
  }
  const std::string code = NewCode();
  Status s = store_.Write([&](HubTx& tx) {
    return tx.PutCode({HashToken(NormaliseCode(code)), name, kind, kind == "van" ? van_id : "",
                       clock_.NowMs() + options_.code_ttl_ms, ""});
  });
  if (!s.ok()) return s;
  return code;
}

Status HubService::Revoke(const std::string& device_id) {
  return store_.Write([&](HubTx& tx) -> Status {
    auto d = tx.FindDevice(device_id);
    if (!d.ok()) return d.status();
    if (!d->has_value()) return Status::Error(Code::kNotFound, "device", "no such device");
    DeviceRow row = **d;
    row.status = "revoked";
    return tx.PutDevice(row);
  });
}

Status HubService::SetTlsPin(const std::string& pin) {
  return store_.Write([&](HubTx& tx) { return tx.PutMeta("tls_pin", pin); });
}

Result<std::string> HubService::TlsPin() {
  std::string pin;
  Status s = store_.Read([&](HubTx& tx) -> Status {
    auto p = tx.GetMeta("tls_pin");
    if (!p.ok()) return p.status();
    pin = p->value_or("");
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return pin;
}

Result<json> HubService::Devices() {
  json out = json::array();
  Status s = store_.Read([&](HubTx& tx) -> Status {
    auto ds = tx.ListDevices();
    if (!ds.ok()) return ds.status();
    for (const auto& d : *ds) {
      out.push_back({{"id", d.id},
                     {"name", d.name},
                     {"kind", d.kind},
                     {"van_id", d.van_id},
                     {"status", d.status},
                     {"next_seq", d.next_seq},
                     {"schema", d.schema},
                     {"last_seen_ms", d.last_seen_ms},
                     {"clock_offset_ms", d.clock_offset_ms},
                     {"clock_flagged", d.clock_flagged}});
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<json> HubService::Conflicts() {
  json out = json::array();
  Status s = store_.Read([&](HubTx& tx) -> Status {
    auto rows = tx.EntitiesOfKind("conflict");
    if (!rows.ok()) return rows.status();
    for (const auto& r : *rows) {
      json c = r.body;
      c["id"] = r.id;
      out.push_back(c);
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<json> HubService::Enrol(const json& request) {
  if (!request.is_object()) return Status::Error(Code::kMalformed, "", "expected a JSON object");
  const std::string code = NormaliseCode(Str(request, "code"));
  if (code.size() != 10) return Status::Invalid("code", "an enrolment code has 10 characters");
  if (!request.contains("schema") || !request["schema"].is_number_integer()) {
    return Status::Invalid("schema", "the device's schema version is required");
  }
  const int schema = request["schema"].get<int>();
  if (schema < kMinDeviceSchema || schema > kMaxDeviceSchema) {
    return Status::Error(Code::kConflict, "schema",
                         "this device's database schema (" + std::to_string(schema) +
                             ") is not one this hub understands (" +
                             std::to_string(kMinDeviceSchema) + " to " +
                             std::to_string(kMaxDeviceSchema) + "): upgrade the device or the hub");
  }
  const std::int64_t first_seq = request.value("first_seq", std::int64_t{1});
  if (first_seq < 1) return Status::Invalid("first_seq", "first_seq is at least 1");
  const std::int64_t now = clock_.NowMs();
  json out;
  Status s = store_.Write([&](HubTx& tx) -> Status {
    auto c = tx.FindCode(HashToken(code));
    if (!c.ok()) return c.status();
    if (!c->has_value()) {
      return Status::Error(Code::kUnauthenticated, "code",
                           "unknown enrolment code: check it, or ask head office for a new one");
    }
    CodeRow row = **c;
    if (!row.used_by.empty()) {
      return Status::Error(Code::kConflict, "code",
                           "this enrolment code was already used: ask head office for a new one");
    }
    if (row.expires_ms < now) {
      return Status::Error(Code::kConflict, "code",
                           "this enrolment code has expired (codes last 10 minutes): ask head "
                           "office for a new one");
    }
    auto hlc = LoadHubHlc(tx);
    if (!hlc.ok()) return hlc.status();
    auto pin = tx.GetMeta("tls_pin");
    if (!pin.ok()) return pin.status();
    DeviceRow d;
    d.id = NewUuidV7(now);
    const std::string secret = RandomHex(32);
    d.name = row.name;
    d.kind = row.kind;
    d.van_id = row.van_id;
    d.secret_hash = HashToken(secret);
    d.status = "active";
    d.next_seq = first_seq;
    d.schema = schema;
    d.enrolled_ms = now;
    d.last_seen_ms = now;
    row.used_by = d.id;
    if (Status p = tx.PutCode(row); !p.ok()) return p;
    if (Status p = tx.PutDevice(d); !p.ok()) return p;
    out = {{"device_id", d.id}, {"secret", secret},        {"name", d.name},
           {"kind", d.kind},    {"van_id", d.van_id},      {"hlc", Encode(*hlc)},
           {"ms", now},         {"pin", pin->value_or("")}};
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<DeviceRow> HubService::Authenticate(std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.substr(0, kBearer.size()) != kBearer) {
    return Status::Error(Code::kUnauthenticated, "Authorization",
                         "this device is not enrolled: enrol it with a code from head office");
  }
  const std::string_view token = authorization.substr(kBearer.size());
  const auto dot = token.find('.');
  if (dot == std::string_view::npos) {
    return Status::Error(Code::kUnauthenticated, "Authorization", "malformed device credential");
  }
  const std::string id(token.substr(0, dot));
  const std::string secret(token.substr(dot + 1));
  std::optional<DeviceRow> found;
  Status s = store_.Read([&](HubTx& tx) -> Status {
    auto d = tx.FindDevice(id);
    if (!d.ok()) return d.status();
    found = *d;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (!found || found->secret_hash != HashToken(secret)) {
    return Status::Error(Code::kUnauthenticated, "Authorization",
                         "unknown device: enrol it with a code from head office");
  }
  if (found->status == "revoked") {
    return Status::Error(Code::kForbidden, "Authorization",
                         "head office revoked this device's credential: enrol it again");
  }
  if (found->status == "forked") {
    return Status::Error(Code::kConflict, "sequence",
                         "this device was restored from an older copy of its database: enrol it "
                         "again (nothing it holds is lost)");
  }
  return *found;
}

Result<std::string> HubService::Push(const std::string& device_id, std::string_view batch_json,
                                     std::int64_t device_ms) {
  const json batch = json::parse(batch_json, nullptr, false);
  if (!batch.is_object() || !batch.contains("ops") || !batch["ops"].is_array() ||
      !batch.contains("first") || !batch["first"].is_number_integer() || !batch.contains("last") ||
      !batch["last"].is_number_integer() || Str(batch, "batch").empty()) {
    return Status::Error(Code::kMalformed, "", "not a sync batch");
  }
  const std::string batch_id = Str(batch, "batch");
  const std::int64_t first = batch["first"].get<std::int64_t>();
  const std::int64_t last = batch["last"].get<std::int64_t>();
  const int schema = batch.value("schema", 0);
  if (schema < kMinDeviceSchema || schema > kMaxDeviceSchema) {
    return Status::Error(Code::kConflict, "schema",
                         "this device's database schema (" + std::to_string(schema) +
                             ") is not one this hub understands: upgrade the device or the hub");
  }
  std::int64_t expect = first;
  for (const auto& op : batch["ops"]) {
    if (!op.is_object() || !op.contains("s") || !op["s"].is_number_integer() ||
        op["s"].get<std::int64_t>() != expect || !Decode(Str(op, "h"))) {
      return Status::Error(Code::kMalformed, "ops",
                           "ops must carry consecutive sequence numbers and clocks");
    }
    ++expect;
  }
  if (expect != last + 1) return Status::Error(Code::kMalformed, "last", "last does not match ops");

  const std::int64_t now = clock_.NowMs();
  std::string answer;
  Status refusal;
  Status s = store_.Write([&](HubTx& tx) -> Status {
    auto found = tx.FindDevice(device_id);
    if (!found.ok()) return found.status();
    if (!found->has_value() || (*found)->status != "active") {
      refusal = Status::Error(Code::kForbidden, "Authorization", "this device may not push");
      return Status::Ok();
    }
    DeviceRow d = **found;
    auto stored = tx.FindBatchAnswer(d.id, batch_id);
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) {
      answer = **stored;  // a retry: the same answer, and nothing applied twice
      return Status::Ok();
    }
    if (first != d.next_seq || Str(batch, "prev") != d.last_batch) {
      if (first > d.next_seq) {
        refusal = Status::Error(Code::kConflict, "first",
                                "ops are missing before this batch (expected sequence " +
                                    std::to_string(d.next_seq) + ")");
        return Status::Ok();
      }
      // The device is sending ops the hub already has under different batches: it was restored
      // from an older copy of its disk. Its credential stops here; it enrols again and re-sends.
      d.status = "forked";
      refusal = Status::Error(Code::kConflict, "sequence",
                              "this device was restored from an older copy of its database: "
                              "enrol it again (nothing it holds is lost)");
      return tx.PutDevice(d);
    }
    auto hlc = LoadHubHlc(tx);
    if (!hlc.ok()) return hlc.status();
    Hlc hub_hlc = *hlc;
    json rejected = json::array(), conflicts = json::array(), clamped = json::array();
    std::int64_t applied = 0;
    std::vector<OpLogRow> log;
    for (const auto& op : batch["ops"]) {
      const std::int64_t seq = op["s"].get<std::int64_t>();
      const std::string entity = Str(op, "e");
      Hlc op_hlc = *Decode(Str(op, "h"));
      const ClampedHlc c = ClampHlc(op_hlc, now, kMaxClockAheadMs, Tick(hub_hlc, now));
      if (c.clamped) {
        clamped.push_back(seq);
        d.clock_flagged = true;
      }
      hub_hlc = Receive(hub_hlc, c.hlc, now);
      std::string outcome, reason, field, conflict_id, entity_id;
      if (entity == kEventEntity) {
        entity_id = Str(op.value("p", json::object()), "id");
        if (Status a = ApplyEvent(tx, d.id, op.value("p", json::object()), hub_hlc, now, &outcome,
                                  &reason, &conflict_id);
            !a.ok()) {
          return a;
        }
      } else if (const EntityDef* def = FindEntity(entity); def == nullptr) {
        outcome = "rejected";
        reason = "unknown entity " + entity.substr(0, 40);
      } else {
        entity_id = Str(op, "i");
        auto existing = tx.FindEntity(entity, entity_id);
        if (!existing.ok()) return existing.status();
        const bool exists = existing->has_value();
        const FieldMerge m = MergeFields(*def, exists, exists ? (*existing)->body : json::object(),
                                         exists ? (*existing)->stamps : json::object(),
                                         op.value("f", json::object()), Stamp(c.hlc, d.id));
        if (!m.rejected_field.empty()) {
          outcome = "rejected";
          field = m.rejected_field;
          reason = m.rejected_reason;
        } else {
          outcome = "applied";
          if (!exists || !m.changed.empty()) {
            EntityRow row{entity, entity_id, m.body, m.stamps, "", "", ""};
            if (Status p = tx.PutEntity(WithScopeKeys(row, *def)); !p.ok()) return p;
          }
        }
      }
      if (outcome == "rejected") {
        rejected.push_back({{"s", seq}, {"field", field}, {"reason", reason}});
      } else if (outcome == "conflict") {
        conflicts.push_back({{"s", seq}, {"conflict", conflict_id}});
        ++applied;
      } else {
        ++applied;
      }
      log.push_back({d.id, seq, batch_id, entity, entity_id, outcome, reason});
    }
    if (Status p = tx.PutOps(log); !p.ok()) return p;
    if (Status p = tx.PutMeta("hlc", Encode(hub_hlc)); !p.ok()) return p;
    answer = json{
        {"batch", batch_id},
        {"applied", applied},
        {"rejected", rejected},
        {"conflicts", conflicts},
        {"clamped", clamped},
        {"hlc", Encode(hub_hlc)},
        {"ms",
         now}}.dump();
    if (Status p = tx.PutBatch(d.id, batch_id, answer, now); !p.ok()) return p;
    d.next_seq = last + 1;
    d.last_batch = batch_id;
    d.last_seen_ms = now;
    d.clock_offset_ms = device_ms - now;
    if (std::abs(d.clock_offset_ms) > kMaxClockAheadMs) d.clock_flagged = true;
    return tx.PutDevice(d);
  });
  if (!s.ok()) return s;
  if (!refusal.ok()) return refusal;
  return answer;
}

Result<json> HubService::Pull(const DeviceRow& device, std::int64_t after, int limit_bytes) {
  const std::int64_t now = clock_.NowMs();
  const Window w = ScopeWindow(now, options_);
  json changes = json::array();
  std::int64_t next = after;
  bool more = false;
  std::string hlc_text;
  Status s = store_.Read([&](HubTx& tx) -> Status {
    auto scope = ComputeScope(tx, device, w.from, w.to);
    if (!scope.ok()) return scope.status();
    auto refs = tx.ChangesAfter(after, options_.pull_scan_limit);
    if (!refs.ok()) return refs.status();
    more = static_cast<int>(refs->size()) == options_.pull_scan_limit;
    std::set<std::string> included;
    std::size_t bytes = 0;
    for (const auto& ref : *refs) {
      if (bytes > static_cast<std::size_t>(limit_bytes)) {
        more = true;
        break;
      }
      next = ref.seq;
      if (!included.insert(ref.entity + "/" + ref.id).second) continue;
      json body;
      if (ref.entity == kEventEntity) {
        auto e = tx.FindEvent(ref.id);
        if (!e.ok()) return e.status();
        if (!e->has_value()) continue;
        body = (*e)->body;
      } else {
        auto r = tx.FindEntity(ref.entity, ref.id);
        if (!r.ok()) return r.status();
        if (!r->has_value()) continue;
        body = (*r)->body;
      }
      if (!InScope(*scope, ref.entity, ref.id, body)) continue;
      json c = Change(ref.seq, ref.entity, ref.id, std::move(body));
      bytes += c.dump().size();
      changes.push_back(std::move(c));
    }
    auto hlc = LoadHubHlc(tx);
    if (!hlc.ok()) return hlc.status();
    hlc_text = Encode(*hlc);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return json{{"changes", changes}, {"next", next}, {"more", more}, {"hlc", hlc_text}, {"ms", now}};
}

Result<json> HubService::Scope(const DeviceRow& device) {
  const std::int64_t now = clock_.NowMs();
  const Window w = ScopeWindow(now, options_);
  json units = json::array();
  std::string ref;
  Status s = store_.Read([&](HubTx& tx) -> Status {
    auto scope = ComputeScope(tx, device, w.from, w.to);
    if (!scope.ok()) return scope.status();
    for (const auto& g : scope->groups) {
      auto u = CollectUnit(tx, g.id);
      if (!u.ok()) return u.status();
      units.push_back({{"u", g.id}, {"sum", UnitChecksum(u->lines)}});
    }
    auto r = CollectUnit(tx, "ref");
    if (!r.ok()) return r.status();
    ref = UnitChecksum(r->lines);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return json{{"units", units}, {"ref", ref}, {"from", w.from}, {"to", w.to}, {"ms", now}};
}

Result<json> HubService::Snapshot(const DeviceRow& device, const std::string& unit) {
  const std::int64_t now = clock_.NowMs();
  const Window w = ScopeWindow(now, options_);
  json out;
  Status s = store_.Read([&](HubTx& tx) -> Status {
    if (unit != "ref") {
      auto scope = ComputeScope(tx, device, w.from, w.to);
      if (!scope.ok()) return scope.status();
      if (!scope->all && scope->group_ids.count(unit) == 0) {
        return Status::Error(Code::kNotFound, "unit",
                             "this work group is not in the device's scope");
      }
    }
    auto u = CollectUnit(tx, unit);
    if (!u.ok()) return u.status();
    out = {{"unit", unit},
           {"entities", u->entities},
           {"events", u->events},
           {"sum", UnitChecksum(u->lines)}};
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace upw::sync::hub
