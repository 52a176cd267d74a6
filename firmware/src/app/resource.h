// A declarative description of each plain resource (placements, vans, people, orders, groups, ...)
// that drives input validation, SQL, audit/outbox journaling, ETag versions and the OpenAPI schema,
// so that every resource follows the same rules: unknown field -> refused, wrong type -> refused
// naming the field, nothing written unless everything is valid.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/actor.h"
#include "app/services.h"
#include "common/status.h"
#include "store/db.h"

namespace upw::app {

enum class FieldType { kText, kInt, kBool, kDate, kTime, kEnum, kRef, kTextList, kIdList };

enum class WriteAccess {
  kPlanner,     // planners set it on create and edit
  kOfficeOnly,  // set on create; afterwards head office only (admin on the device)
  kCreateOnly,  // set on create, never edited
  kServer,      // derived or server-set; never in a request
};

struct Field {
  std::string name;
  FieldType type = FieldType::kText;
  bool required = false;            // on create
  std::int64_t min = 0;             // kInt: smallest; kText: shortest
  std::int64_t max = 200;           // kInt: largest; kText: longest; lists: most items
  std::vector<std::string> values;  // kEnum and kTextList: allowed values (empty = any)
  std::string ref;                  // kRef: the table referred to
  WriteAccess access = WriteAccess::kPlanner;
  bool planners_only = false;  // sensitive: not shown to supervisors or devices
  nlohmann::json fallback;     // value on create when absent; such a field cannot be null
  std::string description;     // for the OpenAPI document
};

struct ResourceSpec {
  std::string path;    // URL segment, e.g. "work-groups"
  std::string table;   // SQLite table
  std::string entity;  // audit/outbox entity name
  std::vector<Field> fields;
  std::string date_field;  // lists accept ?from=&to= on this date field
  std::string order_by = "created_at";
  // Supervisors see only rows matching this SQL condition, with ?1 bound to their supervisor id;
  // empty means supervisors may not list or read this resource at all.
  std::string supervisor_scope;
  // Defaults and rules across fields, with the full row after the change (`before` is null on
  // create). Runs inside the write transaction, so lookups see committed state.
  std::function<Status(store::Db&, nlohmann::json& row, const nlohmann::json* before,
                       const Services&)>
      check;
  // Read-only figures computed on output (e.g. an order's hours).
  std::function<void(store::Db&, nlohmann::json& row, const Services&)> derive;
};

const std::vector<ResourceSpec>& Resources();
const ResourceSpec* FindResource(const std::string& path);

struct Entity {
  nlohmann::json body;
  std::int64_t version = 0;
};

using Query = std::map<std::string, std::string>;

// Rows visible to the actor, filtered by ?field=value for any field, ?from=&to= on the date field,
// ?limit= (1-500, default 100) and ?offset=. Invalid on an unknown parameter or a bad value.
Result<std::vector<nlohmann::json>> ListEntities(const Services& s, const Actor& a,
                                                 const ResourceSpec& spec, const Query& q);
// NotFound if the row does not exist or is outside a supervisor's scope.
Result<Entity> GetEntity(const Services& s, const Actor& a, const ResourceSpec& spec,
                         const std::string& id);
// Creates a row from `body` (a JSON object). Planners only. The client may supply "id" (a UUID
// minted offline); Conflict if a row with that id exists.
Result<Entity> CreateEntity(const Services& s, const Actor& a, const ResourceSpec& spec,
                            const nlohmann::json& body);
// Changes the fields present in `body`. if_match must equal the stored version (412 otherwise).
Result<Entity> PatchEntity(const Services& s, const Actor& a, const ResourceSpec& spec,
                           const std::string& id, std::int64_t if_match,
                           const nlohmann::json& body);

// Reads one row by id as JSON (typed by the spec), or null. For use inside other actions.
nlohmann::json LoadRow(store::Db& db, const ResourceSpec& spec, const std::string& id);
const ResourceSpec& Spec(const std::string& path);

}  // namespace upw::app
