// The device's tables as sync sees them: applying the hub's rows and events (never over a local
// change still on its way up), checksums of scope units computed exactly as the hub computes
// them, and removing personal data of people who left the device's scope.
//
// Everything here runs on one connection inside the caller's transaction; the Apply* functions
// run in the single writer (store::WriteContext), so a page of changes and its cursor commit
// together.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "entities.h"
#include "store/db.h"
#include "store/writer.h"

namespace upw::sync {

// Fields of (entity, id) changed by local ops the hub has not answered yet (seq > acked_seq);
// *all is set when such an op wrote the whole row.
std::set<std::string> PendingFields(store::Db& db, std::int64_t acked_seq,
                                    const std::string& entity, const std::string& id, bool* all);

// Inserts or updates one row from the hub's body. A field with a pending local change keeps its
// local value (the hub merges it when it arrives and sends the result back). An allocation whose
// body says deleted is removed. Fails (and the caller skips the row) when a reference is missing.
Status ApplyEntity(store::WriteContext& ctx, const EntityDef& def, const std::string& id,
                   const nlohmann::json& body, std::int64_t acked_seq);
// Inserts an attendance event recorded elsewhere; an event already held is left as it is.
Status ApplyEvent(store::WriteContext& ctx, const nlohmann::json& body);
// Runs fn inside a savepoint: on failure only fn's changes are undone.
Status InSavepoint(store::Db& db, const std::function<Status()>& fn);

// The unit's checksum from local tables ("ref" or a work group id); see protocol/checksum.h.
std::string LocalUnitChecksum(store::Db& db, const std::string& unit);

// Applies a unit snapshot from the hub; allocations of the group that the hub no longer has are
// removed unless a local change to them is pending. Returns how many rows could not be applied.
Result<int> ApplySnapshot(store::WriteContext& ctx, const nlohmann::json& snapshot,
                          std::int64_t acked_seq);

// Removes the personal data of people allocated to none of `units` (the device's scope) and
// referred to by no pending op. Returns how many people were redacted.
Result<int> RedactLeavers(store::WriteContext& ctx, const std::vector<std::string>& units,
                          std::int64_t acked_seq);

}  // namespace upw::sync
