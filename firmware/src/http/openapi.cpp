#include "http/openapi.h"

#include "app/resource.h"

namespace upw::http {

using nlohmann::json;

namespace {

json FieldSchema(const app::Field& f) {
  json s;
  switch (f.type) {
    case app::FieldType::kText:
      s = {{"type", "string"}, {"maxLength", f.max}};
      break;
    case app::FieldType::kInt:
      s = {{"type", "integer"}, {"minimum", f.min}, {"maximum", f.max}};
      break;
    case app::FieldType::kBool:
      s = {{"type", "boolean"}};
      break;
    case app::FieldType::kDate:
      s = {{"type", "string"}, {"format", "date"}};
      break;
    case app::FieldType::kTime:
      s = {{"type", "string"}, {"pattern", "^[0-2][0-9]:[0-5][0-9]$"}};
      break;
    case app::FieldType::kEnum:
      s = {{"type", "string"}, {"enum", f.values}};
      break;
    case app::FieldType::kRef:
      s = {{"type", "string"}, {"format", "uuid"}};
      break;
    case app::FieldType::kTextList:
      s = {{"type", "array"}, {"maxItems", f.max}, {"items", {{"type", "string"}}}};
      if (!f.values.empty()) s["items"]["enum"] = f.values;
      break;
    case app::FieldType::kIdList:
      s = {{"type", "array"},
           {"maxItems", f.max},
           {"items", {{"type", "string"}, {"format", "uuid"}}}};
      break;
  }
  if (f.access == app::WriteAccess::kOfficeOnly)
    s["description"] = "set on create; then head office only";
  if (f.access == app::WriteAccess::kCreateOnly) s["description"] = "set on create only";
  if (f.planners_only) s["description"] = "sensitive: shown to planners and admins only";
  return s;
}

json Ref(const std::string& name) { return {{"$ref", "#/components/schemas/" + name}}; }

json Op(const std::string& summary, int ok, const json& request = nullptr) {
  json op = {{"summary", summary},
             {"responses",
              {{std::to_string(ok), {{"description", "done"}}},
               {"4XX",
                {{
                     "description",
                     "problem",
                 },
                 {"content", {{"application/problem+json", {{"schema", Ref("Problem")}}}}}}}}}};
  if (!request.is_null()) {
    op["requestBody"] = {{"required", true},
                         {"content", {{"application/json", {{"schema", request}}}}}};
  }
  return op;
}

json Param(const std::string& name) {
  return {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}};
}

}  // namespace

