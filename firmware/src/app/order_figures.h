// An order's figures, always folded from its attendance events: credited hours, hours remaining,
// other activity against its cap, days left, and the warning/breach tasks its incidents raise.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/attendance.h"
#include "domain/ledger.h"
#include "domain/profile.h"
#include "domain/warnings.h"
#include "store/db.h"

namespace upw::app {

struct StoredEvent {
  domain::AttendanceEvent event;
  std::string work_group_id;
  std::string order_id;
  domain::Date session_date;
};

// Every event of one order (or one work group), oldest first.
Result<std::vector<StoredEvent>> LoadEventsByOrder(store::Db& db, const std::string& order_id);
Result<std::vector<StoredEvent>> LoadEventsByGroup(store::Db& db, const std::string& group_id);

struct OrderFigures {
  domain::Ledger ledger;
  std::vector<domain::WarningTask> warnings;
  std::map<std::string, int> credited_by_record;  // record id -> credited minutes
};

OrderFigures ComputeOrderFigures(const std::vector<StoredEvent>& events, int hours_ordered,
                                 bool other_activity_allowed, const domain::Profile& profile);

// The figures as the API shows them beside an order (`today` is the local date).
nlohmann::json OrderFiguresJson(const OrderFigures& f, const nlohmann::json& order,
                                domain::Date today);

// Loads the order's events and returns OrderFiguresJson; on a storage error, an object holding
// "error" so that a read never fails half-way through a list.
nlohmann::json OrderFiguresFor(store::Db& db, const nlohmann::json& order,
                               const domain::Profile& profile, domain::Date today);

}  // namespace upw::app
