// No acknowledged write is ever lost: SIGKILL the server in the middle of a stream of attendance
// writes; after restart every write that got a 2xx is there, with its audit and outbox rows.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "store/db.h"
#include "world.h"

namespace upw::testing {
namespace {

using nlohmann::json;

TEST(Durability, EveryAcknowledgedWriteSurvivesSigkill) {
  auto w = MakeWorld(4);
  const std::string reg = "/api/v1/work-groups/" + w->group + "/attendance";
  // One record per person; then a stream of amendments (each an appended event) from 4 clients.
  std::vector<std::string> records;
  for (const auto& person : w->people) {
    auto r = w->supervisor->Post(reg, {{"service_user_id", person},
                                       {"outcome", "attended_complied"},
                                       {"sign_in", w->At(9, 0)},
                                       {"sign_out", w->At(12, 0)}});
    ASSERT_EQ(r.status, 201) << r.body;
    records.push_back(r.json()["record_id"]);
  }
  std::mutex mu;
  std::set<std::string> acknowledged;  // event ids that got a 2xx
  std::vector<std::string> bad_bodies;
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      HttpClient c(w->server->url());
      if (!c.Login("sup", kSupervisorPassword)) return;
      for (int i = 0; !stop; ++i) {
        const json body = {{"outcome", "attended_complied"},
                           {"sign_in", w->At(9, 0)},
                           {"sign_out", w->At(12, i % 50)},
                           {"reason", "correction " + std::to_string(i)}};
        auto r = c.Post(reg + "/" + records[static_cast<std::size_t>(t)] + "/amendments", body);
        sent++;
        if (r.status == 201) {
          const json j = r.json();
          std::lock_guard<std::mutex> lock(mu);
          if (j.is_discarded()) {
            std::string h;
            for (const auto& [k, v] : r.headers) h += k + ": " + v + "; ";
            bad_bodies.push_back(h + "body=" + r.body);  // a 2xx must carry the whole record
          } else {
            acknowledged.insert(j["history"].back()["id"].get<std::string>());
          }
        }
      }
    });
  }
  while (sent < 200) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  w->server->Signal(SIGKILL);
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_GT(acknowledged.size(), 50u);
  for (const auto& b : bad_bodies) ADD_FAILURE() << "a 201 without a JSON body: [" << b << "]";

  w->Restart(/*kill=*/false);
  std::set<std::string> present;
  const auto got = w->supervisor->Get(reg);
  ASSERT_EQ(got.status, 200) << got.body;
  auto reg_now = got.json();
  for (const auto& person : reg_now["people"]) {
    for (const auto& e : person["record"]["history"]) present.insert(e["id"].get<std::string>());
  }
  for (const auto& id : acknowledged)
    EXPECT_TRUE(present.count(id)) << "lost acknowledged event " << id;

  // Each event committed with its audit row and its outbox row.
  auto db = store::Db::Open(w->db, {.read_only = true}).value();
  auto& events = db->Prepare("SELECT count(*) FROM attendance_event");
  auto& audits = db->Prepare("SELECT count(*) FROM audit WHERE entity = 'attendance_event'");
  auto& outbox = db->Prepare("SELECT count(*) FROM outbox WHERE entity = 'attendance_event'");
  ASSERT_TRUE(events.Step() && audits.Step() && outbox.Step());
  EXPECT_EQ(events.Int(0), audits.Int(0));
  EXPECT_EQ(events.Int(0), outbox.Int(0));
  EXPECT_GE(static_cast<std::size_t>(events.Int(0)), acknowledged.size() + records.size());
}

TEST(Schema, RefusesADatabaseNewerThanTheBinaryAndChangesNothing) {
  TempDir dir;
  const std::string db = dir.file("upw.db");
  std::string out;
  ASSERT_EQ(RunUpw({"migrate", "--db", db}, "", &out), 0) << out;
  {
    auto raw = store::Db::Open(db, {}).value();
    ASSERT_TRUE(raw->Exec("PRAGMA user_version=999").ok());
  }
  out.clear();
  EXPECT_NE(RunUpw({"serve", "--db", db, "--listen", "127.0.0.1:0"}, "", &out), 0);
  EXPECT_NE(out.find("newer than this upw binary"), std::string::npos) << out;
  auto raw = store::Db::Open(db, {.read_only = true}).value();
  auto& v = raw->Prepare("PRAGMA user_version");
  ASSERT_TRUE(v.Step());
  EXPECT_EQ(v.Int(0), 999);
}

TEST(Schema, AttendanceEventsAndAuditRefuseUpdateAndDeleteAndTheOutboxKeepsEveryOp) {
  TempDir dir;
  const std::string db = dir.file("upw.db");
  ASSERT_EQ(RunUpw({"migrate", "--db", db}), 0);
  auto raw = store::Db::Open(db, {}).value();
  // Triggers fire per row, so put one row in each table first (references are beside the point).
  ASSERT_TRUE(
      raw->Exec("PRAGMA foreign_keys=OFF; "
                "INSERT INTO attendance_event(id, record_id, kind, work_group_id, "
                "service_user_id, order_id, author_user_id, author, device_id, recorded_at, "
                "request_hash) VALUES ('e','e','record','g','p','o','u','a','d','t','h'); "
                "INSERT INTO audit(at, username, role, device_id, action, entity, entity_id) "
                "VALUES ('t','a','admin','d','x','y','z')")
          .ok());
  EXPECT_FALSE(raw->Exec("UPDATE attendance_event SET reason = 'x'").ok());
  EXPECT_FALSE(raw->Exec("DELETE FROM attendance_event").ok());
  EXPECT_FALSE(raw->Exec("UPDATE audit SET action = 'x'").ok());
  EXPECT_FALSE(raw->Exec("DELETE FROM audit").ok());
  // The outbox is read by a seq cursor: a deleted last row would let its seq be reused.
  ASSERT_TRUE(raw->Exec("INSERT INTO outbox(op_id, entity, entity_id, op, payload, hlc, "
                        "created_at) VALUES ('o','e','i','append','{}','h','t')")
                  .ok());
  EXPECT_FALSE(raw->Exec("DELETE FROM outbox").ok());
}

}  // namespace
}  // namespace upw::testing
