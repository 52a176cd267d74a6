// A base device and a van device syncing through a hub, all real processes on 127.0.0.1 with real
// database files: enrolment, push, pull within scope, conflicts in the inbox, refusals.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "sync_support.h"
#include "world.h"

namespace upw::testing {
namespace {

using nlohmann::json;

struct Fleet {
  std::unique_ptr<World> w;  // the base device (serving), with the authority built over HTTP
  std::unique_ptr<HubUnderTest> hub;
  std::string van_db;

  static std::unique_ptr<Fleet> Make() {
    auto f = std::make_unique<Fleet>();
    f->w = MakeWorld(4);
    f->hub = StartHub(f->w->dir);
    std::string out;
    EXPECT_EQ(Enrol(f->w->db, f->hub->url(), f->hub->Code("Base office", "base"), &out), 0) << out;
    f->van_db = f->w->dir.file("van.db");
    EXPECT_EQ(RunUpw({"migrate", "--db", f->van_db}), 0);
    EXPECT_EQ(
        Enrol(f->van_db, f->hub->url(), f->hub->Code("Van 1 tablet", "van", f->w->van_id), &out), 0)
        << out;
    return f;
  }
};

// The van tablet serving, with a client signed in as its supervisor.
struct VanTablet {
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<HttpClient> sup;

  // (Re)starts the tablet's server on its database and signs in again.
  void Start(const std::string& db) {
    server = ServerProcess::Start(db);
    sup = std::make_unique<HttpClient>(server->url());
    EXPECT_TRUE(sup->Login("vansup", "van-pass-12345"));
  }
};

// A supervisor account on the van tablet (after its first sync brought their supervisor record),
// then the tablet serving.
VanTablet StartVanWithSupervisor(Fleet& f) {
  EXPECT_EQ(RunUpw({"user", "add", "--db", f.van_db, "--username", "vansup", "--role", "supervisor",
                    "--supervisor-id", f.w->supervisor_id},
                   "van-pass-12345\n"),
            0);
  VanTablet van;
  van.Start(f.van_db);
  return van;
}

void CopyDatabase(const std::string& from, const std::string& to) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(to + suffix);
    if (std::filesystem::exists(from + suffix)) {
      std::filesystem::copy_file(from + suffix, to + suffix);
    }
  }
}

TEST(SyncFlow, TheVanReceivesItsGroupAndItsPeopleOnly) {
  auto f = Fleet::Make();
  json base = SyncNow(f->w->db);
  ASSERT_EQ(base["exit"], 0) << base.dump();
  EXPECT_GT(base["ops_pushed"].get<int>(), 10);
  // Its own changes come back from the hub unchanged: no new versions (a planner's open edit form
  // must not turn stale because of a sync).
  EXPECT_EQ(Query(f->w->db, "SELECT max(version) FROM supervisor")[0][0], "1");
  json van = SyncNow(f->van_db);
  ASSERT_EQ(van["exit"], 0) << van.dump();

  EXPECT_EQ(
      Query(f->van_db, "SELECT count(*) FROM work_group WHERE id = '" + f->w->group + "'")[0][0],
      "1");
  // The other supervisor's group has no van: not this device's business.
  EXPECT_EQ(Query(f->van_db,
                  "SELECT count(*) FROM work_group WHERE id = '" + f->w->other_group + "'")[0][0],
            "0");
  EXPECT_EQ(Query(f->van_db, "SELECT count(*) FROM allocation")[0][0], "4");
  EXPECT_EQ(Query(f->van_db, "SELECT count(*) FROM service_user WHERE redacted_at IS NULL")[0][0],
            "4");
  // A second exchange finds nothing to do: the scope's checksums agree.
  van = SyncNow(f->van_db);
  EXPECT_EQ(van["exit"], 0) << van.dump();
  EXPECT_EQ(van["units_repaired"], 0) << van.dump();
  EXPECT_EQ(van["ops_pushed"], 0) << van.dump();
}

