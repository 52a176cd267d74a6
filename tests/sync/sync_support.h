// Devices and a hub as real processes for the sync tests: the hub (`upw hub`), enrolment and
// `upw sync --now` through the real CLI, and an oracle that reads the real databases.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "server_process.h"

namespace upw::testing {

// Rows of a query on a database file (read-only), every column as text ("" for NULL).
std::vector<std::vector<std::string>> Query(const std::string& db, const std::string& sql);

struct HubUnderTest {
  std::string where;  // SQLite file or postgresql:// URL
  std::string files;  // log/port file prefix
  std::unique_ptr<ServerProcess> process;
  std::string url() const { return process->url(); }
  // A one-time code from `upw hub code`.
  std::string Code(const std::string& name, const std::string& kind,
                   const std::string& van_id = "") const;
  void Restart(std::vector<std::string> extra = {});
};

// The hub under test on a fresh store: a SQLite file in `dir`, or, when UPW_SYNC_HUB=postgres and
// UPW_TEST_PG_URL are set, a fresh PostgreSQL schema.
std::unique_ptr<HubUnderTest> StartHub(const TempDir& dir, std::vector<std::string> extra = {});

// `upw enrol`; returns the exit code (output appended to *out).
int Enrol(const std::string& db, const std::string& hub_url, const std::string& code,
          std::string* out = nullptr);
// `upw sync --now`; returns its report (with "exit" set to the exit code).
nlohmann::json SyncNow(const std::string& db, std::vector<std::string> extra = {});

// Event ids on a device.
std::set<std::string> DeviceEvents(const std::string& db);
std::set<std::string> DeviceEventsOfGroup(const std::string& db, const std::string& group);

// What the hub holds, read through its store interface.
struct HubView {
  std::vector<std::string> event_ids;  // in receive order (duplicates would show twice)
  std::set<std::string> event_set;
  nlohmann::json events = nlohmann::json::array();  // bodies, per group in the hub's order
  nlohmann::json conflicts = nlohmann::json::array();
  nlohmann::json devices = nlohmann::json::array();
  // device id -> its op log sequence numbers in order
  std::vector<std::pair<std::string, std::vector<std::int64_t>>> op_seqs;
};
HubView ReadHub(const std::string& where);

}  // namespace upw::testing
