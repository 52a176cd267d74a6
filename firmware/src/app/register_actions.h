// Actions on a session's register as a whole: its summary, closing it (after which changes are
// amendments with a reason), and standing the whole group down. Each write is one transaction.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "app/actor.h"
#include "app/services.h"
#include "domain/register.h"
#include "store/db.h"

namespace upw::app {

// The group's summary from a consistent snapshot (`group` is its row).
Result<domain::RegisterSummary> SummariseGroup(store::Db& db, const nlohmann::json& group,
                                               const domain::Profile& profile);
nlohmann::json SummaryJson(const domain::RegisterSummary& summary);

// The group's supervisor or a planner closes the session. Conflict naming "still_to_record" while
// anyone has no finished record, or "status" if it is already closed or cancelled. Returns the
// group as it now stands with the summary the supervisor confirmed.
Result<nlohmann::json> CloseSession(const Services& s, const Actor& a, const std::string& group_id);

// Body: "reason" (weather, van, supervisor, oversubscribed, other) and optional "note". Signs
// everyone on site out as sent home (service issue) and records everyone not yet recorded as
// stood down. Returns {"stood_down": n, "summary": ...}.
Result<nlohmann::json> StandDownGroup(const Services& s, const Actor& a,
                                      const std::string& group_id, const nlohmann::json& body);

}  // namespace upw::app