TEST(SyncFlow, AttendanceRecordedInTheVanReachesTheBaseExactlyOnce) {
  auto f = Fleet::Make();
  ASSERT_EQ(SyncNow(f->w->db)["exit"], 0);
  ASSERT_EQ(SyncNow(f->van_db)["exit"], 0);
  VanTablet van = StartVanWithSupervisor(*f);
  HttpClient& sup = *van.sup;
  const std::string reg = "/api/v1/work-groups/" + f->w->group + "/attendance";
  auto r = sup.Post(reg, {{"service_user_id", f->w->people[0]},
                          {"outcome", "attended_complied"},
                          {"sign_in", f->w->At(9, 0)},
                          {"sign_out", f->w->At(16, 0)}});
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string record = r.json()["record_id"];

  json sync = SyncNow(f->van_db);
  ASSERT_EQ(sync["exit"], 0) << sync.dump();
  EXPECT_EQ(sync["ops_pushed"], 1);
  // Sent again (a retry after a lost answer looks like this to the hub): nothing new.
  ASSERT_EQ(SyncNow(f->van_db)["exit"], 0);
  ASSERT_EQ(SyncNow(f->w->db)["exit"], 0);

  auto reg_on_base = f->w->planner->Get(reg).json();
  bool found = false;
  for (const auto& p : reg_on_base["people"]) {
    if (p.contains("record") && p["record"].is_object() && p["record"]["record_id"] == record) {
      found = true;
      EXPECT_EQ(p["record"]["credited_minutes"], 420) << p.dump();
    }
  }
  EXPECT_TRUE(found) << reg_on_base.dump();
  const HubView hub = ReadHub(f->hub->where);
  EXPECT_EQ(hub.event_ids.size(), 1u);
  EXPECT_EQ(hub.event_set, DeviceEvents(f->w->db));
  EXPECT_EQ(hub.event_set, DeviceEvents(f->van_db));
}

TEST(SyncFlow, TwoRecordsForOnePersonBecomeAConflictAndNothingWins) {
  auto f = Fleet::Make();
  ASSERT_EQ(SyncNow(f->w->db)["exit"], 0);
  ASSERT_EQ(SyncNow(f->van_db)["exit"], 0);
  VanTablet van = StartVanWithSupervisor(*f);
  HttpClient& sup = *van.sup;
  const std::string reg = "/api/v1/work-groups/" + f->w->group + "/attendance";
  // Offline from each other: the van says present, the office says absent.
  ASSERT_EQ(sup.Post(reg, {{"service_user_id", f->w->people[1]},
                           {"outcome", "attended_complied"},
                           {"sign_in", f->w->At(9, 0)},
                           {"sign_out", f->w->At(16, 0)}})
                .status,
            201);
  ASSERT_EQ(
      f->w->planner
          ->Post(reg, {{"service_user_id", f->w->people[1]}, {"outcome", "unacceptable_absence"}})
          .status,
      201);
  json a = SyncNow(f->van_db);
  json b = SyncNow(f->w->db);
  ASSERT_EQ(a["exit"], 0) << a.dump();
  ASSERT_EQ(b["exit"], 0) << b.dump();
  EXPECT_EQ(b["conflicts"], 1) << b.dump();
  ASSERT_EQ(SyncNow(f->van_db)["exit"], 0);

  const HubView hub = ReadHub(f->hub->where);
  ASSERT_EQ(hub.conflicts.size(), 1u) << hub.conflicts.dump();
  EXPECT_EQ(hub.conflicts[0]["kind"], "duplicate_record");
  EXPECT_EQ(hub.conflicts[0]["status"], "open");
  EXPECT_EQ(hub.event_ids.size(), 2u);  // both kept
  EXPECT_EQ(Query(f->van_db, "SELECT count(*) FROM conflict WHERE status = 'open'")[0][0], "1");
  EXPECT_EQ(Query(f->w->db, "SELECT count(*) FROM conflict WHERE status = 'open'")[0][0], "1");
  EXPECT_EQ(hub.event_set, DeviceEvents(f->w->db));
  EXPECT_EQ(hub.event_set, DeviceEvents(f->van_db));

  // A supervisor cannot resolve it; a planner keeps the van's version.
  const std::string conflict = hub.conflicts[0]["id"];
  EXPECT_EQ(sup.Post("/api/v1/sync/conflicts/" + conflict + "/resolve", {{"keep", "x"}}).status,
            403);
  auto inbox = f->w->planner->Get("/api/v1/sync/conflicts").json();
  ASSERT_EQ(inbox["items"].size(), 1u) << inbox.dump();
  std::string van_event;
  for (const auto& e : inbox["items"][0]["events"]) {
    if (e["author"] == "vansup") van_event = e["id"];
  }
  ASSERT_FALSE(van_event.empty()) << inbox.dump();
  auto resolved =
      f->w->planner->Post("/api/v1/sync/conflicts/" + conflict + "/resolve", {{"keep", van_event}});
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  EXPECT_EQ(
      f->w->planner->Post("/api/v1/sync/conflicts/" + conflict + "/resolve", {{"keep", van_event}})
          .status,
      409);
  ASSERT_EQ(SyncNow(f->w->db)["exit"], 0);
  ASSERT_EQ(SyncNow(f->van_db)["exit"], 0);
  const HubView after = ReadHub(f->hub->where);
  ASSERT_EQ(after.conflicts.size(), 1u) << "the resolution raised a new conflict";
  EXPECT_EQ(after.conflicts[0]["status"], "resolved");
  EXPECT_EQ(Query(f->van_db, "SELECT status FROM conflict")[0][0], "resolved");
  // The office's record is voided everywhere; the van's stands, credited 7 hours.
  for (const std::string& db : {f->w->db, f->van_db}) {
    EXPECT_EQ(Query(db,
                    "SELECT count(*) FROM attendance_event WHERE kind = 'void' AND "
                    "service_user_id = '" +
                        f->w->people[1] + "'")[0][0],
              "1")
        << db;
  }
  auto reg_now = f->w->planner->Get(reg).json();
  for (const auto& p : reg_now["people"]) {
    if (p["service_user_id"] == f->w->people[1]) {
      EXPECT_EQ(p["record"]["outcome"], "attended_complied") << p.dump();
    }
  }
}

