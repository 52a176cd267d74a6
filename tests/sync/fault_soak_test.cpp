// The sync fault-injection suite: a base device and two van tablets (clocks skewed by minutes to
// years) work the same session while a proxy cuts connections at random bytes, drops the hub's
// answers after it committed, duplicates and delays requests; devices and the hub are SIGKILLed
// at random points and one van stays offline for most of the run. Then the link heals and an
// oracle checks: every attendance event exists exactly once on the hub with an unbroken sequence
// per device, every device equals the hub for its scope, and every conflict is in the inbox.
//
// UPW_SYNC_SEEDS sets how many seeded runs (default 40); UPW_SYNC_FIRST_SEED where they start.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>
#include <random>

#include "fault_proxy_support.h"
#include "sync_support.h"
#include "world.h"

namespace upw::testing {
namespace {

using nlohmann::json;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v ? std::atoi(v) : fallback;
}

// The authority, built once through the real API and then copied for every run.
struct Template {
  std::unique_ptr<World> w;
  std::string db;
};

Template& SharedTemplate() {
  static Template t = [] {
    Template t;
    t.w = MakeWorld(4);
    t.w->server->Signal(SIGTERM);  // clean stop: the file is checkpointed
    t.db = t.w->db;
    return t;
  }();
  return t;
}

struct Device {
  std::string name, db, user, password;
  std::int64_t clock_offset_ms = 0;
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<HttpClient> client;

