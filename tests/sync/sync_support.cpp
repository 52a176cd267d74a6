#include "sync_support.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <unistd.h>

#include <cstdlib>

#include "common/clock.h"
#include "hub/hub_service.h"
#include "hub/hub_store.h"

namespace upw::testing {

using nlohmann::json;

std::vector<std::vector<std::string>> Query(const std::string& db, const std::string& sql) {
  std::vector<std::vector<std::string>> rows;
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db;
    sqlite3_close(h);
    return rows;
  }
  sqlite3_busy_timeout(h, 5000);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sqlite3_errmsg(h) << " in " << sql;
    sqlite3_close(h);
    return rows;
  }
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      const auto* t = sqlite3_column_text(st, c);
      row.push_back(t ? reinterpret_cast<const char*>(t) : "");
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return rows;
}

std::string HubUnderTest::Code(const std::string& name, const std::string& kind,
                               const std::string& van_id) const {
  std::string out;
  std::vector<std::string> args = {"hub", "code", "--db", where, "--name", name, "--kind", kind};
  if (!van_id.empty()) {
    args.push_back("--van-id");
    args.push_back(van_id);
  }
  EXPECT_EQ(RunUpw(args, "", &out), 0) << out;
  const auto brace = out.find('{');
  json j = json::parse(brace == std::string::npos ? std::string("{}") : out.substr(brace), nullptr,
                       false);
  return j.is_object() ? j.value("code", std::string()) : std::string();
}

void HubUnderTest::Restart(std::vector<std::string> extra) {
  process.reset();
  process = ServerProcess::StartHub(where, files, std::move(extra));
}

std::unique_ptr<HubUnderTest> StartHub(const TempDir& dir, std::vector<std::string> extra) {
  auto hub = std::make_unique<HubUnderTest>();
  hub->files = dir.file("hub");
  hub->where = dir.file("hub.db");
  const char* backend = std::getenv("UPW_SYNC_HUB");
  const char* pg = std::getenv("UPW_TEST_PG_URL");
  if (backend && std::string(backend) == "postgres" && pg) {
    // A schema of its own per hub, so runs never see each other's rows.
    static int n = 0;
    const std::string schema = "hub_" + std::to_string(::getpid()) + "_" + std::to_string(++n);
    PGconn* admin = PQconnectdb(pg);
    PGresult* r = PQexec(admin, ("CREATE SCHEMA IF NOT EXISTS " + schema).c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(admin);
    PQclear(r);
    PQfinish(admin);
    hub->where = std::string(pg) + (std::string(pg).find('?') == std::string::npos ? "?" : "&") +
                 "options=-csearch_path%3D" + schema;
  }
  hub->process = ServerProcess::StartHub(hub->where, hub->files, std::move(extra));
  return hub;
}

int Enrol(const std::string& db, const std::string& hub_url, const std::string& code,
          std::string* out) {
  return RunUpw({"enrol", "--db", db, "--hub", hub_url, "--code", code}, "", out);
}

json SyncNow(const std::string& db, std::vector<std::string> extra) {
  std::string out;
  std::vector<std::string> args = {"sync", "--now", "--db", db};
  args.insert(args.end(), extra.begin(), extra.end());
  const int rc = RunUpw(args, "", &out);
  const auto brace = out.find('{');
  json j = json::parse(brace == std::string::npos ? std::string("{}") : out.substr(brace), nullptr,
                       false);
  if (!j.is_object()) j = json{{"output", out}};
  j["exit"] = rc;
  return j;
}

std::set<std::string> DeviceEvents(const std::string& db) {
  std::set<std::string> out;
  for (const auto& r : Query(db, "SELECT id FROM attendance_event")) out.insert(r[0]);
  return out;
}

std::set<std::string> DeviceEventsOfGroup(const std::string& db, const std::string& group) {
  std::set<std::string> out;
  for (const auto& r :
       Query(db, "SELECT id FROM attendance_event WHERE work_group_id = '" + group + "'")) {
    out.insert(r[0]);
  }
  return out;
}

HubView ReadHub(const std::string& where) {
  HubView v;
  auto store = sync::hub::OpenHubStore(where);
  if (!store.ok()) {
    ADD_FAILURE() << "cannot open the hub store: " << store.status().message();
    return v;
  }
  Status s = (*store)->Read([&](sync::hub::HubTx& tx) -> Status {
    auto devices = tx.ListDevices();
    if (!devices.ok()) return devices.status();
    for (const auto& d : *devices) {
      v.devices.push_back({{"id", d.id},
                           {"name", d.name},
                           {"status", d.status},
                           {"next_seq", d.next_seq},
                           {"clock_flagged", d.clock_flagged}});
      auto ops = tx.OpsOf(d.id);
      if (!ops.ok()) return ops.status();
      std::vector<std::int64_t> seqs;
      for (const auto& o : *ops) seqs.push_back(o.seq);
      v.op_seqs.push_back({d.id, seqs});
    }
    auto groups = tx.EntitiesOfKind("work_group");
    if (!groups.ok()) return groups.status();
    for (const auto& g : *groups) {
      auto events = tx.EventsOfGroup(g.id);
      if (!events.ok()) return events.status();
      for (const auto& e : *events) {
        v.event_ids.push_back(e.id);
        v.events.push_back(e.body);
        v.event_set.insert(e.id);
      }
    }
    auto conflicts = tx.EntitiesOfKind("conflict");
    if (!conflicts.ok()) return conflicts.status();
    for (const auto& c : *conflicts) {
      json body = c.body;
      body["id"] = c.id;
      v.conflicts.push_back(body);
    }
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.message();
  return v;
}

}  // namespace upw::testing
