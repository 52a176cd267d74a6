// The plain resources and their rules across fields. Rules themselves live in domain/.
#include <algorithm>

#include "app/order_figures.h"
#include "app/resource.h"
#include "domain/civil_time.h"
#include "domain/orders.h"

namespace upw::app {

using nlohmann::json;

namespace {

const std::vector<std::string> kDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
const std::vector<std::string> kPlacementKinds = {"group", "individual", "at_base_workshop",
                                                  "evening_workshop", "other_activity"};
const std::vector<std::string> kPlacementFlags = {"children_present", "vulnerable_adults_present",
                                                  "men_only", "women_only", "seated_light_duties"};
const std::vector<std::string> kRiskFlags = {"no_contact_children", "no_contact_vulnerable_adults",
                                             "violence_risk",       "medical_needs",
                                             "seated_duties_only",  "under_26_bespoke"};
const std::vector<std::string> kOrderStatuses = {"awaiting_induction", "active",    "suspended",
                                                 "in_breach",          "completed", "revoked",
                                                 "transferred"};
const std::vector<std::string> kGroupStatuses = {"planned", "closed", "cancelled"};

domain::Date Today(const Services& s) { return domain::UkLocalDate(s.clock.NowSeconds()); }

Status CheckVan(store::Db&, json& row, const json*, const Services&) {
  if (row["usable_seats"].is_null()) row["usable_seats"] = row["seats"];
  if (!row["seats"].is_null() && row["usable_seats"].get<int>() > row["seats"].get<int>()) {
    return Status::Invalid("usable_seats", "usable_seats cannot be more than seats");
  }
  return Status::Ok();
}

Status CheckServiceUser(store::Db& db, json& row, const json*, const Services& s) {
  if (auto dob = domain::ParseDate(row["date_of_birth"].get<std::string>())) {
    if (domain::AddMonths(*dob, 16 * 12) > Today(s)) {
      return Status::Invalid("date_of_birth", "a service user must be at least 16 years old");
    }
  }
  for (const auto& other : row["keep_apart"]) {
    if (row.contains("id") && other == row["id"]) {
      return Status::Invalid("keep_apart", "a person cannot be kept apart from themselves");
    }
    store::Stmt& st = db.Prepare("SELECT 1 FROM service_user WHERE id = ?");
    if (!st.Bind(1, other.get<std::string>()).Step()) {
      return Status::Invalid("keep_apart", "keep_apart lists a person who does not exist");
    }
  }
  return Status::Ok();
}

Status CheckOrder(store::Db&, json& row, const json* before, const Services& s) {
  const int hours = row["hours_ordered"].is_null() ? 0 : row["hours_ordered"].get<int>();
  if (Status h = domain::ValidateHoursOrdered(hours); !h.ok()) return h;
  auto imposed =
      domain::ParseDate(row["imposed_on"].is_string() ? row["imposed_on"].get<std::string>() : "");
  if (!imposed) return Status::Invalid("imposed_on", "imposed_on is required");
  if (*imposed > Today(s))
    return Status::Invalid("imposed_on", "imposed_on cannot be in the future");
  if (row["deadline"].is_null()) {
    row["deadline"] = domain::FormatDate(domain::DefaultDeadline(*imposed, hours, s.profile));
  }
  if (*domain::ParseDate(row["deadline"].get<std::string>()) <= *imposed) {
    return Status::Invalid("deadline", "deadline must be after imposed_on");
  }
  if (row["status"].is_null()) row["status"] = "awaiting_induction";
  if (row["other_activity_allowed"].is_null()) row["other_activity_allowed"] = true;
  if (before) {
    auto from = domain::ParseOrderStatus((*before)["status"].get<std::string>());
    auto to = domain::ParseOrderStatus(row["status"].get<std::string>());
    if (Status c = domain::CheckStatusChange(*from, *to); !c.ok()) return c;
  }
  if (!row["first_seen_on"].is_null() &&
      *domain::ParseDate(row["first_seen_on"].get<std::string>()) < *imposed) {
    return Status::Invalid("first_seen_on", "first_seen_on cannot be before imposed_on");
  }
  return Status::Ok();
}

void DeriveOrder(store::Db& db, json& row, const Services& s) {
  row["level"] = domain::OrderLevel(row["hours_ordered"].get<int>());
  row["hours"] = OrderFiguresFor(db, row, s.profile, Today(s));
}

Status CheckPlacement(store::Db&, json& row, const json*, const Services&) {
  const auto& flags = row["flags"];
  const bool men = std::find(flags.begin(), flags.end(), "men_only") != flags.end();
  const bool women = std::find(flags.begin(), flags.end(), "women_only") != flags.end();
  if (men && women)
    return Status::Invalid("flags", "a placement cannot be both men_only and women_only");
  return Status::Ok();
}

// A work group's times, capacity against its placement and the supervisor ratio, and the
// supervisor not booked twice at once.
Status CheckWorkGroup(store::Db& db, json& row, const json* before, const Services& s) {
  if (row["status"].is_null()) row["status"] = "planned";
  if (row["starts_at"] == row["ends_at"])
    return Status::Invalid("ends_at", "ends_at must differ from starts_at");
  json placement = LoadRow(db, Spec("placements"), row["placement_id"].get<std::string>());
  if (placement.is_null())
    return Status::Invalid("placement_id", "placement_id refers to no placement");
  if (!placement["active"].get<bool>() && !before) {
    return Status::Invalid("placement_id", "that placement is no longer active");
  }
  const int ratio = placement["max_per_supervisor"].is_null()
                        ? s.profile.max_per_supervisor
                        : placement["max_per_supervisor"].get<int>();
  if (row["capacity"].is_null())
    row["capacity"] = std::min(ratio, placement["capacity"].get<int>());
  const int capacity = row["capacity"].get<int>();
  if (capacity > placement["capacity"].get<int>()) {
    return Status::Invalid("capacity", "capacity is more than the placement takes (" +
                                           placement["capacity"].dump() + ")");
  }
  if (capacity > ratio) {
    return Status::Invalid("capacity", "capacity is more than " + std::to_string(ratio) +
                                           " service users for one supervisor");
  }
  if (before) {
    store::Stmt& n = db.Prepare("SELECT count(*) FROM allocation WHERE work_group_id = ?");
    n.Bind(1, row["id"].get<std::string>()).Step();
    if (n.Int(0) > capacity) {
      return Status::Invalid("capacity", "capacity is below the " + std::to_string(n.Int(0)) +
                                             " people already allocated");
    }
  }
  if (row["status"] != "cancelled") {
    // Sessions crossing midnight are compared on their start date only: good enough to catch the
    // real mistake (the same supervisor put on two groups at once).
    store::Stmt& clash = db.Prepare(
        "SELECT id FROM work_group WHERE supervisor_id = ?1 AND session_date = ?2 AND id <> ?3 "
        "AND status <> 'cancelled' AND starts_at < ?5 AND ?4 < ends_at");
    clash.Bind(1, row["supervisor_id"].get<std::string>())
        .Bind(2, row["session_date"].get<std::string>())
        .Bind(3, row.value("id", std::string()))
        .Bind(4, row["starts_at"].get<std::string>())
        .Bind(5, row["ends_at"] < row["starts_at"] ? std::string("24:00")
                                                   : row["ends_at"].get<std::string>());
    if (clash.Step()) {
      return Status::Error(Code::kConflict, "supervisor_id",
                           "that supervisor already has a group at this time");
    }
  }
  return Status::Ok();
}

Field Text(std::string name, bool required, std::int64_t max = 200) {
  Field f;
  f.name = std::move(name);
  f.required = required;
  f.max = max;
  return f;
}
Field Typed(std::string name, FieldType t, bool required) {
  Field f;
  f.name = std::move(name);
  f.type = t;
  f.required = required;
  return f;
}
Field Int(std::string name, bool required, std::int64_t min, std::int64_t max) {
  Field f = Typed(std::move(name), FieldType::kInt, required);
  f.min = min;
  f.max = max;
  return f;
}
Field Enum(std::string name, bool required, std::vector<std::string> values) {
  Field f = Typed(std::move(name), FieldType::kEnum, required);
  f.values = std::move(values);
  return f;
}
Field List(std::string name, std::vector<std::string> values, std::int64_t max = 16) {
  Field f = Typed(std::move(name), FieldType::kTextList, false);
  f.values = std::move(values);
  f.max = max;
  return f;
}
Field Ref(std::string name, std::string table, bool required) {
  Field f = Typed(std::move(name), FieldType::kRef, required);
  f.ref = std::move(table);
  return f;
}
Field With(Field f, WriteAccess access) {
  f.access = access;
  return f;
}
// A true/false field that defaults to `value` when a create leaves it out.
Field Flag(std::string name, bool value) {
  Field f = Typed(std::move(name), FieldType::kBool, false);
  f.fallback = value;
  return f;
}
Field Sensitive(Field f) {
  f.planners_only = true;
  return f;
}

std::vector<ResourceSpec> Build() {
  std::vector<ResourceSpec> r;
  // Supervisors read the reference data they need in the field.
  const std::string everyone = "1=1 OR ?1 IS NULL";
  r.push_back({"supervisors",
               "supervisor",
               "supervisor",
               {Text("name", true), Text("phone", false, 40), Flag("can_drive", false),
                Flag("active", true), Text("notes", false, 2000)},
               "",
               "name",
               everyone,
               nullptr,
               nullptr});
  r.push_back(
      {"vans",
       "van",
       "van",
       {Text("registration", true, 16), Text("name", true), Int("seats", true, 1, 20),
        Int("usable_seats", false, 0, 20), Flag("active", true), Text("notes", false, 2000)},
       "",
       "name",
       everyone,
       CheckVan,
       nullptr});
  r.push_back(
      {"placements",
       "placement",
       "placement",
       {Text("name", true), Enum("kind", true, kPlacementKinds), Text("address", true, 400),
        Text("beneficiary", false), List("days_available", kDays, 7), Int("capacity", true, 1, 100),
        Int("max_per_supervisor", false, 1, 20), Flag("indoor", false),
        List("flags", kPlacementFlags), Text("notes", false, 2000), Flag("active", true)},
       "",
       "name",
       everyone,
       CheckPlacement,
       nullptr});
  Field keep_apart = Typed("keep_apart", FieldType::kIdList, false);
  keep_apart.max = 50;
  r.push_back({"service-users",
               "service_user",
               "service_user",
               {Text("first_name", true, 100), Text("last_name", true, 100),
                Typed("date_of_birth", FieldType::kDate, true), Text("phone", false, 40),
                List("risk_flags", kRiskFlags), keep_apart, Text("availability", false, 400),
                Text("notes", false, 3999), Sensitive(Text("welfare_notes", false, 3999))},
               "",
               "last_name",
               "id IN (SELECT a.service_user_id FROM allocation a JOIN work_group g ON "
               "g.id = a.work_group_id WHERE g.supervisor_id = ?1)",
               CheckServiceUser,
               nullptr});
  r.push_back({"orders",
               "cpo_order",
               "order",
               {With(Ref("service_user_id", "service_user", true), WriteAccess::kCreateOnly),
                With(Text("court", true), WriteAccess::kOfficeOnly),
                With(Typed("imposed_on", FieldType::kDate, true), WriteAccess::kOfficeOnly),
                With(Int("hours_ordered", true, 1, 100000), WriteAccess::kOfficeOnly),
                With(Typed("deadline", FieldType::kDate, false), WriteAccess::kOfficeOnly),
                Flag("other_activity_allowed", true), Enum("status", false, kOrderStatuses),
                Text("case_manager", false), Typed("first_seen_on", FieldType::kDate, false)},
               "imposed_on",
               "imposed_on",
               "",
               CheckOrder,
               DeriveOrder});
  Field notes = Text("notes", false, 2000);
  r.push_back(
      {"work-groups",
       "work_group",
       "work_group",
       {Typed("session_date", FieldType::kDate, true), Typed("starts_at", FieldType::kTime, true),
        Typed("ends_at", FieldType::kTime, true), Ref("placement_id", "placement", true),
        Ref("supervisor_id", "supervisor", true), Ref("van_id", "van", false),
        Int("capacity", false, 1, 100), Enum("status", false, kGroupStatuses), notes},
       "session_date",
       "session_date, starts_at",
       "supervisor_id = ?1",
       CheckWorkGroup,
       nullptr});
  return r;
}

}  // namespace

const std::vector<ResourceSpec>& Resources() {
  static const std::vector<ResourceSpec> kAll = Build();
  return kAll;
}

}  // namespace upw::app
