// Table-driven contract test over every route of the OpenAPI document: each bad request gets the
// 4xx and the field the API promises, no bad request writes anything, no input crashes the server,
// and every (path, method) in /api/v1/openapi.json appears in the table.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "store/db.h"
#include "world.h"

namespace upw::testing {
namespace {

using nlohmann::json;

enum class As { kNobody, kSupervisor, kPlanner, kAdmin };

struct Case {
  As as;
  std::string method;
  std::string route;  // OpenAPI path template, e.g. /work-groups/{id}/attendance
  std::string
      path;  // with {group} {person} {order} {placement} {record} {unknown}... filled in by Fill()
  std::string body;  // raw request body
  int status;
  std::string field;  // the field the problem must name ("" = not checked)
  std::string content_type = "application/json";
  std::string if_match;
};

const std::string kUnknown = "01890a5d-ac96-774b-bcce-b302099a8057";

class ApiContract : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    w = MakeWorld(3).release();
    // One attendance record to amend and void.
    auto r = w->supervisor->Post("/api/v1/work-groups/" + w->group + "/attendance",
                                 {{"service_user_id", w->people[0]},
                                  {"outcome", "attended_complied"},
                                  {"sign_in", w->At(9, 0)},
                                  {"sign_out", w->At(15, 0)}});
    ASSERT_EQ(r.status, 201) << r.body;
    record = r.json()["record_id"];
    auto alloc = w->planner->Get("/api/v1/work-groups/" + w->group + "/allocations").json();
    allocation = alloc["items"][2]["id"];
  }
  static void TearDownTestSuite() { delete w; }

  static std::string Fill(std::string s) {
    const std::map<std::string, std::string> vars = {
        {"{group}", w->group},     {"{person}", w->people[1]},
        {"{order}", w->orders[1]}, {"{placement}", w->placement_id},
        {"{van}", w->van_id},      {"{supervisor}", w->supervisor_id},
        {"{record}", record},      {"{allocation}", allocation},
        {"{unknown}", kUnknown},   {"{yesterday}", w->yesterday},
        {"{in}", w->At(9, 0)},     {"{out}", w->At(15, 0)}};
    for (const auto& [k, v] : vars) {
      for (std::size_t pos; (pos = s.find(k)) != std::string::npos;) s.replace(pos, k.size(), v);
    }
    return s;
  }

  HttpResponse Send(const Case& c) {
    HttpClient* client = nullptr;
    std::unique_ptr<HttpClient> anonymous;
    switch (c.as) {
      case As::kNobody:
        anonymous = w->Client();
        client = anonymous.get();
        break;
      case As::kSupervisor:
        client = w->supervisor.get();
        break;
      case As::kPlanner:
        client = w->planner.get();
        break;
      case As::kAdmin:
        client = w->admin.get();
        break;
    }
    std::map<std::string, std::string> headers;
    if (!c.body.empty()) headers["Content-Type"] = c.content_type;
    if (!c.if_match.empty()) headers["If-Match"] = c.if_match;
    return client->Request(c.method, "/api/v1" + Fill(c.path), Fill(c.body), headers);
  }

  // Rows that any write would add to: entity tables, events, outbox, audit (less failed sign-ins,
  // which are audited on purpose).
  static std::int64_t Footprint() {
    auto db = store::Db::Open(w->db, {.read_only = true}).value();
    auto& st = db->Prepare(
        "SELECT (SELECT count(*) FROM outbox) + (SELECT count(*) FROM attendance_event) + "
        "(SELECT count(*) FROM audit WHERE action <> 'session.login_failed') + "
        "(SELECT count(*) FROM allocation) + (SELECT sum(version) FROM service_user) + "
        "(SELECT sum(version) FROM cpo_order) + (SELECT count(*) FROM user_account) + "
        "(SELECT sum(version) FROM user_account)");
    return st.Step() ? st.Int(0) : -1;
  }

  static World* w;
  static std::string record;
  static std::string allocation;
};
World* ApiContract::w = nullptr;
std::string ApiContract::record;
std::string ApiContract::allocation;

