// Appending one attendance event inside the writer's transaction: the rules every path shares
// (the register's own POSTs, closing a session, standing a group down).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "app/actor.h"
#include "domain/attendance.h"
#include "store/writer.h"

namespace upw::app {

struct EventRequest {
  domain::EventKind kind = domain::EventKind::kRecord;
  std::string record_id;        // update, amend and void
  std::string service_user_id;  // record
  domain::AttendanceFacts facts;
  std::string reason;
  std::string event_id;  // client-minted, optional
  std::string hash;      // of what the request asks, to tell a retry from a reuse of the id
  std::string resolves;  // a conflict this event resolves (planner's choice in the sync inbox)
};

// Appends the event to `group` (a work group row, already visible to `a`) with its audit and
// outbox rows, in ctx's transaction. On success sets *record_id to the record it made or changed
// and *replayed if the event id had been applied before (then nothing is written). Errors name the
// field: Conflict once the session is closed (updates) or cancelled, or when the id was used for a
// different request; Invalid for facts that break the rules; NotFound for an unknown record.
Status AppendEvent(store::WriteContext& ctx, const Actor& a, const nlohmann::json& group,
                   const EventRequest& req, std::string* record_id, bool* replayed);

// A sensitive note is shown to planners and admins, and to the supervisor who wrote the record.
bool MaySeeSensitive(const Actor& a, const std::string& record_author);

// Whether changes to the group's records are still updates (true) or must be amendments.
bool RegisterOpen(const nlohmann::json& group);

}  // namespace upw::app