TEST(SyncFlow, TheHubRefusesUnknownRevokedAndReusedCodes) {
  auto f = Fleet::Make();
  std::string out;
  // A code works once.
  const std::string code = f->hub->Code("Spare tablet", "base");
  const std::string spare = f->w->dir.file("spare.db");
  ASSERT_EQ(RunUpw({"migrate", "--db", spare}), 0);
  EXPECT_EQ(Enrol(spare, f->hub->url(), code, &out), 0) << out;
  out.clear();
  EXPECT_NE(Enrol(spare, f->hub->url(), code, &out), 0);
  EXPECT_NE(out.find("already used"), std::string::npos) << out;
  out.clear();
  EXPECT_NE(Enrol(spare, f->hub->url(), "ZZZZZ-ZZZZZ", &out), 0);
  EXPECT_NE(out.find("unknown enrolment code"), std::string::npos) << out;

  // Revoked: the device is told, and keeps everything it holds.
  const HubView before = ReadHub(f->hub->where);
  std::string van_device;
  for (const auto& d : before.devices) {
    if (d["name"] == "Van 1 tablet") van_device = d["id"];
  }
  ASSERT_FALSE(van_device.empty());
  ASSERT_EQ(RunUpw({"hub", "revoke", "--db", f->hub->where, "--device", van_device}, "", &out), 0)
      << out;
  json r = SyncNow(f->van_db);
  EXPECT_NE(r["exit"], 0);
  EXPECT_TRUE(r["must_enrol"]) << r.dump();
  EXPECT_NE(r["error"].get<std::string>().find("revoked"), std::string::npos) << r.dump();
  EXPECT_EQ(Query(f->van_db, "SELECT status FROM sync_state")[0][0], "must_enrol");
  // A new code brings it back.
  EXPECT_EQ(Enrol(f->van_db, f->hub->url(), f->hub->Code("Van 1 tablet", "van", f->w->van_id)), 0);
  EXPECT_EQ(SyncNow(f->van_db)["exit"], 0);
}

