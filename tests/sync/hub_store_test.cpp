// The HubStore contract, run against both backends: SQLite (a temporary file) and PostgreSQL (the
// server in UPW_TEST_PG_URL, e.g. from scripts/start-postgres.sh). The SQLite store is the
// reference: whatever it does, the PostgreSQL store must do too.
//
// Each PostgreSQL test gets a schema of its own, named after the test, selected through the
// connection's search_path: tests running in parallel (ctest -j) never see each other's rows, and a
// schema left behind by a crashed run is dropped when that test next starts. Without
// UPW_TEST_PG_URL the PostgreSQL cases are skipped, or fail if UPW_REQUIRE_PG=1 (as in CI).
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <atomic>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "hub/hub_store.h"
#include "server_process.h"

namespace upw::sync::hub {
namespace {

using nlohmann::json;

::testing::AssertionResult IsOk(const Status& s) {
  if (s.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "code " << static_cast<int>(s.code()) << ": " << s.message();
}

// The value of a Result, or T{} after recording a test failure.
template <typename T>
T Must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : T{};
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// FNV-1a: a stable hash, so a test's schema name is the same on every run.
std::uint64_t Fnv1a(const std::string& s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

EntityRow Entity(const std::string& kind, const std::string& id, json body,
                 const std::string& group = "", const std::string& van = "",
                 const std::string& date = "") {
  return {kind, id, std::move(body), json{{"v", "1@dev"}}, group, van, date};
}

EventRow Event(const std::string& id, const std::string& group, const std::string& person,
               json body = json::object()) {
  return {id, "rec-" + id, "attendance_recorded", group, person, "dev-1", std::move(body)};
}

DeviceRow Device(const std::string& id, std::int64_t enrolled_ms) {
  DeviceRow d;
  d.id = id;
  d.name = "Van " + id;
  d.kind = "van";
  d.van_id = "van-" + id;
  d.secret_hash = "hash-" + id;
  d.status = "active";
  d.next_seq = 7;
  d.last_batch = "b-" + id;
  d.schema = 3;
  d.enrolled_ms = enrolled_ms;
  d.last_seen_ms = 1'700'000'000'123;
  d.clock_offset_ms = -4'250;
  d.clock_flagged = true;
  return d;
}

void ExpectSameDevice(const DeviceRow& a, const DeviceRow& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.van_id, b.van_id);
  EXPECT_EQ(a.secret_hash, b.secret_hash);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.next_seq, b.next_seq);
  EXPECT_EQ(a.last_batch, b.last_batch);
  EXPECT_EQ(a.schema, b.schema);
  EXPECT_EQ(a.enrolled_ms, b.enrolled_ms);
  EXPECT_EQ(a.last_seen_ms, b.last_seen_ms);
  EXPECT_EQ(a.clock_offset_ms, b.clock_offset_ms);
  EXPECT_EQ(a.clock_flagged, b.clock_flagged);
}

std::vector<std::string> Ids(const std::vector<EntityRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.id);
  return out;
}
std::vector<std::string> Ids(const std::vector<EventRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.id);
  return out;
}

class HubStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  bool postgres() const { return GetParam() == "postgres"; }

  void SetUp() override {
    if (!postgres()) {
      where_ = dir_.file("hub.db");
    } else {
      const std::string url = Env("UPW_TEST_PG_URL");
      if (url.empty()) {
        if (Env("UPW_REQUIRE_PG") == "1") {
          FAIL() << "UPW_REQUIRE_PG=1 but UPW_TEST_PG_URL is not set: start PostgreSQL with "
                    "scripts/start-postgres.sh and export its URL";
        }
        GTEST_SKIP() << "UPW_TEST_PG_URL is not set (scripts/start-postgres.sh prints one)";
      }
      url_ = url;
      admin_ = PQconnectdb(url.c_str());
      ASSERT_EQ(PQstatus(admin_), CONNECTION_OK) << PQerrorMessage(admin_);
      const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
      const std::string full = std::string(info->test_suite_name()) + "." + info->name();
      std::string readable;
      for (char c : full) {
        if (readable.size() == 30) break;
        readable += std::isalnum(static_cast<unsigned char>(c))
                        ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                        : '_';
      }
      char hash[17];
      std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(Fnv1a(full)));
      schema_ = "hubtest_" + readable + "_" + hash;  // at most 55 of PostgreSQL's 63 characters
      ASSERT_TRUE(FreshSchema(schema_));
      // The admin connection looks at the same tables as the store, for the raw-SQL checks.
      ASSERT_TRUE(Admin("SET search_path TO " + Quoted(schema_)));
      where_ = WithSearchPath(url, schema_);
    }
    auto s = Open(where_);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(s).value();
  }

  void TearDown() override {
    store_.reset();
    if (admin_) {
      for (const auto& s : schemas_) Admin("DROP SCHEMA IF EXISTS " + Quoted(s) + " CASCADE");
      PQfinish(admin_);
    }
  }

  Result<std::unique_ptr<HubStore>> Open(const std::string& where) {
    return postgres() ? OpenPostgresHubStore(where) : OpenSqliteHubStore(where);
  }

  // Where a second, empty store can be opened (another file, another schema).
  std::string OtherLocation() {
    if (!postgres()) return dir_.file("other.db");
    const std::string other = schema_ + "_b";
    EXPECT_TRUE(FreshSchema(other));
    return WithSearchPath(url_, other);
  }

  // Runs SQL directly on the store's tables, bypassing HubStore; the error message if it fails.
  std::optional<std::string> RawError(const std::string& sql) {
    if (postgres()) {
      PGresult* r = PQexec(admin_, sql.c_str());
      const ExecStatusType st = PQresultStatus(r);
      std::optional<std::string> err;
      if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) err = PQresultErrorMessage(r);
      PQclear(r);
      return err;
    }
    sqlite3* db = nullptr;
    std::optional<std::string> err;
    if (sqlite3_open(where_.c_str(), &db) != SQLITE_OK) {
      err = "cannot open";
    } else {
      char* msg = nullptr;
      if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
        err = msg ? msg : "error";
      }
      sqlite3_free(msg);
    }
    sqlite3_close(db);
    return err;
  }

  std::vector<ChangeRef> AllChanges(HubStore& store) {
    std::vector<ChangeRef> out;
    EXPECT_TRUE(IsOk(store.Read([&](HubTx& tx) {
      out = Must(tx.ChangesAfter(0, 1'000'000));
      return Status::Ok();
    })));
    return out;
  }

  testing::TempDir dir_;
  std::string where_;
  std::unique_ptr<HubStore> store_;

  // PostgreSQL plumbing: connection strings, and an admin connection that sets up the schemas.

  // conninfo with one more connection parameter, in URI or key=value form.
  static std::string WithParam(const std::string& conninfo, const std::string& key,
                               const std::string& value) {
    if (conninfo.rfind("postgresql://", 0) == 0 || conninfo.rfind("postgres://", 0) == 0) {
      std::string encoded;
      for (unsigned char c : value) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
          encoded += static_cast<char>(c);
        } else {
          char hex[4];
          std::snprintf(hex, sizeof hex, "%%%02X", c);
          encoded += hex;
        }
      }
      return conninfo + (conninfo.find('?') == std::string::npos ? "?" : "&") + key + "=" + encoded;
    }
    return conninfo + " " + key + "='" + value + "'";
  }
  static std::string WithSearchPath(const std::string& conninfo, const std::string& schema) {
    return WithParam(conninfo, "options", "-csearch_path=" + schema);
  }
  std::string Quoted(const std::string& identifier) {
    char* q = PQescapeIdentifier(admin_, identifier.c_str(), identifier.size());
    std::string out = q ? q : "";
    PQfreemem(q);
    return out;
  }
  ::testing::AssertionResult Admin(const std::string& sql) {
    PGresult* r = PQexec(admin_, sql.c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    std::string err = PQresultErrorMessage(r);
    PQclear(r);
    if (ok) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << sql << ": " << err;
  }
  ::testing::AssertionResult FreshSchema(const std::string& name) {
    schemas_.push_back(name);
    return Admin("SET client_min_messages = warning; DROP SCHEMA IF EXISTS " + Quoted(name) +
                 " CASCADE; CREATE SCHEMA " + Quoted(name));
  }

  std::string url_;
  std::string schema_;
  std::vector<std::string> schemas_;
  PGconn* admin_ = nullptr;
};

TEST_P(HubStoreTest, MetaStartsWithTheSchemaVersionAndKeepsTheLastValue) {
  std::optional<std::string> version, missing, a;
  ASSERT_TRUE(IsOk(store_->Read([&](HubTx& tx) {
    version = Must(tx.GetMeta("schema"));
    missing = Must(tx.GetMeta("hub_id"));
    return Status::Ok();
  })));
  EXPECT_EQ(version, "1");
  EXPECT_EQ(missing, std::nullopt);

  ASSERT_TRUE(IsOk(store_->Write([&](HubTx& tx) {
    if (Status s = tx.PutMeta("hub_id", "first"); !s.ok()) return s;
    return tx.PutMeta("hub_id", "it's \"second\"\n\\ é");
  })));
  ASSERT_TRUE(IsOk(store_->Read([&](HubTx& tx) {
    a = Must(tx.GetMeta("hub_id"));
    return Status::Ok();
  })));
  EXPECT_EQ(a, "it's \"second\"\n\\ é");
}