std::vector<Case> BadCases() {
  const std::string big(static_cast<std::size_t>(1.1 * 1024 * 1024), 'x');
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  const std::string long_note = std::string(4000, 'n');
  std::vector<Case> c = {
      // Sign-in.
      {As::kNobody, "POST", "/session", "/session", "{}", 422, "username"},
      {As::kNobody, "POST", "/session", "/session", R"({"username":"planner"})", 422, "password"},
      {As::kNobody, "POST", "/session", "/session", R"({"username":7,"password":"x"})", 422,
       "username"},
      {As::kNobody, "POST", "/session", "/session",
       R"({"username":"planner","password":"x","admin":true})", 422, "admin"},
      {As::kNobody, "POST", "/session", "/session", "{oops", 400, ""},
      {As::kNobody, "POST", "/session", "/session", R"({"username":"planner","password":"x"})", 415,
       "Content-Type", "text/plain"},
      {As::kNobody, "GET", "/session", "/session", "", 401, ""},
      {As::kNobody, "DELETE", "/session", "/session", "", 401, ""},
      {As::kNobody, "GET", "/openapi.json", "/openapi.json", "", 401, ""},
      {As::kPlanner, "PUT", "/session", "/session", "{}", 405, ""},
      // Service users.
      {As::kNobody, "GET", "/service-users", "/service-users", "", 401, ""},
      {As::kPlanner, "POST", "/service-users", "/service-users",
       R"({"first_name":"A","last_name":"B"})", 422, "date_of_birth"},
      {As::kPlanner, "POST", "/service-users", "/service-users",
       R"({"first_name":"A","last_name":"B","date_of_birth":"2020-13-01"})", 422, "date_of_birth"},
      {As::kPlanner, "POST", "/service-users", "/service-users",
       R"({"first_name":"A","last_name":"B","date_of_birth":"2019-01-01"})", 422, "date_of_birth"},
      {As::kPlanner, "POST", "/service-users", "/service-users",
       R"({"first_name":"A","last_name":"B","date_of_birth":"1990-01-01","shoe_size":9})", 422,
       "shoe_size"},
      {As::kPlanner, "POST", "/service-users", "/service-users",
       R"({"first_name":5,"last_name":"B","date_of_birth":"1990-01-01"})", 422, "first_name"},
      {As::kPlanner, "POST", "/service-users", "/service-users",
       R"({"first_name":"  ","last_name":"B","date_of_birth":"1990-01-01"})", 422, "first_name"},
      {As::kPlanner, "POST", "/service-users", "/service-users",
       R"({"first_name":"A","last_name":"B","date_of_birth":"1990-01-01","risk_flags":["dragon"]})",
       422, "risk_flags"},
      {As::kPlanner, "POST", "/service-users", "/service-users",
       R"({"first_name":"A","last_name":"B","date_of_birth":"1990-01-01","keep_apart":["{unknown}"]})",
       422, "keep_apart"},
      {As::kPlanner, "POST", "/service-users", "/service-users",
       R"({"first_name":"A","last_name":"B","date_of_birth":"1990-01-01","id":"not-a-uuid"})", 422,
       "id"},
      {As::kPlanner, "POST", "/service-users", "/service-users", "[1,2]", 400, ""},
      {As::kPlanner, "POST", "/service-users", "/service-users", deep, 400, ""},
      {As::kPlanner, "POST", "/service-users", "/service-users", big, 413, ""},
      {As::kSupervisor, "POST", "/service-users", "/service-users",
       R"({"first_name":"A","last_name":"B","date_of_birth":"1990-01-01"})", 403, ""},
      {As::kPlanner, "GET", "/service-users", "/service-users?bogus=1", "", 422, "bogus"},
      {As::kPlanner, "GET", "/service-users", "/service-users?limit=0", "", 422, "limit"},
      {As::kPlanner, "GET", "/service-users", "/service-users?limit=1&limit=2", "", 422, "limit"},
      {As::kPlanner, "GET", "/service-users/{id}", "/service-users/{unknown}", "", 404, "id"},
      {As::kPlanner, "GET", "/service-users/{id}", "/service-users/%27%20OR%201%3D1%20--", "", 404,
       "id"},
      {As::kPlanner, "PATCH", "/service-users/{id}", "/service-users/{person}",
       R"({"first_name":"X"})", 428, "If-Match"},
      {As::kPlanner, "PATCH", "/service-users/{id}", "/service-users/{person}",
       R"({"first_name":"X"})", 412, "If-Match", "application/json", "\"v99\""},
      {As::kPlanner, "PATCH", "/service-users/{id}", "/service-users/{person}",
       R"({"first_name":"X"})", 400, "If-Match", "application/json", "v1"},
      {As::kPlanner, "PATCH", "/service-users/{id}", "/service-users/{person}",
       R"({"first_name":""})", 422, "first_name", "application/json", "\"v1\""},
      {As::kPlanner, "PATCH", "/service-users/{id}", "/service-users/{person}",
       R"({"id":"{unknown}"})", 422, "id", "application/json", "\"v1\""},
      {As::kPlanner, "PATCH", "/service-users/{id}", "/service-users/{unknown}",
       R"({"first_name":"X"})", 404, "id", "application/json", "\"v1\""},
      {As::kPlanner, "DELETE", "/service-users/{id}", "/service-users/{person}", "", 405, ""},
      // Orders.
      {As::kSupervisor, "GET", "/orders", "/orders", "", 403, ""},
      {As::kPlanner, "POST", "/orders", "/orders",
       R"({"service_user_id":"{person}","court":"C","imposed_on":"2026-01-05","hours_ordered":19})",
       422, "hours_ordered"},
      {As::kPlanner, "POST", "/orders", "/orders",
       R"({"service_user_id":"{person}","court":"C","imposed_on":"2026-01-05","hours_ordered":301})",
       422, "hours_ordered"},
      {As::kPlanner, "POST", "/orders", "/orders",
       R"({"service_user_id":"{person}","court":"C","imposed_on":"2026-01-05","hours_ordered":-5})",
       422, "hours_ordered"},
      {As::kPlanner, "POST", "/orders", "/orders",
       R"({"service_user_id":"{person}","court":"C","imposed_on":"2026-01-05","hours_ordered":1e12})",
       422, "hours_ordered"},
      {As::kPlanner, "POST", "/orders", "/orders",
       R"({"service_user_id":"{person}","court":"C","imposed_on":"2026-01-05","hours_ordered":"ten"})",
       422, "hours_ordered"},
      {As::kPlanner, "POST", "/orders", "/orders",
       R"({"service_user_id":"{person}","court":"C","imposed_on":"2999-01-05","hours_ordered":50})",
       422, "imposed_on"},
      {As::kPlanner, "POST", "/orders", "/orders",
       R"({"service_user_id":"{person}","court":"C","imposed_on":"2026-01-05","deadline":"2026-01-01","hours_ordered":50})",
       422, "deadline"},
      {As::kPlanner, "POST", "/orders", "/orders",
       R"({"service_user_id":"{unknown}","court":"C","imposed_on":"2026-01-05","hours_ordered":50})",
       422, "service_user_id"},
      {As::kPlanner, "POST", "/orders", "/orders",
       R"({"service_user_id":"{person}","court":"C","imposed_on":"2026-01-05","hours_ordered":50,"status":"happy"})",
       422, "status"},
      {As::kPlanner, "PATCH", "/orders/{id}", "/orders/{order}", R"({"hours_ordered":100})", 403,
       "hours_ordered", "application/json", "\"v1\""},
      {As::kPlanner, "PATCH", "/orders/{id}", "/orders/{order}",
       R"({"service_user_id":"{person}"})", 403, "service_user_id", "application/json", "\"v1\""},
      {As::kPlanner, "GET", "/orders/{id}", "/orders/{unknown}", "", 404, "id"},
      // Placements, supervisors, vans.
      {As::kPlanner, "POST", "/placements", "/placements",
       R"({"name":"P","kind":"group","address":"A","capacity":0})", 422, "capacity"},
      {As::kPlanner, "POST", "/placements", "/placements",
       R"({"name":"P","kind":"castle","address":"A","capacity":4})", 422, "kind"},
      {As::kPlanner, "POST", "/placements", "/placements",
       R"({"name":"P","kind":"group","address":"A","capacity":4,"flags":["men_only","women_only"]})",
       422, "flags"},
      {As::kPlanner, "POST", "/placements", "/placements",
       R"({"name":"P","kind":"group","address":"A","capacity":4,"days_available":["mon","mon"]})",
       422, "days_available"},
      {As::kPlanner, "PATCH", "/placements/{id}", "/placements/{placement}",
       R"({"capacity":"lots"})", 422, "capacity", "application/json", "\"v1\""},
      {As::kPlanner, "GET", "/placements/{id}", "/placements/{unknown}", "", 404, "id"},
      {As::kPlanner, "GET", "/placements", "/placements?kind=castle", "", 422, "kind"},
      {As::kPlanner, "GET", "/supervisors", "/supervisors?can_drive=perhaps", "", 422, "can_drive"},
      {As::kPlanner, "GET", "/vans", "/vans?seats=many", "", 422, "seats"},
      {As::kPlanner, "POST", "/supervisors", "/supervisors", R"({"can_drive":true})", 422, "name"},
      {As::kPlanner, "POST", "/supervisors", "/supervisors", R"({"name":"S","can_drive":"yes"})",
       422, "can_drive"},
      {As::kPlanner, "PATCH", "/supervisors/{id}", "/supervisors/{supervisor}", R"({"name":null})",
       422, "name", "application/json", "\"v1\""},
      {As::kPlanner, "GET", "/supervisors/{id}", "/supervisors/{unknown}", "", 404, "id"},
      {As::kPlanner, "POST", "/vans", "/vans",
       R"({"registration":"X1","name":"V","seats":4,"usable_seats":6})", 422, "usable_seats"},
      {As::kPlanner, "POST", "/vans", "/vans", R"({"registration":"X1","name":"V","seats":0})", 422,
       "seats"},
      {As::kPlanner, "POST", "/vans", "/vans",
       R"({"registration":"SV21 ABC","name":"Same plate","seats":4})", 409, ""},
      {As::kPlanner, "PATCH", "/vans/{id}", "/vans/{van}", R"({"seats":2.5})", 422, "seats",
       "application/json", "\"v1\""},
      {As::kPlanner, "GET", "/vans/{id}", "/vans/{unknown}", "", 404, "id"},
      {As::kPlanner, "PUT", "/vans", "/vans", "{}", 405, ""},
      // Work groups.
      {As::kPlanner, "POST", "/work-groups", "/work-groups",
       R"({"session_date":"{yesterday}","starts_at":"09:00","ends_at":"25:00","placement_id":"{placement}","supervisor_id":"{supervisor}"})",
       422, "ends_at"},
      {As::kPlanner, "POST", "/work-groups", "/work-groups",
       R"({"session_date":"{yesterday}","starts_at":"09:00","ends_at":"09:00","placement_id":"{placement}","supervisor_id":"{supervisor}"})",
       422, "ends_at"},
      {As::kPlanner, "POST", "/work-groups", "/work-groups",
       R"({"session_date":"{yesterday}","starts_at":"09:00","ends_at":"12:00","placement_id":"{unknown}","supervisor_id":"{supervisor}"})",
       422, "placement_id"},
      {As::kPlanner, "POST", "/work-groups", "/work-groups",
       R"({"session_date":"{yesterday}","starts_at":"09:00","ends_at":"12:00","placement_id":"{placement}","supervisor_id":"{supervisor}","capacity":50})",
       422, "capacity"},
      {As::kPlanner, "POST", "/work-groups", "/work-groups",
       R"({"session_date":"{yesterday}","starts_at":"10:00","ends_at":"12:00","placement_id":"{placement}","supervisor_id":"{supervisor}"})",
       409, "supervisor_id"},
      {As::kPlanner, "POST", "/work-groups", "/work-groups",
       R"({"session_date":"yesterday","starts_at":"09:00","ends_at":"12:00","placement_id":"{placement}","supervisor_id":"{supervisor}"})",
       422, "session_date"},
      {As::kPlanner, "GET", "/work-groups", "/work-groups?from=soon", "", 422, "from"},
      {As::kPlanner, "PATCH", "/work-groups/{id}", "/work-groups/{group}", R"({"capacity":1})", 422,
       "capacity", "application/json", "\"v1\""},
      {As::kPlanner, "GET", "/work-groups/{id}", "/work-groups/{unknown}", "", 404, "id"},
      // Allocations.
      {As::kPlanner, "POST", "/work-groups/{id}/allocations", "/work-groups/{group}/allocations",
       "{}", 422, "service_user_id"},
      {As::kPlanner, "POST", "/work-groups/{id}/allocations", "/work-groups/{group}/allocations",
       R"({"service_user_id":"{unknown}"})", 422, "service_user_id"},
      {As::kPlanner, "POST", "/work-groups/{id}/allocations", "/work-groups/{group}/allocations",
       R"({"service_user_id":"{person}"})", 409, "service_user_id"},
      {As::kPlanner, "POST", "/work-groups/{id}/allocations", "/work-groups/{group}/allocations",
       R"({"service_user_id":"{person}","pickup_time":"noon"})", 422, "pickup_time"},
      {As::kPlanner, "POST", "/work-groups/{id}/allocations", "/work-groups/{unknown}/allocations",
       R"({"service_user_id":"{person}"})", 404, "id"},
      {As::kSupervisor, "POST", "/work-groups/{id}/allocations", "/work-groups/{group}/allocations",
       R"({"service_user_id":"{person}"})", 403, ""},
      {As::kPlanner, "GET", "/work-groups/{id}/allocations", "/work-groups/{unknown}/allocations",
       "", 404, "id"},
      {As::kPlanner, "DELETE", "/work-groups/{id}/allocations/{allocation_id}",
       "/work-groups/{group}/allocations/{unknown}", "", 404, "allocation_id"},
      // Attendance.
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance", "/work-groups/{group}/attendance",
       "{}", 422, "service_user_id"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance", "/work-groups/{group}/attendance",
       R"({"service_user_id":"{person}","outcome":"sunbathing"})", 422, "outcome"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance", "/work-groups/{group}/attendance",
       R"({"service_user_id":"{person}","outcome":"attended_complied","sign_in":"{out}","sign_out":"{in}"})",
       422, "sign_out"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance", "/work-groups/{group}/attendance",
       R"({"service_user_id":"{person}","outcome":"attended_complied","sign_in":"{in}","sign_out":"{out}","break_minutes":-1})",
       422, "break_minutes"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance", "/work-groups/{group}/attendance",
       R"({"service_user_id":"{person}","outcome":"attended_complied","sign_in":"{in}","sign_out":"{out}","penalty_minutes":1000})",
       422, "penalty_minutes"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance", "/work-groups/{group}/attendance",
       R"({"service_user_id":"{person}","outcome":"attended_complied","sign_in":"9am","sign_out":"{out}"})",
       422, "sign_in"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance", "/work-groups/{group}/attendance",
       R"({"service_user_id":"{person}","outcome":"attended_complied"})", 422, "sign_in"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance", "/work-groups/{group}/attendance",
       R"({"service_user_id":"{person}","outcome":"acceptable_absence"})", 422, "absence_reason"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance", "/work-groups/{group}/attendance",
       R"({"service_user_id":"{person}","outcome":"unacceptable_absence","note":")" + long_note +
           R"("})",
       422, "note"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance", "/work-groups/{group}/attendance",
       R"({"service_user_id":"{person}","outcome":"unacceptable_absence","colour":"red"})", 422,
       "colour"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance", "/work-groups/{group}/attendance",
       R"({"service_user_id":"{unknown}","outcome":"unacceptable_absence"})", 422,
       "service_user_id"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance", "/work-groups/{group}/attendance",
       R"({"service_user_id":"{person}","outcome":"unacceptable_absence"})", 415, "Content-Type",
       "application/x-www-form-urlencoded"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance", "/work-groups/{group}/attendance",
       big, 413, ""},
      {As::kAdmin, "POST", "/work-groups/{id}/attendance", "/work-groups/{group}/attendance",
       R"({"service_user_id":"{person}","outcome":"unacceptable_absence"})", 403, ""},
      {As::kNobody, "GET", "/work-groups/{id}/attendance", "/work-groups/{group}/attendance", "",
       401, ""},
      {As::kSupervisor, "GET", "/work-groups/{id}/attendance/{record_id}",
       "/work-groups/{group}/attendance/{unknown}", "", 404, "record_id"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance/{record_id}/amendments",
       "/work-groups/{group}/attendance/{unknown}/amendments",
       R"({"outcome":"unacceptable_absence","reason":"wrong"})", 404, "record_id"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance/{record_id}/amendments",
       "/work-groups/{group}/attendance/{record}/amendments",
       R"({"outcome":"unacceptable_absence"})", 422, "reason"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance/{record_id}/amendments",
       "/work-groups/{group}/attendance/{record}/amendments",
       R"({"outcome":"unacceptable_absence","reason":"   "})", 422, "reason"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance/{record_id}/void",
       "/work-groups/{group}/attendance/{record}/void", "{}", 422, "reason"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance/{record_id}/void",
       "/work-groups/{group}/attendance/{record}/void", R"({"reason":"x","also":1})", 422, "also"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance/{record_id}/updates",
       "/work-groups/{group}/attendance/{unknown}/updates",
       R"({"outcome":"attended_complied","sign_in":"{in}","sign_out":"{out}"})", 404, "record_id"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance/{record_id}/updates",
       "/work-groups/{group}/attendance/{record}/updates",
       R"({"outcome":"attended_complied","sign_in":"{out}","sign_out":"{in}"})", 422, "sign_out"},
      {As::kSupervisor, "POST", "/work-groups/{id}/attendance/{record_id}/updates",
       "/work-groups/{group}/attendance/{record}/updates",
       R"({"outcome":"attended_complied","sign_in":"{in}","sign_out":"{out}","reason":" "})", 422,
       "reason"},
      {As::kSupervisor, "POST", "/work-groups/{id}/close", "/work-groups/{group}/close", "{}", 409,
       "still_to_record"},
      {As::kAdmin, "POST", "/work-groups/{id}/close", "/work-groups/{group}/close", "{}", 403, ""},
      {As::kSupervisor, "POST", "/work-groups/{id}/close", "/work-groups/{unknown}/close", "{}",
       404, "id"},
      {As::kSupervisor, "GET", "/work-groups/{id}/close", "/work-groups/{group}/close", "", 405,
       ""},
      {As::kSupervisor, "POST", "/work-groups/{id}/stand-down", "/work-groups/{group}/stand-down",
       "{}", 422, "reason"},
      {As::kSupervisor, "POST", "/work-groups/{id}/stand-down", "/work-groups/{group}/stand-down",
       R"({"reason":"boredom"})", 422, "reason"},
      {As::kSupervisor, "POST", "/work-groups/{id}/stand-down", "/work-groups/{group}/stand-down",
       R"({"reason":"other"})", 422, "note"},
      {As::kSupervisor, "POST", "/work-groups/{id}/stand-down", "/work-groups/{group}/stand-down",
       R"({"reason":"van","when":"now"})", 422, "when"},
      {As::kSupervisor, "GET", "/work-groups/{id}/attendance/{record_id}/void",
       "/work-groups/{group}/attendance/{record}/void", "", 405, ""},
      // Sync.
      {As::kNobody, "GET", "/sync", "/sync", "", 401, ""},
      {As::kSupervisor, "POST", "/sync", "/sync", "{}", 405, ""},
      {As::kNobody, "POST", "/sync/run", "/sync/run", "{}", 401, ""},
      {As::kSupervisor, "GET", "/sync/run", "/sync/run", "", 405, ""},
      {As::kSupervisor, "GET", "/sync/conflicts", "/sync/conflicts", "", 403, ""},
      {As::kSupervisor, "POST", "/sync/conflicts/{id}/resolve", "/sync/conflicts/{unknown}/resolve",
       R"({"keep":"x"})", 403, ""},
      {As::kPlanner, "POST", "/sync/conflicts/{id}/resolve", "/sync/conflicts/{unknown}/resolve",
       R"({"keep":"x"})", 404, "id"},
      {As::kPlanner, "POST", "/sync/conflicts/{id}/resolve", "/sync/conflicts/{unknown}/resolve",
       "{}", 422, "keep"},
      // Audit and accounts.
      {As::kPlanner, "GET", "/audit", "/audit?limit=9999", "", 422, "limit"},
      {As::kPlanner, "GET", "/audit", "/audit?who=me", "", 422, "who"},
      {As::kSupervisor, "GET", "/audit", "/audit", "", 403, ""},
      {As::kPlanner, "GET", "/users", "/users", "", 403, ""},
      {As::kPlanner, "POST", "/users", "/users",
       R"({"username":"x","role":"admin","password":"long enough pw"})", 403, ""},
      {As::kAdmin, "POST", "/users", "/users",
       R"({"username":"Bad Name","role":"planner","password":"long enough pw"})", 422, "username"},
      {As::kAdmin, "POST", "/users", "/users",
       R"({"username":"newbie","role":"overlord","password":"long enough pw"})", 422, "role"},
      {As::kAdmin, "POST", "/users", "/users",
       R"({"username":"newbie","role":"planner","password":"short"})", 422, "password"},
      {As::kAdmin, "POST", "/users", "/users",
       R"({"username":"newbie","role":"supervisor","password":"long enough pw"})", 422,
       "supervisor_id"},
      {As::kAdmin, "POST", "/users", "/users",
       R"({"username":"planner","role":"planner","password":"long enough pw"})", 409, "username"},
      {As::kAdmin, "PATCH", "/users/{username}", "/users/planner", R"({"role":"admin"})", 422,
       "role"},
      {As::kAdmin, "PATCH", "/users/{username}", "/users/nobody", R"({"active":false})", 404,
       "username"},
      {As::kPlanner, "PATCH", "/users/{username}", "/users/sup", R"({"active":false})", 403, ""},
      {As::kAdmin, "PUT", "/users/{username}/password", "/users/sup/password",
       R"({"password":"short"})", 422, "password"},
      {As::kPlanner, "PUT", "/users/{username}/password", "/users/sup/password",
       R"({"password":"long enough pw"})", 403, ""},
      {As::kPlanner, "PUT", "/users/{username}/password", "/users/planner/password",
       R"({"password":"long enough pw","current_password":"wrong"})", 422, "current_password"},
      {As::kPlanner, "GET", "/health", "/nonsense", "", 404, ""},
  };
  return c;
}

