#include "app/register_actions.h"

#include "app/attendance_write.h"
#include "app/group_access.h"
#include "app/journal.h"
#include "app/order_figures.h"
#include "app/resource.h"

namespace upw::app {

using nlohmann::json;

namespace {

struct Allocated {
  std::string person;
  std::string order_id;
};

Result<std::vector<Allocated>> LoadAllocated(store::Db& db, const std::string& group_id) {
  store::Stmt& st =
      db.Prepare("SELECT service_user_id, order_id FROM allocation WHERE work_group_id = ?");
  st.Bind(1, group_id);
  std::vector<Allocated> out;
  while (st.Step()) out.push_back({st.Text(0), st.Text(1)});
  if (!st.status().ok()) return st.status();
  return out;
}

Result<std::vector<domain::AttendanceRecord>> LoadRecords(store::Db& db,
                                                          const std::string& group_id) {
  auto events = LoadEventsByGroup(db, group_id);
  if (!events.ok()) return events.status();
  std::vector<domain::AttendanceEvent> plain;
  for (const auto& se : *events) plain.push_back(se.event);
  return domain::FoldEvents(plain);
}

Status MayRunRegister(const Actor& a) {
  if (a.role == Role::kSupervisor || a.role == Role::kPlanner) return Status::Ok();
  return Status::Error(Code::kForbidden, "", "only supervisors and planners run a register");
}

}  // namespace

Result<domain::RegisterSummary> SummariseGroup(store::Db& db, const json& group,
                                               const domain::Profile& profile) {
  const std::string group_id = group["id"].get<std::string>();
  auto allocated = LoadAllocated(db, group_id);
  if (!allocated.ok()) return allocated.status();
  auto records = LoadRecords(db, group_id);
  if (!records.ok()) return records.status();
  std::vector<std::string> people;
  std::map<std::string, int> credited;
  for (const auto& al : *allocated) {
    people.push_back(al.person);
    json order = LoadRow(db, Spec("orders"), al.order_id);
    if (order.is_null()) continue;
    auto events = LoadEventsByOrder(db, al.order_id);
    if (!events.ok()) return events.status();
    const OrderFigures f =
        ComputeOrderFigures(*events, order["hours_ordered"].get<int>(),
                            order["other_activity_allowed"].get<bool>(), profile);
    credited.insert(f.credited_by_record.begin(), f.credited_by_record.end());
  }
  return domain::SummariseRegister(people, *records, credited);
}

json SummaryJson(const domain::RegisterSummary& s) {
  return {{"allocated", s.allocated},
          {"attended", s.attended},
          {"on_site", s.on_site},
          {"credited_minutes", s.credited_minutes},
          {"other_activity_minutes", s.other_activity_minutes},
          {"acceptable_absences", s.acceptable_absences},
          {"unacceptable_absences", s.unacceptable_absences},
          {"stood_down", s.stood_down},
          {"rescheduled", s.rescheduled},
          {"incidents", s.incidents},
          {"still_to_record", s.still_to_record}};
}

Result<json> CloseSession(const Services& s, const Actor& a, const std::string& group_id) {
  if (Status p = MayRunRegister(a); !p.ok()) return p;
  json out;
  Status st = s.writer.Run([&](store::WriteContext& ctx) -> Status {
    store::Db& db = ctx.db();
    auto group = LoadGroupFor(db, a, group_id);
    if (!group.ok()) return group.status();
    if ((*group)["status"] != "planned") {
      return Status::Error(Code::kConflict, "status",
                           "the session is already " + (*group)["status"].get<std::string>());
    }
    auto summary = SummariseGroup(db, *group, s.profile);
    if (!summary.ok()) return summary.status();
    if (Status c = domain::CheckCanClose(*summary, WindowOf(*group), ctx.now_seconds()); !c.ok()) {
      return c;
    }
    Status up = db.Prepare(
                      "UPDATE work_group SET status = 'closed', version = version + 1, "
                      "updated_at = ? WHERE id = ? AND status = 'planned'")
                    .Bind(1, ctx.now_text())
                    .Bind(2, group_id)
                    .Run();
    if (!up.ok()) return up;
    json row = LoadRow(db, Spec("work-groups"), group_id);
    out = {{"work_group", row}, {"summary", SummaryJson(*summary)}};
    return Journal(ctx, a,
                   {"work_group.close",
                    "work_group",
                    group_id,
                    {{"summary", SummaryJson(*summary)}},
                    "upsert",
                    row,
                    {"status"}});
  });
  if (!st.ok()) return st;
  return out;
}

Result<json> StandDownGroup(const Services& s, const Actor& a, const std::string& group_id,
                            const json& body) {
  if (Status p = MayRunRegister(a); !p.ok()) return p;
  if (!body.is_object()) {
    return Status::Error(Code::kMalformed, "", "the body must be a JSON object");
  }
  for (const auto& [k, v] : body.items()) {
    if (k != "reason" && k != "note")
      return Status::Invalid(k, k + " is not a field of a stand-down");
  }
  const auto reason = body.contains("reason") && body["reason"].is_string()
                          ? domain::ParseStandDownReason(body["reason"].get<std::string>())
                          : std::nullopt;
  if (!reason) {
    return Status::Invalid("reason", "say why: weather, van, supervisor, oversubscribed or other");
  }
  std::string note;
  if (body.contains("note") && !body["note"].is_null()) {
    if (!body["note"].is_string() || body["note"].get<std::string>().size() > 400) {
      return Status::Invalid("note", "note must be text of at most 400 characters");
    }
    note = body["note"].get<std::string>();
  }
  if (*reason == domain::StandDownReason::kOther &&
      note.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::Invalid("note", "say what happened");
  }
  json out;
  Status st = s.writer.Run([&](store::WriteContext& ctx) -> Status {
    store::Db& db = ctx.db();
    auto group = LoadGroupFor(db, a, group_id);
    if (!group.ok()) return group.status();
    if (!RegisterOpen(*group)) {
      return Status::Error(Code::kConflict, "status", "the session is already closed");
    }
    auto allocated = LoadAllocated(db, group_id);
    if (!allocated.ok()) return allocated.status();
    auto records = LoadRecords(db, group_id);
    if (!records.ok()) return records.status();
    std::vector<std::string> people;
    for (const auto& al : *allocated) people.push_back(al.person);
    const auto steps = domain::PlanStandDown(people, *records, ctx.now_seconds(), *reason, note);
    for (const auto& step : steps) {
      EventRequest req;
      req.kind = step.kind;
      req.record_id = step.record_id;
      req.service_user_id = step.service_user_id;
      req.facts = step.facts;
      req.reason = "Stood down: " + std::string(domain::Describe(*reason));
      req.hash = "stand-down";
      std::string record_id;
      bool replayed = false;
      if (Status w = AppendEvent(ctx, a, *group, req, &record_id, &replayed); !w.ok()) return w;
    }
    auto summary = SummariseGroup(db, *group, s.profile);
    if (!summary.ok()) return summary.status();
    out = {{"stood_down", steps.size()}, {"summary", SummaryJson(*summary)}};
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace upw::app
