// The hub's service in-process on a real SQLite store: the refusals a device can meet, exactly-once
// batches and their stored answers, and the sequence checks behind fork detection.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/ids.h"

#include "common/clock.h"
#include "hlc.h"
#include "hub/hub_service.h"
#include "hub/hub_store.h"
#include "server_process.h"
#include "wire.h"

namespace upw::sync::hub {
namespace {

using nlohmann::json;

class FixedClock final : public Clock {
 public:
  std::int64_t NowMs() const override { return now; }
  std::int64_t now = 1'790'000'000'000;  // 2026-09-22
};

struct Hub {
  testing::TempDir dir;
  FixedClock clock;
  std::unique_ptr<HubStore> store;
  std::unique_ptr<HubService> service;
  Hub() {
    store = std::move(OpenSqliteHubStore(dir.file("hub.db"))).value();
    service = std::make_unique<HubService>(*store, clock);
  }
  std::string Enrolled() {
    auto code = service->IssueCode("Van 1", "van", "van-1");
    auto out = service->Enrol({{"code", *code}, {"schema", kMaxDeviceSchema}, {"first_seq", 1}});
    EXPECT_TRUE(out.ok()) << out.status().message();
    return (*out)["device_id"];
  }
};

json Op(std::int64_t seq, const std::string& id, const json& fields, std::int64_t wall_ms) {
  return {{"s", seq}, {"h", Encode({wall_ms, 0})}, {"e", "placement"}, {"i", id}, {"f", fields}};
}

json Batch(const std::string& id, const std::string& prev, std::int64_t first, json ops) {
  const std::int64_t last = first + static_cast<std::int64_t>(ops.size()) - 1;
  return {{"v", kProtocolVersion}, {"batch", id},  {"prev", prev},
          {"first", first},        {"last", last}, {"schema", kMaxDeviceSchema},
          {"ops", std::move(ops)}};
}

TEST(HubService, CodesWorkOnceAndExpireAfterTenMinutes) {
  Hub h;
  auto code = h.service->IssueCode("Van 1", "van", "van-1");
  ASSERT_TRUE(code.ok());
  h.clock.now += 10 * 60 * 1000 + 1;
  auto late = h.service->Enrol({{"code", *code}, {"schema", kMaxDeviceSchema}});
  EXPECT_EQ(late.status().code(), Code::kConflict);
  EXPECT_NE(late.status().message().find("expired"), std::string::npos);
  EXPECT_EQ(h.service->IssueCode("", "van", "v").status().field(), "name");
  EXPECT_EQ(h.service->IssueCode("Van", "van", "").status().field(), "van_id");
  EXPECT_EQ(h.service->IssueCode("Van", "lorry", "").status().field(), "kind");
}

TEST(HubService, ADeviceOfAnotherSchemaIsRefusedByName) {
  Hub h;
  auto code = h.service->IssueCode("Old tablet", "base", "");
  auto out = h.service->Enrol({{"code", *code}, {"schema", kMinDeviceSchema - 1}});
  EXPECT_EQ(out.status().code(), Code::kConflict);
  EXPECT_EQ(out.status().field(), "schema");
  const std::string device = h.Enrolled();
  json b = Batch("b1", "", 1, json::array({Op(1, "p1", {{"name", "Park"}}, h.clock.now)}));
  b["schema"] = kMaxDeviceSchema + 1;
  auto pushed = h.service->Push(device, b.dump(), h.clock.now);
  EXPECT_EQ(pushed.status().field(), "schema");
}

TEST(HubService, ABatchAppliesOnceAndAReplayGetsTheSameAnswer) {
  Hub h;
  const std::string device = h.Enrolled();
  const json b = Batch("b1", "", 1,
                       json::array({Op(1, "p1", {{"name", "Park"}, {"capacity", 8}}, h.clock.now),
                                    Op(2, "p1", {{"notes", "gloves"}}, h.clock.now + 1)}));
  auto first = h.service->Push(device, b.dump(), h.clock.now);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(json::parse(*first)["applied"], 2);
  h.clock.now += 5000;
  auto again = h.service->Push(device, b.dump(), h.clock.now);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first) << "a replay answers byte for byte what was answered";
  std::int64_t changes = 0;
  ASSERT_TRUE(h.store
                  ->Read([&](HubTx& tx) -> Status {
                    auto c = tx.ChangesAfter(0, 100);
                    changes = static_cast<std::int64_t>(c->size());
                    auto ops = tx.OpsOf(device);
                    EXPECT_EQ(ops->size(), 2u);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(changes, 2);
}

TEST(HubService, SequencesMustContinueTheChain) {
  Hub h;
  const std::string device = h.Enrolled();
  ASSERT_TRUE(h.service
                  ->Push(device,
                         Batch("b1", "", 1, json::array({Op(1, "p1", {{"name", "A"}}, 1)})).dump(),
                         0)
                  .ok());
  // A gap is refused, and nothing changes.
  auto gap = h.service->Push(
      device, Batch("b3", "b1", 3, json::array({Op(3, "p1", {{"name", "C"}}, 3)})).dump(), 0);
  EXPECT_EQ(gap.status().field(), "first");
  // Sequence 1 again under a new batch: a restored copy. The device must enrol again.
  auto fork = h.service->Push(
      device, Batch("b1-again", "", 1, json::array({Op(1, "p1", {{"name", "B"}}, 2)})).dump(), 0);
  EXPECT_EQ(fork.status().field(), "sequence");
  auto d = h.service->Devices();
  EXPECT_EQ((*d)[0]["status"], "forked");
  auto next = h.service->Push(
      device, Batch("b2", "b1", 2, json::array({Op(2, "p1", {{"name", "B"}}, 2)})).dump(), 0);
  EXPECT_FALSE(next.ok()) << "a forked device may not push";
}

TEST(HubService, MalformedBatchesAreRefusedWithoutChange) {
  Hub h;
  const std::string device = h.Enrolled();
  for (const std::string& bad :
       {std::string("not json"), std::string("{}"),
        Batch("b1", "", 1, json::array({Op(2, "p1", {{"name", "A"}}, 1)})).dump(),
        Batch("b1", "", 1, json::array({{{"s", 1}, {"h", "zz"}, {"e", "placement"}}})).dump()}) {
    auto r = h.service->Push(device, bad, 0);
    EXPECT_EQ(r.status().code(), Code::kMalformed) << bad;
  }
  auto d = h.service->Devices();
  EXPECT_EQ((*d)[0]["next_seq"], 1);
}

TEST(HubService, AClockYearsAheadIsClampedAndFlaggedAndLosesToTheTruth) {
  Hub h;
  const std::string fast = h.Enrolled();
  const std::string honest = h.Enrolled();
  const std::int64_t years = 2LL * 365 * 86400 * 1000;
  ASSERT_TRUE(
      h.service
          ->Push(
              fast,
              Batch("f1", "", 1,
                    json::array({Op(1, "p1", {{"notes", "from the future"}}, h.clock.now + years)}))
                  .dump(),
              h.clock.now + years)
          .ok());
  h.clock.now += 60'000;
  ASSERT_TRUE(
      h.service
          ->Push(honest,
                 Batch("h1", "", 1,
                       json::array({Op(1, "p1", {{"notes", "a minute later"}}, h.clock.now)}))
                     .dump(),
                 h.clock.now)
          .ok());
  auto devices = h.service->Devices();
  for (const auto& d : *devices) EXPECT_EQ(d["clock_flagged"], d["id"] == fast) << d.dump();
  ASSERT_TRUE(h.store
                  ->Read([&](HubTx& tx) -> Status {
                    auto row = tx.FindEntity("placement", "p1");
                    EXPECT_EQ((*row)->body["notes"], "a minute later");
                    return Status::Ok();
                  })
                  .ok());
}

TEST(HubService, TheHubsWriteAheadLogStaysBounded) {
  Hub h;
  const std::string device = h.Enrolled();
  std::int64_t seq = 1;
  std::string prev;
  for (int b = 0; b < 30; ++b) {
    json ops = json::array();
    for (int i = 0; i < 400; ++i, ++seq) {
      const std::string id = NewUuidV7(h.clock.now + seq);
      ops.push_back(
          {{"s", seq},
           {"h", Encode({h.clock.now, static_cast<std::uint16_t>(i)})},
           {"e", "attendance_event"},
           {"p",
            {{"id", id},
             {"record_id", id},
             {"kind", "record"},
             {"work_group_id", "g" + std::to_string(seq % 50)},
             {"service_user_id", "p" + std::to_string(seq)},
             {"order_id", "o" + std::to_string(seq)},
             {"facts", {{"outcome", "attended_complied"}, {"note", std::string(200, 'n')}}},
             {"author", "sup"},
             {"device_id", "d"},
             {"recorded_at", "2026-11-23T10:00:00Z"}}}});
    }
    const std::string id = "batch-" + std::to_string(b);
    ASSERT_TRUE(h.service->Push(device, Batch(id, prev, seq - 400, ops).dump(), h.clock.now).ok());
    prev = id;
  }
  const auto wal = std::filesystem::file_size(h.dir.file("hub.db-wal"));
  EXPECT_LT(wal, 8u * 1024 * 1024) << "12,000 events left a " << wal << "-byte WAL";
}

}  // namespace
}  // namespace upw::sync::hub