TEST_F(ApiContract, EveryBadRequestGetsItsProblemAndWritesNothing) {
  const std::int64_t before = Footprint();
  for (const Case& c : BadCases()) {
    SCOPED_TRACE(c.method + " " + c.path + " " + c.body.substr(0, 120));
    auto r = Send(c);
    EXPECT_EQ(r.status, c.status) << r.body.substr(0, 400);
    if (r.status >= 400 && r.status != 405 && c.status != 404) {
      EXPECT_EQ(r.header("content-type"), "application/problem+json");
      const json p = r.json();
      ASSERT_FALSE(p.is_discarded()) << r.body;
      EXPECT_EQ(p["status"], c.status);
      EXPECT_TRUE(p.contains("detail"));
      if (!c.field.empty()) {
        EXPECT_EQ(p.value("field", ""), c.field);
      }
    }
  }
  EXPECT_EQ(Footprint(), before) << "a refused request wrote something";
  EXPECT_EQ(w->Client()->Get("/api/v1/health").status, 200) << "the server died";
}

TEST_F(ApiContract, EveryOpenApiOperationIsInTheTable) {
  auto doc = w->planner->Get("/api/v1/openapi.json").json();
  ASSERT_TRUE(doc.contains("paths"));
  std::set<std::string> tested;
  for (const Case& c : BadCases()) tested.insert(c.method + " " + c.route);
  // Routes whose refusals are covered elsewhere but which the table must still name.
  tested.insert("GET /health");
  std::set<std::string> missing;
  for (const auto& [path, ops] : doc["paths"].items()) {
    for (const auto& [method, _] : ops.items()) {
      if (method == "parameters") continue;
      std::string m = method;
      for (auto& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (!tested.count(m + " " + path)) missing.insert(m + " " + path);
    }
  }
  EXPECT_TRUE(missing.empty()) << [&] {
    std::string s = "untested operations:";
    for (const auto& m : missing) s += "\n  " + m;
    return s;
  }();
}

TEST_F(ApiContract, HappyPathOfEveryOperation) {
  auto& p = *w->planner;
  auto& a = *w->admin;
  EXPECT_EQ(w->Client()->Get("/api/v1/health").status, 200);
  EXPECT_EQ(p.Get("/api/v1/session").json()["user"]["role"], "planner");
  EXPECT_EQ(p.Get("/api/v1/openapi.json").json()["openapi"], "3.0.3");
  for (const std::string r :
       {"service-users", "orders", "placements", "supervisors", "vans", "work-groups"}) {
    auto list = p.Get("/api/v1/" + r);
    ASSERT_EQ(list.status, 200) << r;
    ASSERT_GT(list.json()["count"].get<int>(), 0) << r;
    const std::string id = list.json()["items"][0]["id"];
    auto one = p.Get("/api/v1/" + r + "/" + id);
    ASSERT_EQ(one.status, 200) << r;
    auto patched =
        p.Patch("/api/v1/" + r + "/" + id,
                r == "orders" ? json{{"case_manager", "Ms Case"}} : json{{"notes", "checked"}},
                one.header("etag"));
    EXPECT_EQ(patched.status, 200) << r << " " << patched.body;
  }
  auto person =
      p.Post("/api/v1/service-users",
             {{"first_name", "New"}, {"last_name", "Person"}, {"date_of_birth", "2000-02-29"}});
  ASSERT_EQ(person.status, 201) << person.body;
  EXPECT_EQ(person.header("location"),
            "/api/v1/service-users/" + person.json()["id"].get<std::string>());
  auto order = p.Post("/api/v1/orders", {{"service_user_id", person.json()["id"]},
                                         {"court", "Glasgow"},
                                         {"imposed_on", w->yesterday},
                                         {"hours_ordered", 120}});
  ASSERT_EQ(order.status, 201) << order.body;
  EXPECT_EQ(order.json()["level"], 2);
  EXPECT_EQ(order.json()["status"], "awaiting_induction");
  auto alloc = p.Post("/api/v1/work-groups/" + w->group + "/allocations",
                      {{"service_user_id", person.json()["id"]}, {"pickup_time", "8:15"}});
  ASSERT_EQ(alloc.status, 201) << alloc.body;
  EXPECT_EQ(alloc.json()["pickup_time"], "08:15");
  EXPECT_EQ(p.Get("/api/v1/work-groups/" + w->group + "/allocations").json()["count"], 4);
  EXPECT_EQ(p.Delete("/api/v1/work-groups/" + w->group + "/allocations/" +
                     alloc.json()["id"].get<std::string>())
                .status,
            204);
  auto rec = w->supervisor->Get("/api/v1/work-groups/" + w->group + "/attendance/" + record);
  EXPECT_EQ(rec.status, 200);
  EXPECT_EQ(p.Get("/api/v1/audit?limit=5").json()["count"], 5);
  EXPECT_EQ(a.Get("/api/v1/users").status, 200);
  EXPECT_EQ(a.Post("/api/v1/users",
                   {{"username", "tablet-1"}, {"role", "device"}, {"password", "device secret 1"}})
                .status,
            201);
  EXPECT_EQ(a.Request("PATCH", "/api/v1/users/tablet-1", R"({"active":false})",
                      {{"Content-Type", "application/json"}})
                .status,
            200);
  EXPECT_EQ(a.Request("PUT", "/api/v1/users/tablet-1/password", R"({"password":"another secret"})",
                      {{"Content-Type", "application/json"}})
                .status,
            204);
  auto c = w->Client();
  EXPECT_FALSE(c->Login("tablet-1", "another secret")) << "a deactivated account signed in";
  ASSERT_TRUE(c->Login("sup", kSupervisorPassword));
  EXPECT_EQ(c->Delete("/api/v1/session").status, 204);
  EXPECT_EQ(c->Get("/api/v1/session").status, 401) << "signed out, but the session still works";
}

TEST(Login, IsRateLimitedAfterFiveFailures) {
  auto w = MakeWorld(1);
  auto c = w->Client();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(c->Post("/api/v1/session",
                      {{"username", "planner"}, {"password", "guess" + std::to_string(i)}})
                  .status,
              401);
  }
  auto r = c->Post("/api/v1/session", {{"username", "planner"}, {"password", kPlannerPassword}});
  EXPECT_EQ(r.status, 429);
  EXPECT_FALSE(r.header("retry-after").empty());
  auto cookie = w->planner->Get("/api/v1/session");
  EXPECT_EQ(cookie.status, 200) << "an existing session must keep working";
}

TEST(Login, CookieIsHttpOnlyAndSameSiteStrict) {
  auto w = MakeWorld(1);
  auto c = w->Client();
  auto r = c->Post("/api/v1/session", {{"username", "planner"}, {"password", kPlannerPassword}});
  ASSERT_EQ(r.status, 201);
  const std::string cookie = r.header("set-cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_EQ(r.body.find(cookie.substr(12, 20)), std::string::npos)
      << "the token leaked into the body";
}

}  // namespace
}  // namespace upw::testing
