#include "app/order_figures.h"

#include "app/attendance_codec.h"
#include "domain/orders.h"

namespace upw::app {

using nlohmann::json;

namespace {
const char* const kEventColumns =
    "SELECT e.id, e.record_id, e.kind, e.service_user_id, e.facts, e.reason, e.author, "
    "e.recorded_at, e.work_group_id, e.order_id, g.session_date "
    "FROM attendance_event e JOIN work_group g ON g.id = e.work_group_id ";

Result<std::vector<StoredEvent>> LoadEvents(store::Db& db, const std::string& where,
                                            const std::string& id) {
  store::Stmt& st = db.Prepare(std::string(kEventColumns) + where + " ORDER BY e.seq");
  st.Bind(1, id);
  std::vector<StoredEvent> out;
  while (st.Step()) {
    StoredEvent se;
    se.event.id = st.Text(0);
    se.event.record_id = st.Text(1);
    se.event.kind = domain::ParseEventKind(st.Text(2)).value_or(domain::EventKind::kRecord);
    se.event.service_user_id = st.Text(3);
    if (!st.IsNull(4)) {
      auto facts = FactsFromJson(json::parse(st.Text(4), nullptr, false), {"evidence_expected"});
      if (facts.ok()) se.event.facts = *facts;
    }
    se.event.reason = st.Text(5);
    se.event.author = st.Text(6);
    se.event.recorded_at = domain::ParseTimestamp(st.Text(7)).value_or(0);
    se.work_group_id = st.Text(8);
    se.order_id = st.Text(9);
    se.session_date = domain::ParseDate(st.Text(10)).value_or(domain::Date{});
    out.push_back(std::move(se));
  }
  if (!st.status().ok()) return st.status();
  return out;
}
}  // namespace

Result<std::vector<StoredEvent>> LoadEventsByOrder(store::Db& db, const std::string& order_id) {
  return LoadEvents(db, "WHERE e.order_id = ?", order_id);
}

Result<std::vector<StoredEvent>> LoadEventsByGroup(store::Db& db, const std::string& group_id) {
  return LoadEvents(db, "WHERE e.work_group_id = ?", group_id);
}

OrderFigures ComputeOrderFigures(const std::vector<StoredEvent>& events, int hours_ordered,
                                 bool other_activity_allowed, const domain::Profile& profile) {
  std::vector<domain::AttendanceEvent> plain;
  std::map<std::string, domain::Date> date_of_record;
  for (const auto& se : events) {
    plain.push_back(se.event);
    date_of_record.emplace(se.event.record_id, se.session_date);
  }
  std::vector<domain::LedgerEntry> entries;
  std::vector<domain::EnforceableIncident> incidents;
  for (const auto& r : domain::FoldEvents(plain)) {
    if (r.voided) continue;
    const domain::Date date = date_of_record[r.record_id];
    entries.push_back(
        {r.record_id, date, r.facts.activity, domain::ClaimableMinutes(r.facts, profile)});
    if (domain::IsEnforceable(r.facts.outcome)) incidents.push_back({r.record_id, date});
  }
  OrderFigures f;
  f.ledger = domain::ComputeLedger(
      hours_ordered, 0,
      domain::OtherActivityCapMinutes(hours_ordered, other_activity_allowed, profile),
      std::move(entries));
  for (const auto& line : f.ledger.lines)
    f.credited_by_record[line.record_id] = line.credited_minutes;
  f.warnings = domain::WarningTasks(std::move(incidents), profile);
  return f;
}

json OrderFiguresJson(const OrderFigures& f, const json& order, domain::Date today) {
  json warnings = json::array();
  for (const auto& w : f.warnings) {
    warnings.push_back({{"step", domain::ToString(w.step)},
                        {"record_id", w.record_id},
                        {"incident_number", w.incident_number},
                        {"raised_on", domain::FormatDate(w.raised_on)},
                        {"due", domain::FormatDate(w.due)}});
  }
  json j = {{"ordered_minutes", f.ledger.ordered_minutes},
            {"credited_minutes", f.ledger.credited_minutes},
            {"remaining_minutes", f.ledger.remaining_minutes},
            {"other_activity_minutes", f.ledger.other_activity_minutes},
            {"other_activity_cap_minutes", f.ledger.other_activity_cap_minutes},
            {"warnings", warnings},
            {"warning_step",
             f.warnings.empty() ? json(nullptr) : json(domain::ToString(f.warnings.back().step))}};
  if (auto deadline = domain::ParseDate(order.value("deadline", ""))) {
    j["days_left"] = domain::DaysLeft(today, *deadline);
    j["urgency"] = domain::Urgency(f.ledger.remaining_minutes, today, *deadline);
  }
  return j;
}

json OrderFiguresFor(store::Db& db, const json& order, const domain::Profile& profile,
                     domain::Date today) {
  auto events = LoadEventsByOrder(db, order["id"].get<std::string>());
  if (!events.ok()) return {{"error", events.status().message()}};
  const auto figures = ComputeOrderFigures(*events, order.value("hours_ordered", 0),
                                           order.value("other_activity_allowed", true), profile);
  return OrderFiguresJson(figures, order, today);
}

}  // namespace upw::app
