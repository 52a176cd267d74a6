#include "common/ids.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <set>

namespace upw {
namespace {

TEST(UuidV7, LayoutCarriesTimeVersionAndVariant) {
  std::array<std::uint8_t, 10> r{};
  r.fill(0xff);
  const std::string id = FormatUuidV7(0x017f22e279b0, r);
  EXPECT_EQ(id, "017f22e2-79b0-7fff-bfff-ffffffffffff");
  EXPECT_TRUE(IsUuid(id));
}

TEST(UuidV7, LaterTimesSortLater) {
  ASSERT_GE(sodium_init(), 0);
  EXPECT_LT(NewUuidV7(1000), NewUuidV7(1001));
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(NewUuidV7(5));
  EXPECT_EQ(seen.size(), 1000u);  // random bits keep same-millisecond ids apart
}

TEST(IsUuid, RefusesAnythingButCanonicalLowerCase) {
  EXPECT_FALSE(IsUuid(""));
  EXPECT_FALSE(IsUuid("017F22E2-79B0-7FFF-BFFF-FFFFFFFFFFFF"));
  EXPECT_FALSE(IsUuid("017f22e2079b0-7fff-bfff-ffffffffffff"));
  EXPECT_FALSE(IsUuid("017f22e2-79b0-7fff-bfff-fffffffffffff"));
  EXPECT_FALSE(IsUuid("' OR 1=1 --"));
}

}  // namespace
}  // namespace upw
