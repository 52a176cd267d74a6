// Pure sync rules: per-field merge by stamp, office-only fields, clock clamping, conflict
// detection on attendance events, the wire's compression, checksums, and the retry schedule.
#include <gtest/gtest.h>

#include "checksum.h"
#include "device/sync_loop.h"
#include "domain/civil_time.h"
#include "entities.h"
#include "merge.h"
#include "wire.h"

namespace upw::sync {
namespace {

using nlohmann::json;

const EntityDef& Def(const char* name) { return *FindEntity(name); }

TEST(MergeFields, ACreateTakesEveryFieldItCarries) {
  auto m = MergeFields(Def("placement"), false, json(), json(), {{"name", "Park"}, {"capacity", 8}},
                       Stamp({1000, 0}, "dev-a"));
  EXPECT_TRUE(m.rejected_field.empty());
  EXPECT_EQ(m.body, json({{"name", "Park"}, {"capacity", 8}}));
  EXPECT_EQ(m.changed.size(), 2u);
  EXPECT_EQ(m.stamps["name"], "0000000003e80000@dev-a");
}

TEST(MergeFields, TheLaterStampWinsPerFieldAndEarlierWritesChangeNothing) {
  const json body = {{"name", "Park"}, {"notes", "old"}};
  const json stamps = {{"name", Stamp({1000, 0}, "a")}, {"notes", Stamp({3000, 0}, "a")}};
  // Written at 2000: newer than name's 1000, older than notes' 3000.
  auto m = MergeFields(Def("placement"), true, body, stamps, {{"name", "Pond"}, {"notes", "new"}},
                       Stamp({2000, 0}, "b"));
  EXPECT_EQ(m.body["name"], "Pond");
  EXPECT_EQ(m.body["notes"], "old");
  EXPECT_EQ(m.changed, std::vector<std::string>{"name"});
  // Replaying the same op is no change.
  auto again = MergeFields(Def("placement"), true, m.body, m.stamps, {{"name", "Pond"}},
                           Stamp({2000, 0}, "b"));
  EXPECT_TRUE(again.changed.empty());
}

TEST(MergeFields, EqualClocksBreakTiesByDeviceTheSameWayEverywhere) {
  const json stamps = {{"notes", Stamp({5000, 1}, "device-a")}};
  auto b_wins = MergeFields(Def("placement"), true, {{"notes", "A"}}, stamps, {{"notes", "B"}},
                            Stamp({5000, 1}, "device-b"));
  EXPECT_EQ(b_wins.body["notes"], "B");
  const json stamps_b = {{"notes", Stamp({5000, 1}, "device-b")}};
  auto a_loses = MergeFields(Def("placement"), true, {{"notes", "B"}}, stamps_b, {{"notes", "A"}},
                             Stamp({5000, 1}, "device-a"));
  EXPECT_EQ(a_loses.body["notes"], "B");
}

TEST(MergeFields, ADeviceCannotChangeHoursOrderedButMaySendThemUnchanged) {
  const json order = {{"hours_ordered", 120}, {"status", "active"}};
  auto refused = MergeFields(Def("order"), true, order, json::object(),
                             {{"hours_ordered", 150}, {"status", "in_breach"}}, Stamp({9, 0}, "d"));
  EXPECT_EQ(refused.rejected_field, "hours_ordered");
  EXPECT_NE(refused.rejected_reason.find("head office"), std::string::npos);
  EXPECT_EQ(refused.body, order);  // nothing of the op applied
  auto fine = MergeFields(Def("order"), true, order, json::object(),
                          {{"hours_ordered", 120}, {"status", "in_breach"}}, Stamp({9, 0}, "d"));
  EXPECT_TRUE(fine.rejected_field.empty());
  EXPECT_EQ(fine.body["status"], "in_breach");
  // Creating an order (base staff entering the court's papers) sets them.
  auto created =
      MergeFields(Def("order"), false, json(), json(), {{"hours_ordered", 80}}, Stamp({9, 0}, "d"));
  EXPECT_EQ(created.body["hours_ordered"], 80);
}

TEST(ClampHlc, AClockFarAheadIsClampedToTheHubs) {
  const Hlc hub_next{1'000'000, 3};
  EXPECT_FALSE(
      ClampHlc({1'000'000 + kMaxClockAheadMs, 0}, 1'000'000, kMaxClockAheadMs, hub_next).clamped);
  auto c = ClampHlc({1'000'000 + kMaxClockAheadMs + 1, 0}, 1'000'000, kMaxClockAheadMs, hub_next);
  EXPECT_TRUE(c.clamped);
  EXPECT_EQ(c.hlc, hub_next);
  // Two years ahead.
  EXPECT_TRUE(
      ClampHlc({1'000'000 + 63'072'000'000LL, 0}, 1'000'000, kMaxClockAheadMs, hub_next).clamped);
  // Behind is fine: its writes simply lose to later ones.
  EXPECT_FALSE(ClampHlc({10, 0}, 1'000'000, kMaxClockAheadMs, hub_next).clamped);
}

KnownEvent Ev(std::string id, std::string record, std::string kind, std::string device) {
  return {std::move(id), std::move(record), std::move(kind), std::move(device)};
}

TEST(JudgeEvent, TwoLiveRecordsForOnePersonConflict) {
  const std::vector<KnownEvent> known = {Ev("e1", "r1", "record", "van")};
  auto v = JudgeEvent(Ev("e2", "r2", "record", "base"), "", false, known);
  EXPECT_EQ(v.conflict, ConflictKind::kDuplicateRecord);
  EXPECT_EQ(v.record_ids, (std::vector<std::string>{"r1", "r2"}));
  EXPECT_EQ(v.event_ids, (std::vector<std::string>{"e1", "e2"}));
}

TEST(JudgeEvent, AVoidedRecordIsNoLongerLive) {
  const std::vector<KnownEvent> known = {Ev("e1", "r1", "record", "van"),
                                         Ev("e2", "r1", "void", "van")};
  EXPECT_EQ(JudgeEvent(Ev("e3", "r2", "record", "base"), "", false, known).conflict,
            ConflictKind::kNone);
}

TEST(JudgeEvent, AChangeMadeWithoutSeeingTheLatestEventConflicts) {
  const std::vector<KnownEvent> known = {Ev("e1", "r1", "record", "van"),
                                         Ev("e2", "r1", "amend", "base")};
  // Made on the van against e1, while the base had already amended it.
  auto v = JudgeEvent(Ev("e3", "r1", "amend", "van"), "e1", false, known);
  EXPECT_EQ(v.conflict, ConflictKind::kConcurrentChange);
  EXPECT_EQ(v.event_ids, (std::vector<std::string>{"e2", "e3"}));
  // Made against the latest: no conflict.
  EXPECT_EQ(JudgeEvent(Ev("e3", "r1", "update", "van"), "e2", false, known).conflict,
            ConflictKind::kNone);
  // A planner's resolution is never a conflict itself.
  EXPECT_EQ(JudgeEvent(Ev("e3", "r1", "amend", "base"), "e1", true, known).conflict,
            ConflictKind::kNone);
}

TEST(JudgeEvent, TheSameRecordAgainIsNotADuplicate) {
  const std::vector<KnownEvent> known = {Ev("e1", "r1", "record", "van")};
  EXPECT_EQ(JudgeEvent(Ev("e1", "r1", "record", "van"), "", false, known).conflict,
            ConflictKind::kNone);
}

TEST(Wire, DeflateRoundTripsAndRefusesDamage) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += R"({"s":)" + std::to_string(i) + R"(,"e":"van"},)";
  const std::string packed = Deflate(text);
  EXPECT_LT(packed.size(), text.size() / 5);
  EXPECT_EQ(Inflate(packed), text);
  // Cut at every byte offset: never a wrong answer, only a refusal.
  for (std::size_t cut = 0; cut < packed.size(); cut += 7) {
    EXPECT_FALSE(Inflate(packed.substr(0, cut)).has_value()) << cut;
  }
  std::string flipped = packed;
  flipped[flipped.size() / 2] ^= 0x55;
  auto damaged = Inflate(flipped);
  EXPECT_TRUE(!damaged || *damaged != text);
  // More than the limit: refused rather than inflated.
  EXPECT_FALSE(Inflate(Deflate(std::string(1 << 20, 'x')), 1000).has_value());
}

TEST(Checksum, SameRowsInAnyOrderAndAnyEncodingGiveTheSameSum) {
  const EntityDef& p = Def("placement");
  const std::string a = CanonicalLine(
      p, "id1", {{"name", "Park"}, {"indoor", true}, {"days_available", json::array({"mon"})}});
  const std::string b =
      CanonicalLine(p, "id1", {{"name", "Park"}, {"indoor", 1}, {"days_available", "[\"mon\"]"}});
  EXPECT_EQ(a, b);
  EXPECT_EQ(UnitChecksum({a, EventLine("e1")}), UnitChecksum({EventLine("e1"), b}));
  EXPECT_NE(UnitChecksum({a}), UnitChecksum({a, EventLine("e1")}));
  EXPECT_NE(CanonicalLine(p, "id1", {{"name", "Park"}}),
            CanonicalLine(p, "id1", {{"name", "Pond"}}));
}

TEST(Retry, BackoffDoublesToItsCapWithFullJitter) {
  LoopOptions o;
  o.min_backoff = std::chrono::milliseconds(2000);
  o.max_backoff = std::chrono::milliseconds(300000);
  EXPECT_EQ(BackoffDelay(1, o, 0.999999).count(), 1999);
  EXPECT_EQ(BackoffDelay(2, o, 0.5).count(), 2000);
  EXPECT_EQ(BackoffDelay(4, o, 0.5).count(), 8000);
  EXPECT_EQ(BackoffDelay(30, o, 0.5).count(), 150000);  // capped at 300 s
  EXPECT_EQ(BackoffDelay(1000, o, 1.0).count(), 300000);
  EXPECT_EQ(BackoffDelay(3, o, 0.0).count(), 0);
}

TEST(Retry, TheNightlyWindowIsTheNextTwoOClockUkTime) {
  // 2026-11-23 01:30 UTC (GMT): 30 minutes to go.
  const std::int64_t winter = domain::UkLocalToUtc(*domain::ParseDate("2026-11-23"), 90) * 1000;
  EXPECT_EQ(MsUntilNightly(winter, 2), 30 * 60 * 1000);
  // 02:00 exactly: tomorrow's.
  EXPECT_EQ(MsUntilNightly(winter + 30 * 60 * 1000, 2), 24LL * 3600 * 1000);
  // Summer time: 2026-07-01 00:30 BST is 23:30 UTC the day before; 90 minutes to go.
  const std::int64_t summer = domain::UkLocalToUtc(*domain::ParseDate("2026-07-01"), 30) * 1000;
  EXPECT_EQ(MsUntilNightly(summer, 2), 90 * 60 * 1000);
}

}  // namespace
}  // namespace upw::sync