TEST(SyncFlow, ADeviceRestoredFromAnOldImageMustEnrolAgainAndLosesNothing) {
  auto f = Fleet::Make();
  ASSERT_EQ(SyncNow(f->w->db)["exit"], 0);
  ASSERT_EQ(SyncNow(f->van_db)["exit"], 0);
  VanTablet van = StartVanWithSupervisor(*f);
  const std::string reg = "/api/v1/work-groups/" + f->w->group + "/attendance";
  auto restart = [&] { van.Start(f->van_db); };
  van.server->Signal(SIGTERM);
  const std::string image = f->w->dir.file("van-image.db");
  CopyDatabase(f->van_db, image);  // the disk image, taken before the day's work
  restart();
  ASSERT_EQ(van.sup
                ->Post(reg, {{"service_user_id", f->w->people[0]},
                             {"outcome", "attended_complied"},
                             {"sign_in", f->w->At(9, 0)},
                             {"sign_out", f->w->At(16, 0)}})
                .status,
            201);
  ASSERT_EQ(SyncNow(f->van_db)["exit"], 0);
  const auto before_restore = DeviceEvents(f->van_db);
  ASSERT_EQ(before_restore.size(), 1u);

  // The tablet is restored from the old image and carries on: its sequence forks.
  van.server->Signal(SIGKILL);
  CopyDatabase(image, f->van_db);
  restart();
  ASSERT_EQ(
      van.sup
          ->Post(reg, {{"service_user_id", f->w->people[2]}, {"outcome", "unacceptable_absence"}})
          .status,
      201);
  json refused = SyncNow(f->van_db);
  EXPECT_NE(refused["exit"], 0);
  EXPECT_TRUE(refused["must_enrol"]) << refused.dump();
  EXPECT_NE(refused["error"].get<std::string>().find("restored"), std::string::npos)
      << refused.dump();
  auto status = van.sup->Get("/api/v1/sync").json();
  EXPECT_EQ(status["status"], "must_enrol") << status.dump();
  EXPECT_EQ(status["queue_depth"], 1) << status.dump();

  // Enrolled again: what it had goes up, what it had lost comes back; nothing is lost.
  ASSERT_EQ(Enrol(f->van_db, f->hub->url(), f->hub->Code("Van 1 tablet", "van", f->w->van_id)), 0);
  json ok = SyncNow(f->van_db);
  ASSERT_EQ(ok["exit"], 0) << ok.dump();
  const HubView hub = ReadHub(f->hub->where);
  EXPECT_EQ(hub.event_ids.size(), 2u);
  EXPECT_EQ(DeviceEvents(f->van_db), hub.event_set);
  for (const auto& e : before_restore) EXPECT_TRUE(hub.event_set.count(e));
  int forked = 0;
  for (const auto& d : hub.devices) forked += d["status"] == "forked";
  EXPECT_EQ(forked, 1) << hub.devices.dump();
}

TEST(SyncFlow, ADeviceCannotChangeHoursOrderedAndTheRefusalStaysVisible) {
  auto f = Fleet::Make();
  ASSERT_EQ(SyncNow(f->w->db)["exit"], 0);
  // The device's admin may correct an order locally; head office's hub does not accept it.
  auto& p = *f->w->admin;
  const std::string path = "/api/v1/orders/" + f->w->orders[0];
  auto order = p.Get(path);
  const int hours = order.json()["hours_ordered"];
  ASSERT_EQ(p.Patch(path, {{"hours_ordered", hours + 20}}, order.header("etag")).status, 200);
  json r = SyncNow(f->w->db);
  ASSERT_EQ(r["exit"], 0) << r.dump();
  EXPECT_EQ(r["rejected"], 1) << r.dump();
  auto status = p.Get("/api/v1/sync").json();
  ASSERT_EQ(status["rejected"].size(), 1u) << status.dump();
  EXPECT_EQ(status["rejected"][0]["field"], "hours_ordered");
  EXPECT_NE(status["rejected"][0]["reason"].get<std::string>().find("head office"),
            std::string::npos);
  // Head office's figure is restored on the device by the next exchange; the refusal stays.
  ASSERT_EQ(SyncNow(f->w->db)["exit"], 0);
  EXPECT_EQ(p.Get(path).json()["hours_ordered"], hours);
  EXPECT_EQ(p.Get("/api/v1/sync").json()["rejected"].size(), 1u);
}

