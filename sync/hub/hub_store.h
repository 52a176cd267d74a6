// The head office's storage, behind one interface with two implementations: SQLite (the embedded
// default, sqlite_hub_store.cpp) and PostgreSQL (for a head office serving many authorities).
//
// All hub logic (hub_service.cpp) runs inside Write() or Read(): one transaction each, so a push
// batch, its op log, its stored answer and every change it makes commit together or not at all.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace upw::sync::hub {

struct DeviceRow {
  std::string id;
  std::string name;
  std::string kind;  // "van" or "base"
  std::string van_id;
  std::string secret_hash;
  std::string status;  // "active", "revoked", "forked"
  std::int64_t next_seq = 1;
  std::string last_batch;
  int schema = 0;
  std::int64_t enrolled_ms = 0;
  std::int64_t last_seen_ms = 0;
  std::int64_t clock_offset_ms = 0;
  bool clock_flagged = false;
};

struct CodeRow {
  std::string code_hash;
  std::string name;
  std::string kind;
  std::string van_id;
  std::int64_t expires_ms = 0;
  std::string used_by;  // device id once used
};

struct EntityRow {
  std::string entity;
  std::string id;
  nlohmann::json body;    // field -> value
  nlohmann::json stamps;  // field -> "HLC@device" of the value's write
  // Scope keys, derived from body by the hub: the work group a row belongs to, and for groups
  // their van and date.
  std::string group_id;
  std::string van_id;
  std::string session_date;
};

struct EventRow {
  std::string id;
  std::string record_id;
  std::string kind;
  std::string work_group_id;
  std::string service_user_id;
  std::string device_id;  // the device that pushed it
  nlohmann::json body;    // the event as its device recorded it
};

struct ChangeRef {
  std::int64_t seq = 0;
  std::string entity;
  std::string id;
};

struct OpLogRow {
  std::string device_id;
  std::int64_t seq = 0;
  std::string batch_id;
  std::string entity;
  std::string entity_id;
  std::string outcome;  // applied, duplicate, rejected, conflict
  std::string reason;
};

// One transaction's view. Methods return kUnavailable when storage fails; the transaction then
// rolls back.
class HubTx {
 public:
  virtual ~HubTx() = default;
  virtual Result<std::optional<std::string>> GetMeta(const std::string& key) = 0;
  virtual Status PutMeta(const std::string& key, const std::string& value) = 0;

  virtual Result<std::optional<DeviceRow>> FindDevice(const std::string& id) = 0;
  virtual Status PutDevice(const DeviceRow& d) = 0;
  virtual Result<std::vector<DeviceRow>> ListDevices() = 0;
  virtual Result<std::optional<CodeRow>> FindCode(const std::string& code_hash) = 0;
  virtual Status PutCode(const CodeRow& c) = 0;

  virtual Result<std::optional<std::string>> FindBatchAnswer(const std::string& device_id,
                                                             const std::string& batch_id) = 0;
  virtual Status PutBatch(const std::string& device_id, const std::string& batch_id,
                          const std::string& answer, std::int64_t at_ms) = 0;
  virtual Status PutOps(const std::vector<OpLogRow>& ops) = 0;
  // Op log of one device, by seq (for the oracle and the admin).
  virtual Result<std::vector<OpLogRow>> OpsOf(const std::string& device_id) = 0;

  virtual Result<std::optional<EntityRow>> FindEntity(const std::string& entity,
                                                      const std::string& id) = 0;
  // Inserts or replaces the row, and appends it to the change log.
  virtual Status PutEntity(const EntityRow& row) = 0;
  virtual Result<std::vector<EntityRow>> EntitiesOfKind(const std::string& entity) = 0;
  virtual Result<std::vector<EntityRow>> EntitiesOfGroup(const std::string& entity,
                                                         const std::string& group_id) = 0;
  virtual Result<std::vector<EntityRow>> GroupsOfVan(const std::string& van_id,
                                                     const std::string& from_date,
                                                     const std::string& to_date) = 0;
  virtual Result<std::vector<EntityRow>> GroupsBetween(const std::string& from_date,
                                                       const std::string& to_date) = 0;

  virtual Result<std::optional<EventRow>> FindEvent(const std::string& id) = 0;
  // Inserts the event (never replaced) and appends it to the change log.
  virtual Status PutEvent(const EventRow& e) = 0;
  // Events of one person in one group, in the order the hub received them.
  virtual Result<std::vector<EventRow>> EventsOf(const std::string& work_group_id,
                                                 const std::string& service_user_id) = 0;
  virtual Result<std::vector<EventRow>> EventsOfGroup(const std::string& work_group_id) = 0;
  virtual Result<std::int64_t> CountEvents() = 0;

  virtual Result<std::vector<ChangeRef>> ChangesAfter(std::int64_t after, int limit) = 0;
};

class HubStore {
 public:
  virtual ~HubStore() = default;
  // Runs fn in one write transaction, durable before Write returns. Nothing is kept if fn fails.
  virtual Status Write(const std::function<Status(HubTx&)>& fn) = 0;
  // Runs fn in one read transaction (a consistent snapshot).
  virtual Status Read(const std::function<Status(HubTx&)>& fn) = 0;
};

// SQLite: a file, created and migrated on first open. kUnavailable if it cannot be opened.
Result<std::unique_ptr<HubStore>> OpenSqliteHubStore(const std::string& path);
// PostgreSQL: a libpq connection string ("postgresql://..." or "host=... dbname=...").
Result<std::unique_ptr<HubStore>> OpenPostgresHubStore(const std::string& conninfo);
// Either, chosen by the form of `where`: a postgresql:// URI or a file path.
Result<std::unique_ptr<HubStore>> OpenHubStore(const std::string& where);

}  // namespace upw::sync::hub
