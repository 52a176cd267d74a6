#include "hlc.h"

#include <gtest/gtest.h>

namespace upw::sync {
namespace {

TEST(Hlc, TickFollowsPhysicalTimeWhenAhead) { EXPECT_EQ(Tick({100, 5}, 200), (Hlc{200, 0})); }

TEST(Hlc, TickNeverGoesBackwardsWhenTheClockDoes) {
  const Hlc a = Tick({1000, 0}, 500);  // a Pi booted with a wrong clock
  EXPECT_EQ(a, (Hlc{1000, 1}));
  EXPECT_LT((Hlc{1000, 0}), a);
}

TEST(Hlc, CounterOverflowAdvancesWall) { EXPECT_EQ(Tick({1000, 0xffff}, 10), (Hlc{1001, 0})); }

TEST(Hlc, ReceiveTakesTheLatestOfThree) {
  EXPECT_EQ(Receive({10, 1}, {20, 4}, 5), (Hlc{20, 5}));
  EXPECT_EQ(Receive({20, 7}, {20, 4}, 5), (Hlc{20, 8}));
  EXPECT_EQ(Receive({20, 7}, {10, 4}, 30), (Hlc{30, 0}));
  EXPECT_EQ(Receive({20, 7}, {10, 4}, 5), (Hlc{20, 8}));
}

TEST(Hlc, EncodingSortsLikeTheClockAndRoundTrips) {
  const Hlc a{0x0123456789ab, 1};
  const Hlc b{0x0123456789ab, 2};
  const Hlc c{0x0123456789ac, 0};
  EXPECT_LT(Encode(a), Encode(b));
  EXPECT_LT(Encode(b), Encode(c));
  EXPECT_EQ(Decode(Encode(a)), a);
  EXPECT_EQ(Encode(a), "0123456789ab0001");
}

TEST(Hlc, DecodeRefusesBadText) {
  EXPECT_FALSE(Decode(""));
  EXPECT_FALSE(Decode("0123456789ab000"));
  EXPECT_FALSE(Decode("0123456789AB0001"));
  EXPECT_FALSE(Decode("0123456789ab000g"));
}

}  // namespace
}  // namespace upw::sync