TEST(SyncFlow, PeopleWhoLeaveTheVansScopeHaveTheirPersonalDataRemovedFromIt) {
  auto f = Fleet::Make();
  ASSERT_EQ(SyncNow(f->w->db)["exit"], 0);
  ASSERT_EQ(SyncNow(f->van_db)["exit"], 0);
  ASSERT_EQ(Query(f->van_db, "SELECT count(*) FROM service_user WHERE redacted_at IS NULL")[0][0],
            "4");
  // The office takes the van off the group.
  auto& p = *f->w->planner;
  const std::string path = "/api/v1/work-groups/" + f->w->group;
  auto g = p.Get(path);
  ASSERT_EQ(p.Patch(path, {{"van_id", nullptr}}, g.header("etag")).status, 200);
  ASSERT_EQ(SyncNow(f->w->db)["exit"], 0);
  json r = SyncNow(f->van_db);
  ASSERT_EQ(r["exit"], 0) << r.dump();
  EXPECT_EQ(r["redacted"], 4) << r.dump();
  EXPECT_EQ(Query(f->van_db, "SELECT count(*) FROM service_user WHERE redacted_at IS NULL")[0][0],
            "0");
  EXPECT_EQ(Query(f->van_db,
                  "SELECT count(*) FROM service_user WHERE phone IS NOT NULL OR "
                  "last_name != 'from this device'")[0][0],
            "0");
  // Put back: they come back whole.
  g = p.Get(path);
  ASSERT_EQ(p.Patch(path, {{"van_id", f->w->van_id}}, g.header("etag")).status, 200);
  ASSERT_EQ(SyncNow(f->w->db)["exit"], 0);
  ASSERT_EQ(SyncNow(f->van_db)["exit"], 0);
  EXPECT_EQ(Query(f->van_db, "SELECT count(*) FROM service_user WHERE redacted_at IS NULL")[0][0],
            "4");
}

TEST(SyncFlow, OverTlsTheDevicePinsTheHubsKey) {
  TempDir dir;
  std::string out;
  const std::string pem = dir.file("hub.pem");
  ASSERT_EQ(RunUpw({"hub", "tls-cert", "--out", pem}, "", &out), 0) << out;
  auto hub = StartHub(dir, {"--tls-cert", pem});
  const std::string url = "https://127.0.0.1:" + std::to_string(hub->process->port());
  // The code comes with the key's pin, which the device checks from its first request.
  out.clear();
  ASSERT_EQ(
      RunUpw({"hub", "code", "--db", hub->where, "--name", "Base", "--kind", "base"}, "", &out), 0);
  const json issued = json::parse(out.substr(out.find('{')));
  const std::string pin = issued["pin"];
  ASSERT_EQ(pin.rfind("sha256//", 0), 0u) << out;
  const std::string db = dir.file("base.db");
  ASSERT_EQ(RunUpw({"migrate", "--db", db}), 0);
  out.clear();
  EXPECT_NE(RunUpw({"enrol", "--db", db, "--hub", url, "--code", issued["code"], "--pin",
                    "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},
                   "", &out),
            0)
      << "a wrong pin must not enrol";
  out.clear();
  ASSERT_EQ(
      RunUpw({"enrol", "--db", db, "--hub", url, "--code", issued["code"], "--pin", pin}, "", &out),
      0)
      << out;
  json r = SyncNow(db);
  EXPECT_EQ(r["exit"], 0) << r.dump();
  EXPECT_EQ(Query(db, "SELECT hub_pin FROM sync_state")[0][0], pin);

  // Someone stands up a hub with another key at the same address: the device will not talk to it,
  // and keeps everything until the real hub is back.
  const std::string other = dir.file("other.pem");
  ASSERT_EQ(RunUpw({"hub", "tls-cert", "--out", other}), 0);
  const int port = hub->process->port();
  hub->process.reset();
  hub->process = ServerProcess::StartHub(
      hub->where, hub->files,
      {"--tls-cert", other, "--listen", "127.0.0.1:" + std::to_string(port)});
  r = SyncNow(db);
  EXPECT_NE(r["exit"], 0);
  EXPECT_NE(r["error"].get<std::string>().find("pinned"), std::string::npos) << r.dump();
  EXPECT_EQ(Query(db, "SELECT status FROM sync_state")[0][0], "active");
}

}  // namespace
}  // namespace upw::testing