json OpenApiDocument() {
  json schemas = {
      {"Problem",
       {{"type", "object"},
        {"properties",
         {{"type", {{"type", "string"}}},
          {"title", {{"type", "string"}}},
          {"status", {{"type", "integer"}}},
          {"detail", {{"type", "string"}}},
          {"field", {{"type", "string"}}}}}}},
      {"Login",
       {{"type", "object"},
        {"required", {"username", "password"}},
        {"properties", {{"username", {{"type", "string"}}}, {"password", {{"type", "string"}}}}}}},
      {"AttendanceFacts",
       {{"type", "object"},
        {"required", {"outcome"}},
        {"properties",
         {{"id",
           {{"type", "string"},
            {"format", "uuid"},
            {"description", "client-minted; a retry with the same id and body replays"}}},
          {"service_user_id", {{"type", "string"}, {"format", "uuid"}}},
          {"outcome",
           {{"type", "string"},
            {"enum",
             {"attended_complied", "attended_failed_to_comply", "sent_home_behaviour",
              "sent_home_service", "unacceptable_absence", "acceptable_absence", "rescheduled"}}}},
          {"absence_reason",
           {{"type", "string"},
            {"enum",
             {"medical", "employment", "family", "court", "stood_down_in_advance",
              "professional_judgement", "service_request", "person_request"}}}},
          {"sign_in", {{"type", "string"}, {"format", "date-time"}}},
          {"sign_out", {{"type", "string"}, {"format", "date-time"}}},
          {"break_minutes", {{"type", "integer"}, {"minimum", 0}}},
          {"penalty_minutes", {{"type", "integer"}, {"minimum", 0}}},
          {"activity", {{"type", "string"}, {"enum", {"unpaid_work", "other_activity"}}}},
          {"note", {{"type", "string"}, {"maxLength", 3999}}},
          {"note_sensitive", {{"type", "boolean"}}},
          {"reason",
           {{"type", "string"}, {"description", "why: required for amendments and voids"}}}}}}},
      {"StandDown",
       {{"type", "object"},
        {"required", {"reason"}},
        {"properties",
         {{"reason",
           {{"type", "string"},
            {"enum", {"weather", "van", "supervisor", "oversubscribed", "other"}}}},
          {"note", {{"type", "string"}, {"maxLength", 400}}}}}}},
      {"Allocation",
       {{"type", "object"},
        {"required", {"service_user_id"}},
        {"properties",
         {{"service_user_id", {{"type", "string"}, {"format", "uuid"}}},
          {"order_id", {{"type", "string"}, {"format", "uuid"}}},
          {"pickup_point", {{"type", "string"}}},
          {"pickup_time", {{"type", "string"}}}}}}},
      {"Account",
       {{"type", "object"},
        {"properties",
         {{"username", {{"type", "string"}}},
          {"display_name", {{"type", "string"}}},
          {"role", {{"type", "string"}, {"enum", {"supervisor", "planner", "admin", "device"}}}},
          {"password", {{"type", "string"}, {"minLength", 8}}},
          {"supervisor_id", {{"type", "string"}, {"format", "uuid"}}},
          {"active", {{"type", "boolean"}}}}}}}};
  json paths = {
      {"/health", {{"get", Op("Liveness and schema version (no sign-in needed)", 200)}}},
      {"/session",
       {{"post", Op("Sign in; sets an HttpOnly SameSite=Strict cookie", 201, Ref("Login"))},
        {"get", Op("Who is signed in", 200)},
        {"delete", Op("Sign out", 204)}}},
      {"/openapi.json", {{"get", Op("This document", 200)}}},
      {"/audit", {{"get", Op("The audit trail, newest first (planners, admins)", 200)}}},
      {"/users",
       {{"get", Op("Accounts (admins)", 200)},
        {"post", Op("Add an account (admins)", 201, Ref("Account"))}}},
      {"/users/{username}",
       {{"parameters", {Param("username")}},
        {"patch", Op("Deactivate or rename an account (admins)", 200, Ref("Account"))}}},
      {"/users/{username}/password",
       {{"parameters", {Param("username")}},
        {"put",
         Op("Set a password (admins, or yourself with current_password)", 204, Ref("Account"))}}},
      {"/work-groups/{id}/allocations",
       {{"parameters", {Param("id")}},
        {"get", Op("People allocated to the group", 200)},
        {"post", Op("Allocate a person (planners)", 201, Ref("Allocation"))}}},
      {"/work-groups/{id}/allocations/{allocation_id}",
       {{"parameters", {Param("id"), Param("allocation_id")}},
        {"delete", Op("Remove an allocation with no attendance", 204)}}},
      {"/work-groups/{id}/attendance",
       {{"parameters", {Param("id")}},
        {"get", Op("The register: everyone allocated, their record, hours and warnings", 200)},
        {"post", Op("Record attendance (an append-only event)", 201, Ref("AttendanceFacts"))}}},
      {"/work-groups/{id}/attendance/{record_id}",
       {{"parameters", {Param("id"), Param("record_id")}},
        {"get", Op("One record with its history", 200)}}},
      {"/work-groups/{id}/attendance/{record_id}/amendments",
       {{"parameters", {Param("id"), Param("record_id")}},
        {"post", Op("Amend a record, with a reason", 201, Ref("AttendanceFacts"))}}},
      {"/work-groups/{id}/attendance/{record_id}/updates",
       {{"parameters", {Param("id"), Param("record_id")}},
        {"post", Op("Update a record while the session is open (sign-out, breaks)", 201,
                    Ref("AttendanceFacts"))}}},
      {"/work-groups/{id}/close",
       {{"parameters", {Param("id")}},
        {"post", Op("Close the session once everyone has a finished record", 200)}}},
      {"/work-groups/{id}/stand-down",
       {{"parameters", {Param("id")}},
        {"post", Op("Stand the whole group down (reason: weather, van, supervisor, "
                    "oversubscribed, other; note)",
                    200, Ref("StandDown"))}}},
      {"/sync",
       {{"get", Op("Sync with head office: queue depth, oldest unsent change, last good exchange, "
                   "clock offset, conflicts and rejected changes",
                   200)}}},
      {"/sync/run", {{"post", Op("Sync with head office now; answers with what happened", 200)}}},
      {"/sync/conflicts",
       {{"get", Op("The conflict inbox: attendance conflicts with the versions in each (planners)",
                   200)}}},
      {"/sync/conflicts/{id}/resolve",
       {{"parameters", {Param("id")}},
        {"post", Op("Resolve a conflict: {\"keep\": EVENT_ID} names the version that stands "
                    "(planners)",
                    200)}}},
      {"/work-groups/{id}/attendance/{record_id}/void",
       {{"parameters", {Param("id"), Param("record_id")}},
        {"post", Op("Void a record, with a reason", 201, Ref("AttendanceFacts"))}}}};
  for (const auto& spec : app::Resources()) {
    json props = {{"id", {{"type", "string"}, {"format", "uuid"}}}};
    json required = json::array();
    for (const auto& f : spec.fields) {
      props[f.name] = FieldSchema(f);
      if (f.required) required.push_back(f.name);
    }
    std::string name = spec.entity;
    schemas[name] = {{"type", "object"},
                     {"additionalProperties", false},
                     {"properties", props},
                     {"required", required}};
    paths["/" + spec.path] = {{"get", Op("List " + spec.path, 200)},
                              {"post", Op("Create (planners)", 201, Ref(name))}};
    json patch = Op("Change fields; send If-Match with the ETag", 200, Ref(name));
    patch["parameters"] = {{{"name", "If-Match"},
                            {"in", "header"},
                            {"required", true},
                            {"schema", {{"type", "string"}}}}};
    paths["/" + spec.path + "/{id}"] = {{"parameters", {Param("id")}},
                                        {"get", Op("Read one; answers with its ETag", 200)},
                                        {"patch", patch}};
  }
  return {{"openapi", "3.0.3"},
          {"info", {{"title", "UPW Field device API"}, {"version", "1"}}},
          {"servers", {{{"url", "/api/v1"}}}},
          {"components",
           {{"schemas", schemas},
            {"securitySchemes",
             {{"cookie", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "upw_session"}}}}}}},
          {"security", {{{"cookie", json::array()}}}},
          {"paths", paths}};
}

}  // namespace upw::http