TEST_P(HubStoreTest, ReopeningKeepsEverythingAndStoresOpeningAtOnceAllSucceed) {
  ASSERT_TRUE(IsOk(store_->Write([](HubTx& tx) { return tx.PutMeta("k", "v"); })));
  store_.reset();
  auto again = Open(where_);
  ASSERT_TRUE(again.ok()) << again.status().message();
  std::optional<std::string> v;
  ASSERT_TRUE(IsOk((*again)->Read([&](HubTx& tx) {
    v = Must(tx.GetMeta("k"));
    return Status::Ok();
  })));
  EXPECT_EQ(v, "v");

  // Hub processes starting together on an empty database: each creates the schema, none fails.
  const std::string fresh = OtherLocation();
  std::vector<std::unique_ptr<HubStore>> opened(4);
  std::vector<std::string> errors(opened.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < opened.size(); ++i) {
    threads.emplace_back([&, i] {
      auto o = Open(fresh);
      if (o.ok()) {
        opened[i] = std::move(o).value();
      } else {
        errors[i] = o.status().message();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < opened.size(); ++i) {
    ASSERT_TRUE(opened[i]) << errors[i];
    ASSERT_TRUE(IsOk(opened[i]->Read([&](HubTx& tx) {
      EXPECT_EQ(Must(tx.GetMeta("schema")), "1");
      return Status::Ok();
    })));
  }
}

TEST_P(HubStoreTest, DevicesArePutFoundReplacedAndListedByEnrolment) {
  DeviceRow late = Device("d-late", 3'000);
  DeviceRow early = Device("d-early", 1'000);
  early.clock_flagged = false;
  early.clock_offset_ms = 0;
  early.status = "revoked";
  DeviceRow middle = Device("d-middle", 2'000);
  ASSERT_TRUE(IsOk(store_->Write([&](HubTx& tx) {
    for (const auto& d : {late, early, middle}) {
      if (Status s = tx.PutDevice(d); !s.ok()) return s;
    }
    return Status::Ok();
  })));

  middle.status = "forked";
  middle.next_seq = 9'007'199'254'740'993;  // beyond a double's exact range
  middle.last_seen_ms = 1'800'000'000'000;
  middle.clock_flagged = false;
  ASSERT_TRUE(IsOk(store_->Write([&](HubTx& tx) { return tx.PutDevice(middle); })));

  ASSERT_TRUE(IsOk(store_->Read([&](HubTx& tx) {
    auto found = Must(tx.FindDevice("d-middle"));
    EXPECT_TRUE(found.has_value());
    if (found) ExpectSameDevice(*found, middle);
    found = Must(tx.FindDevice("d-early"));
    EXPECT_TRUE(found.has_value());
    if (found) ExpectSameDevice(*found, early);
    EXPECT_EQ(Must(tx.FindDevice("d-none")), std::nullopt);

    auto all = Must(tx.ListDevices());
    EXPECT_EQ(all.size(), 3u);
    std::vector<std::string> order;
    for (const auto& d : all) order.push_back(d.id);
    EXPECT_EQ(order, (std::vector<std::string>{"d-early", "d-middle", "d-late"}));
    if (all.size() == 3) ExpectSameDevice(all[2], late);
    return Status::Ok();
  })));
}

TEST_P(HubStoreTest, EnrolmentCodesArePutFoundAndMarkedUsed) {
  CodeRow c{"sha-abc", "Van 3", "van", "van-3", 1'700'000'600'000, ""};
  ASSERT_TRUE(IsOk(store_->Write([&](HubTx& tx) { return tx.PutCode(c); })));
  c.used_by = "dev-9";
  ASSERT_TRUE(IsOk(store_->Write([&](HubTx& tx) { return tx.PutCode(c); })));
  ASSERT_TRUE(IsOk(store_->Read([&](HubTx& tx) {
    auto found = Must(tx.FindCode("sha-abc"));
    EXPECT_TRUE(found.has_value());
    if (found) {
      EXPECT_EQ(found->code_hash, "sha-abc");
      EXPECT_EQ(found->name, "Van 3");
      EXPECT_EQ(found->kind, "van");
      EXPECT_EQ(found->van_id, "van-3");
      EXPECT_EQ(found->expires_ms, 1'700'000'600'000);
      EXPECT_EQ(found->used_by, "dev-9");
    }
    EXPECT_EQ(Must(tx.FindCode("sha-other")), std::nullopt);
    return Status::Ok();
  })));
}

TEST_P(HubStoreTest, BatchAnswersAreKeptPerDeviceAndNeverReplaced) {
  const std::string answer = R"({"results":[{"op":1,"outcome":"applied"}],"next_seq":2})";
  ASSERT_TRUE(IsOk(store_->Write([&](HubTx& tx) {
    if (Status s = tx.PutBatch("dev-1", "batch-1", answer, 1'000); !s.ok()) return s;
    return tx.PutBatch("dev-2", "batch-2", "{}", 1'001);
  })));
  Status again;
  ASSERT_TRUE(IsOk(store_->Write([&](HubTx& tx) {
    again = tx.PutBatch("dev-1", "batch-1", "other", 2'000);
    return Status::Ok();
  })));
  EXPECT_EQ(again.code(), Code::kConflict) << again.message();
  ASSERT_TRUE(IsOk(store_->Read([&](HubTx& tx) {
    EXPECT_EQ(Must(tx.FindBatchAnswer("dev-1", "batch-1")), answer);
    EXPECT_EQ(Must(tx.FindBatchAnswer("dev-2", "batch-2")), "{}");
    // A batch id is the device's own: another device's batch of the same id is not this one.
    EXPECT_EQ(Must(tx.FindBatchAnswer("dev-2", "batch-1")), std::nullopt);
    EXPECT_EQ(Must(tx.FindBatchAnswer("dev-1", "batch-9")), std::nullopt);
    return Status::Ok();
  })));
}

TEST_P(HubStoreTest, OpLogIsKeptInSeqOrderPerDeviceAndRefusesDuplicatesAndDeletes) {
  auto op = [](const std::string& dev, std::int64_t seq, const std::string& outcome) {
    return OpLogRow{dev,
                    seq,
                    "batch-" + std::to_string(seq / 10),
                    "work_group",
                    "g-" + std::to_string(seq),
                    outcome,
                    outcome == "rejected" ? "bad date" : ""};
  };
  ASSERT_TRUE(IsOk(store_->Write([&](HubTx& tx) {
    return tx.PutOps({op("dev-1", 3, "applied"), op("dev-1", 1, "duplicate"),
                      op("dev-2", 2, "conflict"), op("dev-1", 2, "rejected")});
  })));
  ASSERT_TRUE(
      IsOk(store_->Write([&](HubTx& tx) { return tx.PutOps({op("dev-1", 10, "applied")}); })));

  Status dup;
  ASSERT_TRUE(IsOk(store_->Write([&](HubTx& tx) {
    dup = tx.PutOps({op("dev-1", 11, "applied"), op("dev-1", 2, "applied")});
    return Status::Ok();  // what went in before the duplicate stays, as in SQLite
  })));
  EXPECT_EQ(dup.code(), Code::kConflict) << dup.message();

  ASSERT_TRUE(IsOk(store_->Read([&](HubTx& tx) {
    auto ops = Must(tx.OpsOf("dev-1"));
    std::vector<std::int64_t> seqs;
    for (const auto& o : ops) seqs.push_back(o.seq);
    EXPECT_EQ(seqs, (std::vector<std::int64_t>{1, 2, 3, 10, 11}));
    if (ops.size() == 5) {
      EXPECT_EQ(ops[1].device_id, "dev-1");
      EXPECT_EQ(ops[1].batch_id, "batch-0");
      EXPECT_EQ(ops[1].entity, "work_group");
      EXPECT_EQ(ops[1].entity_id, "g-2");
      EXPECT_EQ(ops[1].outcome, "rejected");  // the first op 2, not the refused duplicate
      EXPECT_EQ(ops[1].reason, "bad date");
    }
    EXPECT_EQ(Must(tx.OpsOf("dev-2")).size(), 1u);
    EXPECT_TRUE(Must(tx.OpsOf("dev-3")).empty());
    return Status::Ok();
  })));

  EXPECT_TRUE(RawError("DELETE FROM op_log WHERE device_id = 'dev-1' AND seq = 1").has_value());
  EXPECT_TRUE(RawError("DELETE FROM op_log").has_value());
  ASSERT_TRUE(IsOk(store_->Read([&](HubTx& tx) {
    EXPECT_EQ(Must(tx.OpsOf("dev-1")).size(), 5u);
    return Status::Ok();
  })));
}

TEST_P(HubStoreTest, EntitiesRoundTripExactlyAndEveryPutAppendsToTheChangeLog) {
  const json body = {
      {"name", "Zoë Ó'Brien 👋"},
      {"quote", "she said \"hi\"\\\n"},
      {"hours", 7.25},
      {"tiny", 0.1},
      {"big", 9'007'199'254'740'993LL},
      {"negative", -42},
      {"ok", true},
      {"none", nullptr},
      {"list", {1, "two", {{"three", 3}}}},
      {"nested", {{"z", 1}, {"a", {{"deep", "x"}}}}},
  };
  EntityRow a = Entity("service_user", "su-1", body, "g-1", "van-1", "2024-05-06");
  a.stamps = {{"name", "0000018f5a7b2c3d-0001@dev-1"}, {"hours", "0000018f5a7b2c3e-0000@dev-2"}};
  EntityRow b = Entity("work_group", "g-1", {{"site", "Leith"}}, "g-1", "van-1", "2024-05-06");
  ASSERT_TRUE(IsOk(store_->Write([&](HubTx& tx) {
    if (Status s = tx.PutEntity(a); !s.ok()) return s;
    return tx.PutEntity(b);
  })));
  EntityRow a2 = a;
  a2.body["name"] = "Zoe O'Brien";
  a2.body.erase("none");
  a2.stamps["name"] = "0000018f5a7b2c3f-0000@dev-3";
  a2.group_id = "g-2";
  a2.van_id = "van-2";
  a2.session_date = "2024-05-07";
  ASSERT_TRUE(IsOk(store_->Write([&](HubTx& tx) { return tx.PutEntity(a2); })));

  ASSERT_TRUE(IsOk(store_->Read([&](HubTx& tx) {
    auto found = Must(tx.FindEntity("service_user", "su-1"));
    EXPECT_TRUE(found.has_value());
    if (found) {
      EXPECT_EQ(found->entity, "service_user");
      EXPECT_EQ(found->id, "su-1");
      EXPECT_EQ(found->body, a2.body);
      EXPECT_EQ(found->body.dump(), a2.body.dump());
      EXPECT_EQ(found->stamps, a2.stamps);
      EXPECT_EQ(found->group_id, "g-2");
      EXPECT_EQ(found->van_id, "van-2");
      EXPECT_EQ(found->session_date, "2024-05-07");
    }
    EXPECT_EQ(Must(tx.FindEntity("work_group", "su-1")), std::nullopt);
    EXPECT_EQ(Must(tx.EntitiesOfKind("service_user")).size(), 1u);  // replaced, not added
    return Status::Ok();
  })));

  const auto changes = AllChanges(*store_);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].entity, "service_user");
  EXPECT_EQ(changes[0].id, "su-1");
  EXPECT_EQ(changes[1].entity, "work_group");
  EXPECT_EQ(changes[1].id, "g-1");
  EXPECT_EQ(changes[2].entity, "service_user");
  EXPECT_EQ(changes[2].id, "su-1");
  EXPECT_LT(changes[0].seq, changes[1].seq);
  EXPECT_LT(changes[1].seq, changes[2].seq);
}

TEST_P(HubStoreTest, ChangesAfterPagesByCursorAndLimit) {
  std::vector<std::string> written;
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(IsOk(store_->Write([&](HubTx& tx) {
      for (int i = 0; i < 3; ++i) {
        const std::string id = "g-" + std::to_string(round) + std::to_string(i);
        if (Status s = tx.PutEntity(Entity("work_group", id, {{"i", i}})); !s.ok()) return s;
        written.push_back("work_group/" + id);
      }
      const std::string ev = "ev-" + std::to_string(round);
      written.push_back("attendance_event/" + ev);
      return tx.PutEvent(Event(ev, "g-00", "su-1"));
    })));
  }
  ASSERT_EQ(written.size(), 12u);

  std::vector<std::string> pulled;
  std::int64_t cursor = 0;
  int pages = 0;
  for (;;) {
    std::vector<ChangeRef> page;
    ASSERT_TRUE(IsOk(store_->Read([&](HubTx& tx) {
      page = Must(tx.ChangesAfter(cursor, 5));
      return Status::Ok();
    })));
    if (page.empty()) break;
    ++pages;
    EXPECT_LE(page.size(), 5u);
    for (const auto& c : page) {
      EXPECT_GT(c.seq, cursor);
      cursor = c.seq;
      pulled.push_back(c.entity + "/" + c.id);
    }
  }
  EXPECT_EQ(pages, 3);  // 5 + 5 + 2
  EXPECT_EQ(pulled, written);

  ASSERT_TRUE(IsOk(store_->Read([&](HubTx& tx) {
    const auto all = Must(tx.ChangesAfter(0, 100));
    EXPECT_EQ(all.size(), 12u);
    EXPECT_TRUE(Must(tx.ChangesAfter(0, 0)).empty());
    if (all.size() == 12) {
      const auto tail = Must(tx.ChangesAfter(all[9].seq, 100));
      EXPECT_EQ(tail.size(), 2u);
      if (tail.size() == 2) {
        EXPECT_EQ(tail[0].seq, all[10].seq);
      }
      EXPECT_TRUE(Must(tx.ChangesAfter(all[11].seq, 100)).empty());
    }
    return Status::Ok();
  })));
}

TEST_P(HubStoreTest, EntityQueriesFilterByKindGroupVanAndInclusiveDateRange) {
  ASSERT_TRUE(IsOk(store_->Write([&](HubTx& tx) {
    const std::vector<EntityRow> rows = {
        // Ids whose byte order differs from a linguistic one: "B" < "_x" < "a" in bytes.
        Entity("work_group", "a", {}, "a", "van-1", "2024-05-06"),
        Entity("work_group", "B", {}, "B", "van-1", "2024-05-10"),
        Entity("work_group", "_x", {}, "_x", "van-1", "2024-05-08"),
        Entity("work_group", "early", {}, "early", "van-1", "2024-05-05"),
        Entity("work_group", "late", {}, "late", "van-1", "2024-05-11"),
        Entity("work_group", "other-van", {}, "other-van", "van-2", "2024-05-07"),
        Entity("allocation", "al-2", {}, "a", "van-1", "2024-05-07"),
        Entity("allocation", "al-1", {}, "a", "van-1", "2024-05-07"),
        Entity("allocation", "al-3", {}, "B", "van-1", "2024-05-10"),
    };
    for (const auto& r : rows) {
      if (Status s = tx.PutEntity(r); !s.ok()) return s;
    }
    return Status::Ok();
  })));
  ASSERT_TRUE(IsOk(store_->Read([&](HubTx& tx) {
    EXPECT_EQ(Ids(Must(tx.EntitiesOfKind("work_group"))),
              (std::vector<std::string>{"B", "_x", "a", "early", "late", "other-van"}));
    EXPECT_EQ(Ids(Must(tx.EntitiesOfKind("allocation"))),
              (std::vector<std::string>{"al-1", "al-2", "al-3"}));
    EXPECT_TRUE(Must(tx.EntitiesOfKind("nothing")).empty());

    EXPECT_EQ(Ids(Must(tx.EntitiesOfGroup("allocation", "a"))),
              (std::vector<std::string>{"al-1", "al-2"}));
    EXPECT_EQ(Ids(Must(tx.EntitiesOfGroup("work_group", "a"))), (std::vector<std::string>{"a"}));
    EXPECT_TRUE(Must(tx.EntitiesOfGroup("allocation", "late")).empty());

    // Both ends of the range are included; other vans and other kinds are not.
    EXPECT_EQ(Ids(Must(tx.GroupsOfVan("van-1", "2024-05-06", "2024-05-10"))),
              (std::vector<std::string>{"B", "_x", "a"}));
    EXPECT_EQ(Ids(Must(tx.GroupsOfVan("van-1", "2024-05-08", "2024-05-08"))),
              (std::vector<std::string>{"_x"}));
    EXPECT_TRUE(Must(tx.GroupsOfVan("van-3", "2024-01-01", "2024-12-31")).empty());

    EXPECT_EQ(Ids(Must(tx.GroupsBetween("2024-05-06", "2024-05-10"))),
              (std::vector<std::string>{"B", "_x", "a", "other-van"}));
    EXPECT_EQ(Ids(Must(tx.GroupsBetween("2024-05-05", "2024-05-05"))),
              (std::vector<std::string>{"early"}));
    EXPECT_TRUE(Must(tx.GroupsBetween("2024-05-12", "2024-06-01")).empty());
    return Status::Ok();
  })));
}

TEST_P(HubStoreTest, EventsAreAppendOnlyAndComeBackInReceiveOrder) {
  const json body = {{"outcome", "attended_complied"}, {"minutes", 180}, {"note", "Zoë"}};
  ASSERT_TRUE(IsOk(store_->Write([&](HubTx& tx) {
    for (const auto& e : {Event("e3", "g-1", "su-1", body), Event("e1", "g-1", "su-2"),
                          Event("e2", "g-1", "su-1")}) {
      if (Status s = tx.PutEvent(e); !s.ok()) return s;
    }
    return Status::Ok();
  })));
  ASSERT_TRUE(IsOk(store_->Write([&](HubTx& tx) {
    if (Status s = tx.PutEvent(Event("e0", "g-1", "su-1")); !s.ok()) return s;
    return tx.PutEvent(Event("e9", "g-2", "su-1"));
  })));

  // The same id again is refused, whatever it carries, and the transaction goes on: what else it
  // writes is kept (SQLite fails the statement, not the transaction).
  Status dup;
  ASSERT_TRUE(IsOk(store_->Write([&](HubTx& tx) {
    dup = tx.PutEvent(Event("e3", "g-1", "su-1", {{"outcome", "absent"}}));
    return tx.PutEvent(Event("e4", "g-1", "su-1"));
  })));
  EXPECT_EQ(dup.code(), Code::kConflict) << dup.message();

  ASSERT_TRUE(IsOk(store_->Read([&](HubTx& tx) {
    auto e3 = Must(tx.FindEvent("e3"));
    EXPECT_TRUE(e3.has_value());
    if (e3) {
      EXPECT_EQ(e3->id, "e3");
      EXPECT_EQ(e3->record_id, "rec-e3");
      EXPECT_EQ(e3->kind, "attendance_recorded");
      EXPECT_EQ(e3->work_group_id, "g-1");
      EXPECT_EQ(e3->service_user_id, "su-1");
      EXPECT_EQ(e3->device_id, "dev-1");
      EXPECT_EQ(e3->body, body);
    }
    EXPECT_EQ(Must(tx.FindEvent("e-none")), std::nullopt);
    EXPECT_EQ(Ids(Must(tx.EventsOf("g-1", "su-1"))),
              (std::vector<std::string>{"e3", "e2", "e0", "e4"}));
    EXPECT_EQ(Ids(Must(tx.EventsOf("g-1", "su-2"))), (std::vector<std::string>{"e1"}));
    EXPECT_TRUE(Must(tx.EventsOf("g-2", "su-2")).empty());
    EXPECT_EQ(Ids(Must(tx.EventsOfGroup("g-1"))),
              (std::vector<std::string>{"e3", "e1", "e2", "e0", "e4"}));
    EXPECT_EQ(Ids(Must(tx.EventsOfGroup("g-2"))), (std::vector<std::string>{"e9"}));
    EXPECT_EQ(Must(tx.CountEvents()), 6);
    return Status::Ok();
  })));

  // Each stored event is in the change log once, the refused duplicate not at all.
  std::vector<std::string> logged;
  for (const auto& c : AllChanges(*store_)) {
    EXPECT_EQ(c.entity, "attendance_event");
    logged.push_back(c.id);
  }
  EXPECT_EQ(logged, (std::vector<std::string>{"e3", "e1", "e2", "e0", "e9", "e4"}));

  // Not even SQL from outside the store can change or remove one.
  EXPECT_TRUE(RawError("UPDATE event SET kind = 'x' WHERE id = 'e3'").has_value());
  EXPECT_TRUE(RawError("DELETE FROM event WHERE id = 'e3'").has_value());
  ASSERT_TRUE(IsOk(store_->Read([&](HubTx& tx) {
    EXPECT_EQ(Must(tx.CountEvents()), 6);
    auto e3 = Must(tx.FindEvent("e3"));
    EXPECT_TRUE(e3 && e3->kind == "attendance_recorded");
    return Status::Ok();
  })));
}

TEST_P(HubStoreTest, AFailedWriteLeavesNothingBehind) {
  ASSERT_TRUE(IsOk(store_->Write(
      [&](HubTx& tx) { return tx.PutEntity(Entity("work_group", "g-0", json::object())); })));
  const Status refused = store_->Write([&](HubTx& tx) {
    EXPECT_TRUE(IsOk(tx.PutMeta("hub_id", "x")));
    EXPECT_TRUE(IsOk(tx.PutDevice(Device("d-1", 1))));
    EXPECT_TRUE(IsOk(tx.PutCode({"c", "n", "van", "v", 1, ""})));
    EXPECT_TRUE(IsOk(tx.PutBatch("d-1", "b-1", "{}", 1)));
    EXPECT_TRUE(IsOk(tx.PutOps({{"d-1", 1, "b-1", "work_group", "g-1", "applied", ""}})));
    EXPECT_TRUE(IsOk(tx.PutEntity(Entity("work_group", "g-1", {{"x", 1}}))));
    EXPECT_TRUE(IsOk(tx.PutEntity(Entity("work_group", "g-0", {{"x", 2}}))));
    EXPECT_TRUE(IsOk(tx.PutEvent(Event("e-1", "g-1", "su-1"))));
    // Inside the transaction its own writes are visible.
    EXPECT_EQ(Must(tx.CountEvents()), 1);
    EXPECT_EQ(Must(tx.ChangesAfter(0, 100)).size(), 4u);
    return Status::Error(Code::kInvalid, "op", "the batch is refused");
  });
  EXPECT_EQ(refused.code(), Code::kInvalid);
  EXPECT_EQ(refused.message(), "the batch is refused");

  ASSERT_TRUE(IsOk(store_->Read([&](HubTx& tx) {
    EXPECT_EQ(Must(tx.GetMeta("hub_id")), std::nullopt);
    EXPECT_EQ(Must(tx.FindDevice("d-1")), std::nullopt);
    EXPECT_TRUE(Must(tx.ListDevices()).empty());
    EXPECT_EQ(Must(tx.FindCode("c")), std::nullopt);
    EXPECT_EQ(Must(tx.FindBatchAnswer("d-1", "b-1")), std::nullopt);
    EXPECT_TRUE(Must(tx.OpsOf("d-1")).empty());
    EXPECT_EQ(Must(tx.FindEntity("work_group", "g-1")), std::nullopt);
    auto g0 = Must(tx.FindEntity("work_group", "g-0"));
    EXPECT_TRUE(g0 && g0->body == json::object());
    EXPECT_EQ(Must(tx.FindEvent("e-1")), std::nullopt);
    EXPECT_EQ(Must(tx.CountEvents()), 0);
    EXPECT_EQ(Must(tx.ChangesAfter(0, 100)).size(), 1u);
    return Status::Ok();
  })));

  // The store goes on working, and the change log goes on rising past the rolled-back seqs.
  ASSERT_TRUE(
      IsOk(store_->Write([&](HubTx& tx) { return tx.PutEvent(Event("e-1", "g-1", "su-1")); })));
  const auto changes = AllChanges(*store_);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_LT(changes[0].seq, changes[1].seq);
  EXPECT_EQ(changes[1].id, "e-1");
}

TEST_P(HubStoreTest, ReadSeesCommittedWritesThroughAConsistentSnapshot) {
  ASSERT_TRUE(IsOk(store_->Write([&](HubTx& tx) { return tx.PutEvent(Event("e-1", "g", "p")); })));
  ASSERT_TRUE(IsOk(store_->Read([&](HubTx& tx) {
    EXPECT_EQ(Must(tx.CountEvents()), 1);
    // A write committing while this read is open is not seen by it...
    EXPECT_TRUE(IsOk(store_->Write([&](HubTx& w) { return w.PutEvent(Event("e-2", "g", "p")); })));
    EXPECT_EQ(Must(tx.CountEvents()), 1);
    EXPECT_EQ(Must(tx.FindEvent("e-2")), std::nullopt);
    EXPECT_EQ(Must(tx.ChangesAfter(0, 100)).size(), 1u);
    return Status::Ok();
  })));
  // ...and is seen by the next one.
  ASSERT_TRUE(IsOk(store_->Read([&](HubTx& tx) {
    EXPECT_EQ(Must(tx.CountEvents()), 2);
    EXPECT_TRUE(Must(tx.FindEvent("e-2")).has_value());
    return Status::Ok();
  })));
}

// The reason writes are serialised: a device pulling by cursor must never skip a change, even with
// two hub processes writing to one database (two stores here) while it pulls.
TEST_P(HubStoreTest, APullerByCursorNeverSkipsAChangeWhileTwoStoresWrite) {
  auto second = Open(where_);
  ASSERT_TRUE(second.ok()) << second.status().message();
  HubStore* writers[] = {store_.get(), second->get()};
  constexpr int kWrites = 40;

  std::atomic<int> done{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kWrites && !failed; ++i) {
        const std::string id = std::to_string(w) + "-" + std::to_string(i);
        Status s = writers[w]->Write([&](HubTx& tx) {
          if (Status p = tx.PutEntity(Entity("work_group", "g" + id, {})); !p.ok()) return p;
          return tx.PutEvent(Event("e" + id, "g" + id, "su"));
        });
        if (!s.ok()) {
          ADD_FAILURE() << s.message();
          failed = true;
        }
      }
      ++done;
    });
  }
  std::set<std::string> pulled;
  std::int64_t cursor = 0;
  for (bool last = false; !last && !failed;) {
    last = done == 2;  // one more pull after both writers finished
    std::vector<ChangeRef> page;
    // No ASSERT here: returning early would leave the writer threads running.
    if (!IsOk(store_->Read([&](HubTx& tx) {
          page = Must(tx.ChangesAfter(cursor, 7));
          return Status::Ok();
        }))) {
      ADD_FAILURE() << "pull failed";
      failed = true;
    }
    for (const auto& c : page) {
      EXPECT_TRUE(pulled.insert(c.entity + "/" + c.id).second) << c.id;
      cursor = c.seq;
    }
    if (page.size() == 7) last = false;  // a full page: more may follow
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(pulled.size(), 2u * 2 * kWrites);  // every entity and event, none skipped
}

// PostgreSQL only: a hub outlives its database connections (a server restart, a failover, an idle
// connection cut by a firewall). The next transaction reconnects and goes ahead; nothing is lost.
TEST_P(HubStoreTest, AStoreReconnectsAfterTheServerDropsItsConnections) {
  if (!postgres()) GTEST_SKIP() << "SQLite has no connection to lose";
  // A name of its own, so only this store's connections are cut, not a parallel test's.
  const std::string app = "upw-hub-" + schema_.substr(schema_.size() - 16);
  auto opened = Open(WithParam(where_, "application_name", app));
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  auto& store = *opened;
  ASSERT_TRUE(IsOk(store->Write([](HubTx& tx) { return tx.PutEvent(Event("e-1", "g", "p")); })));
  ASSERT_TRUE(IsOk(store->Read([](HubTx& tx) { return tx.CountEvents().status(); })));

  auto terminate = [&] {
    return Admin(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
        "WHERE application_name = '" +
        app + "'");
  };
  ASSERT_TRUE(terminate());
  ASSERT_TRUE(IsOk(store->Write([](HubTx& tx) { return tx.PutEvent(Event("e-2", "g", "p")); })));
  std::int64_t n = 0;
  ASSERT_TRUE(IsOk(store->Read([&](HubTx& tx) {
    n = Must(tx.CountEvents());
    return Status::Ok();
  })));
  EXPECT_EQ(n, 2);

  // Again, the other way round: the reader first.
  ASSERT_TRUE(terminate());
  ASSERT_TRUE(IsOk(store->Read([&](HubTx& tx) {
    n = Must(tx.CountEvents());
    return Status::Ok();
  })));
  EXPECT_EQ(n, 2);
  ASSERT_TRUE(IsOk(store->Write([](HubTx& tx) { return tx.PutEvent(Event("e-3", "g", "p")); })));
  EXPECT_EQ(AllChanges(*store).size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(Backends, HubStoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace upw::sync::hub
