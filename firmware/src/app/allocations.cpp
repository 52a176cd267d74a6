#include "app/allocations.h"

#include "app/group_access.h"
#include "app/journal.h"
#include "app/resource.h"
#include "common/ids.h"
#include "domain/allocation_rules.h"
#include "domain/orders.h"

namespace upw::app {

using nlohmann::json;

namespace {

const char* const kAllocationSelect =
    "SELECT a.id, a.work_group_id, a.service_user_id, a.order_id, a.pickup_point, a.pickup_time, "
    "a.created_at, p.first_name, p.last_name, p.risk_flags FROM allocation a "
    "JOIN service_user p ON p.id = a.service_user_id ";

json AllocationFromStmt(const store::Stmt& st) {
  return {{"id", st.Text(0)},
          {"work_group_id", st.Text(1)},
          {"service_user_id", st.Text(2)},
          {"order_id", st.Text(3)},
          {"pickup_point", st.Json(4)},
          {"pickup_time", st.Json(5)},
          {"created_at", st.Text(6)},
          {"first_name", st.Text(7)},
          {"last_name", st.Text(8)},
          {"risk_flags", json::parse(st.Text(9), nullptr, false)}};
}

std::set<std::string> StringSet(const json& array) {
  std::set<std::string> out;
  if (array.is_array()) {
    for (const auto& v : array) out.insert(v.get<std::string>());
  }
  return out;
}

Status PlannersOnly(const Actor& a) {
  if (a.role == Role::kPlanner || a.role == Role::kAdmin) return Status::Ok();
  return Status::Error(Code::kForbidden, "", "only planners may change allocations");
}

// Reads the person's order for this allocation: the one named, or their single open order.
Result<json> ChooseOrder(store::Db& db, const std::string& person, const json& order_id) {
  if (order_id.is_string()) {
    json order = LoadRow(db, Spec("orders"), order_id.get<std::string>());
    if (order.is_null() || order["service_user_id"] != person) {
      return Status::Invalid("order_id", "order_id is not an order of this service user");
    }
    return order;
  }
  store::Stmt& st = db.Prepare(
      "SELECT id FROM cpo_order WHERE service_user_id = ? AND status IN "
      "('awaiting_induction', 'active', 'in_breach') ORDER BY imposed_on");
  st.Bind(1, person);
  std::vector<std::string> ids;
  while (st.Step()) ids.push_back(st.Text(0));
  if (ids.size() != 1) {
    return Status::Invalid("order_id", ids.empty() ? "this service user has no open order"
                                                   : "this service user has several open orders; "
                                                     "say which with order_id");
  }
  return LoadRow(db, Spec("orders"), ids[0]);
}

Status CheckBody(const json& body) {
  if (!body.is_object())
    return Status::Error(Code::kMalformed, "", "the body must be a JSON object");
  for (const auto& [k, v] : body.items()) {
    if (k == "service_user_id" || k == "order_id" || k == "id") {
      if (!v.is_string() || !IsUuid(v.get<std::string>()))
        return Status::Invalid(k, k + " must be an id (UUID)");
    } else if (k == "pickup_point") {
      if (!v.is_null() && (!v.is_string() || v.get<std::string>().size() > 200)) {
        return Status::Invalid(k, "pickup_point must be a string of at most 200 characters");
      }
    } else if (k == "pickup_time") {
      if (!v.is_null() && (!v.is_string() || !domain::ParseTimeOfDay(v.get<std::string>()))) {
        return Status::Invalid(k, "pickup_time must be a time of day as HH:MM");
      }
    } else {
      return Status::Invalid(k, k + " is not a field of an allocation");
    }
  }
  if (!body.contains("service_user_id"))
    return Status::Invalid("service_user_id", "service_user_id is required");
  return Status::Ok();
}

}  // namespace

Result<std::vector<json>> ListAllocations(const Services& s, const Actor& a,
                                          const std::string& group_id) {
  if (a.role == Role::kDevice) return Status::Error(Code::kForbidden, "", "devices use sync");
  auto lease = s.reads.Acquire();
  auto group = LoadGroupFor(lease.db(), a, group_id);
  if (!group.ok()) return group.status();
  store::Stmt& st = lease->Prepare(std::string(kAllocationSelect) +
                                   "WHERE a.work_group_id = ? ORDER BY a.pickup_time, p.last_name");
  st.Bind(1, group_id);
  std::vector<json> out;
  while (st.Step()) out.push_back(AllocationFromStmt(st));
  if (!st.status().ok()) return st.status();
  return out;
}

Result<json> AddAllocation(const Services& s, const Actor& a, const std::string& group_id,
                           const json& body) {
  if (Status p = PlannersOnly(a); !p.ok()) return p;
  if (Status b = CheckBody(body); !b.ok()) return b;
  const std::string person = body["service_user_id"].get<std::string>();
  json created;
  Status st = s.writer.Run([&](store::WriteContext& ctx) -> Status {
    store::Db& db = ctx.db();
    auto group = LoadGroupFor(db, a, group_id);
    if (!group.ok()) return group.status();
    if ((*group)["status"] != "planned") {
      return Status::Error(Code::kConflict, "work_group_id", "the group is closed or cancelled");
    }
    json who = LoadRow(db, Spec("service-users"), person);
    if (who.is_null())
      return Status::Invalid("service_user_id", "service_user_id refers to no service user");
    auto order = ChooseOrder(db, person, body.value("order_id", json(nullptr)));
    if (!order.ok()) return order.status();
    json placement = LoadRow(db, Spec("placements"), (*group)["placement_id"].get<std::string>());

    domain::AllocationFacts f;
    f.service_user_id = person;
    f.risk_flags = StringSet(who["risk_flags"]);
    f.keep_apart = StringSet(who["keep_apart"]);
    f.placement_flags = StringSet(placement["flags"]);
    f.capacity = (*group)["capacity"].get<int>();
    f.session_before_order = (*group)["session_date"] < (*order)["imposed_on"];
    f.order_accepts_work =
        domain::AcceptsWork(*domain::ParseOrderStatus((*order)["status"].get<std::string>()));
    if ((*group)["van_id"].is_string()) {
      json van = LoadRow(db, Spec("vans"), (*group)["van_id"].get<std::string>());
      f.van_usable_seats = van["usable_seats"].get<int>();
    }
    store::Stmt& m = db.Prepare(
        "SELECT p.id, p.keep_apart FROM allocation a JOIN service_user p ON p.id = "
        "a.service_user_id "
        "WHERE a.work_group_id = ?");
    m.Bind(1, group_id);
    while (m.Step())
      f.members.emplace_back(m.Text(0), StringSet(json::parse(m.Text(1), nullptr, false)));
    f.allocated = static_cast<int>(f.members.size());
    store::Stmt& clash = db.Prepare(
        "SELECT 1 FROM allocation a JOIN work_group g ON g.id = a.work_group_id "
        "WHERE a.service_user_id = ?1 AND g.session_date = ?2 AND g.id <> ?3 "
        "AND g.status <> 'cancelled' AND g.starts_at < ?5 AND ?4 < g.ends_at");
    const std::string ends = (*group)["ends_at"] < (*group)["starts_at"]
                                 ? std::string("24:00")
                                 : (*group)["ends_at"].get<std::string>();
    clash.Bind(1, person)
        .Bind(2, (*group)["session_date"].get<std::string>())
        .Bind(3, group_id)
        .Bind(4, (*group)["starts_at"].get<std::string>())
        .Bind(5, ends);
    f.booked_elsewhere_that_day = clash.Step();
    if (Status rule = domain::CheckAllocation(f); !rule.ok()) return rule;

    const std::string id = body.contains("id") ? body["id"].get<std::string>() : ctx.NewId();
    Status ins = db.Prepare(
                       "INSERT INTO allocation(id, work_group_id, service_user_id, order_id, "
                       "pickup_point, pickup_time, created_at) VALUES (?,?,?,?,?,?,?)")
                     .Bind(1, id)
                     .Bind(2, group_id)
                     .Bind(3, person)
                     .Bind(4, (*order)["id"].get<std::string>())
                     .BindJson(5, body.value("pickup_point", json(nullptr)))
                     .BindJson(6, body.contains("pickup_time") && body["pickup_time"].is_string()
                                      ? json(domain::FormatTimeOfDay(*domain::ParseTimeOfDay(
                                            body["pickup_time"].get<std::string>())))
                                      : json(nullptr))
                     .Bind(7, ctx.now_text())
                     .Run();
    if (!ins.ok()) {
      return ins.code() == Code::kConflict
                 ? Status::Error(Code::kConflict, "id", "an allocation with this id exists")
                 : ins;
    }
    store::Stmt& back = db.Prepare(std::string(kAllocationSelect) + "WHERE a.id = ?");
    back.Bind(1, id).Step();
    created = AllocationFromStmt(back);
    return Journal(
        ctx, a, {"allocation.create", "allocation", id, {{"created", created}}, "upsert", created});
  });
  if (!st.ok()) return st;
  return created;
}

Status RemoveAllocation(const Services& s, const Actor& a, const std::string& group_id,
                        const std::string& allocation_id) {
  if (Status p = PlannersOnly(a); !p.ok()) return p;
  return s.writer.Run([&](store::WriteContext& ctx) -> Status {
    store::Db& db = ctx.db();
    store::Stmt& st =
        db.Prepare(std::string(kAllocationSelect) + "WHERE a.id = ? AND a.work_group_id = ?");
    if (!st.Bind(1, allocation_id).Bind(2, group_id).Step()) {
      return Status::Error(Code::kNotFound, "allocation_id", "no such allocation in this group");
    }
    json gone = AllocationFromStmt(st);
    store::Stmt& used = db.Prepare(
        "SELECT 1 FROM attendance_event WHERE work_group_id = ? AND service_user_id = ?");
    if (used.Bind(1, group_id).Bind(2, gone["service_user_id"].get<std::string>()).Step()) {
      return Status::Error(Code::kConflict, "allocation_id",
                           "attendance is recorded for this person; void the record instead");
    }
    if (Status d = db.Prepare("DELETE FROM allocation WHERE id = ?").Bind(1, allocation_id).Run();
        !d.ok()) {
      return d;
    }
    return Journal(ctx, a,
                   {"allocation.delete",
                    "allocation",
                    allocation_id,
                    {{"deleted", gone}},
                    "upsert",
                    {{"id", allocation_id}, {"deleted", true}},
                    {"deleted"}});
  });
}

}  // namespace upw::app