  std::vector<std::string> Extra() const {
    return {"--sync-interval", "3600", "--clock-offset-ms", std::to_string(clock_offset_ms)};
  }
  void Start() {
    server = ServerProcess::Start(db, Extra());
    client = std::make_unique<HttpClient>(server->url());
    EXPECT_TRUE(client->Login(user, password)) << name;
  }
  json SyncViaApi() {
    auto r = client->Post("/api/v1/sync/run", json::object());
    json j = r.json();
    if (!j.is_object()) j = json::object();
    j["http"] = r.status;
    return j;
  }
};

class FaultSoak : public ::testing::Test {};

void OneRun(std::uint64_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  Template& t = SharedTemplate();
  std::mt19937_64 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  TempDir dir;
  auto hub = StartHub(dir);
  FaultProxy proxy(hub->process->port(), seed);
  proxy.set_fault_rate(0);

  std::vector<Device> devices(3);
  devices[0] = {"base", dir.file("base.db"), "planner", kPlannerPassword, 0, nullptr, nullptr};
  std::filesystem::copy_file(t.db, devices[0].db);
  const std::int64_t skews[] = {0, 3 * 60 * 1000, -2 * 60 * 1000, 3LL * 86400 * 1000,
                                2LL * 365 * 86400 * 1000};
  for (int i = 1; i <= 2; ++i) {
    Device& d = devices[i];
    d.name = "van" + std::to_string(i);
    d.db = dir.file(d.name + ".db");
    d.user = d.name + "sup";
    d.password = "van-password-" + std::to_string(i);
    d.clock_offset_ms = skews[pick(5)];
    EXPECT_EQ(RunUpw({"migrate", "--db", d.db}), 0);
  }
  std::string out;
  ASSERT_EQ(Enrol(devices[0].db, proxy.url(), hub->Code("Base", "base"), &out), 0) << out;
  ASSERT_EQ(SyncNow(devices[0].db)["exit"], 0);
  for (int i = 1; i <= 2; ++i) {
    ASSERT_EQ(
        Enrol(devices[i].db, proxy.url(), hub->Code(devices[i].name, "van", t.w->van_id), &out), 0)
        << out;
    ASSERT_EQ(SyncNow(devices[i].db)["exit"], 0);
    ASSERT_EQ(RunUpw({"user", "add", "--db", devices[i].db, "--username", devices[i].user, "--role",
                      "supervisor", "--supervisor-id", t.w->supervisor_id},
                     devices[i].password + "\n"),
              0);
  }
  for (auto& d : devices) d.Start();
  const int offline = 1 + pick(2);  // this van stays offline until the link heals
  proxy.set_fault_rate(0.5);

  const std::string reg = "/api/v1/work-groups/" + t.w->group + "/attendance";
  int writes = 0, device_kills = 0, hub_kills = 0;
  for (int round = 0; round < 5; ++round) {
    for (auto& d : devices) {
      for (int k = 0, n = 1 + pick(3); k < n; ++k) {
        json r = d.client->Get(reg).json();
        if (!r.contains("people") || r["people"].empty()) continue;
        const json& person = r["people"][pick(static_cast<int>(r["people"].size()))];
        const std::string who = person["service_user_id"];
        const int out_min = 15 * pick(12);
        json facts = {{"outcome", "attended_complied"},
                      {"sign_in", t.w->At(9, 0)},
                      {"sign_out", t.w->At(13 + out_min / 60, out_min % 60)}};
        HttpResponse resp;
        if (person.contains("record") && person["record"].is_object() &&
            person["record"].contains("record_id")) {
          facts["reason"] = "correction on " + d.name;
          resp = d.client->Post(
              reg + "/" + person["record"]["record_id"].get<std::string>() + "/amendments", facts);
        } else {
          if (pick(3) == 0) facts = {{"outcome", "unacceptable_absence"}};
          facts["service_user_id"] = who;
          resp = d.client->Post(reg, facts);
        }
        if (resp.status == 201) ++writes;
      }
      // Planners change the placement's notes now and then (a field merged by clock).
      if (&d == &devices[0] && pick(3) == 0) {
        auto pl = d.client->Get("/api/v1/placements/" + t.w->placement_id);
        d.client->Patch("/api/v1/placements/" + t.w->placement_id,
                        {{"notes", "round " + std::to_string(round)}}, pl.header("etag"));
      }
    }
    for (int i = 0; i < 3; ++i) {
      Device& d = devices[i];
      if (i == offline) continue;
      const int fate = pick(10);
      if (fate == 0) {
        // SIGKILL the device while it syncs, at a random moment.
        auto pending = std::async(std::launch::async, [&d] { return d.SyncViaApi(); });
        std::this_thread::sleep_for(std::chrono::milliseconds(pick(120)));
        d.server->Signal(SIGKILL);
        pending.wait();
        d.Start();
        ++device_kills;
      } else if (fate == 1) {
        // SIGKILL the hub while a device syncs.
        auto pending = std::async(std::launch::async, [&d] { return d.SyncViaApi(); });
        std::this_thread::sleep_for(std::chrono::milliseconds(pick(120)));
        hub->process->Signal(SIGKILL);
        pending.wait();
        hub->Restart();
        proxy.set_upstream(hub->process->port());
        ++hub_kills;
      } else {
        d.SyncViaApi();
      }
    }
  }

  // The link heals: every device syncs until nothing moves.
  proxy.set_fault_rate(0);
  std::vector<json> last(3);
  for (int pass = 0; pass < 3; ++pass) {
    for (int i = 0; i < 3; ++i) last[i] = devices[i].SyncViaApi();
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(last[i]["ok"], true) << devices[i].name << " " << last[i].dump();
    EXPECT_EQ(last[i]["units_repaired"], 0) << devices[i].name << " " << last[i].dump();
    EXPECT_EQ(last[i]["changes_pulled"], 0) << devices[i].name << " " << last[i].dump();
  }
  // SIGKILL, not a clean stop: every answered write is durable, and CivetWeb takes 1.5 s to stop.
  for (auto& d : devices) d.server->Signal(SIGKILL);

  // The oracle.
  const HubView view = ReadHub(hub->where);
  EXPECT_EQ(view.event_ids.size(), view.event_set.size()) << "an event is on the hub twice";
  EXPECT_GT(view.event_set.size(), 0u);
  EXPECT_EQ(DeviceEvents(devices[0].db), view.event_set) << "base differs from the hub";
  for (int i = 1; i <= 2; ++i) {
    EXPECT_EQ(DeviceEventsOfGroup(devices[i].db, t.w->group), view.event_set)
        << devices[i].name << " differs from the hub";
  }
  for (const auto& [device, seqs] : view.op_seqs) {
    for (std::size_t k = 1; k < seqs.size(); ++k) {
      EXPECT_EQ(seqs[k], seqs[k - 1] + 1) << "the sequence of device " << device << " breaks";
    }
  }
  for (auto& d : devices) {
    auto q =
        Query(d.db, "SELECT (SELECT acked_seq FROM sync_state), (SELECT max(seq) FROM outbox)");
    EXPECT_EQ(q[0][0], q[0][1]) << d.name << " still has unsent changes";
  }
  // Every conflict the rules define is in the inbox: two live records for one person, and a change
  // made without seeing the record's latest event.
  std::set<std::string> in_inbox;
  std::map<std::string, std::set<std::string>> records_in_inbox;  // person -> records
  for (const auto& c : view.conflicts) {
    for (const auto& e : json::parse(c["event_ids"].get<std::string>())) in_inbox.insert(e);
    for (const auto& r : json::parse(c["record_ids"].get<std::string>())) {
      records_in_inbox[c["service_user_id"]].insert(r);
    }
  }
  std::map<std::string, std::string> head;            // record -> latest event id
  std::map<std::string, std::set<std::string>> live;  // person -> live records
  std::set<std::string> voided;
  for (const auto& e : view.events) {
    if (e["kind"] == "void") voided.insert(e["record_id"]);
  }
  for (const auto& e : view.events) {
    const std::string rec = e["record_id"], id = e["id"];
    if (e["kind"] == "record") {
      if (!voided.count(rec)) live[e["service_user_id"]].insert(rec);
    } else if (!e.contains("resolves")) {
      const std::string base = e.value("base_event_id", std::string());
      if (head.count(rec) && head[rec] != base) {
        EXPECT_TRUE(in_inbox.count(id)) << "a concurrent change is not in the inbox: " << e.dump();
      }
    }
    head[rec] = id;
  }
  for (const auto& [person, records] : live) {
    if (records.size() < 2) continue;
    for (const auto& r : records) {
      EXPECT_TRUE(records_in_inbox[person].count(r))
          << "record " << r << " is one of two live records for " << person
          << " but in no conflict";
    }
  }
  for (int i = 1; i <= 2; ++i) {
    if (std::llabs(devices[i].clock_offset_ms) > 5 * 60 * 1000 && writes > 0) {
      bool flagged = false;
      for (const auto& d : view.devices) {
        if (d["name"] == devices[i].name && d["clock_flagged"] == true) flagged = true;
      }
      EXPECT_TRUE(flagged) << devices[i].name << "'s clock is far ahead but not flagged";
    }
  }
  const FaultCounts fc = proxy.counts();
  std::printf(
      "seed %llu: %d writes, %zu events, %zu conflicts, %d device and %d hub SIGKILLs, "
      "van clocks %+lld/%+lld min; proxy passed %d, cut request %d, cut response %d, "
      "dropped answer %d, duplicated %d, delayed %d\n",
      static_cast<unsigned long long>(seed), writes, view.event_set.size(), view.conflicts.size(),
      device_kills, hub_kills, static_cast<long long>(devices[1].clock_offset_ms / 60000),
      static_cast<long long>(devices[2].clock_offset_ms / 60000), fc.passed, fc.cut_request,
      fc.cut_response, fc.dropped_answer, fc.duplicated, fc.delayed);
}

TEST_F(FaultSoak, SeededRunsConverge) {
  const int seeds = EnvInt("UPW_SYNC_SEEDS", 40);
  const int first = EnvInt("UPW_SYNC_FIRST_SEED", 1);
  for (int s = first; s < first + seeds && !HasFatalFailure(); ++s)
    OneRun(static_cast<std::uint64_t>(s));
}

}  // namespace
}  // namespace upw::testing
