#include "app/login_throttle.h"

#include <gtest/gtest.h>

namespace upw::app {
namespace {

TEST(LoginThrottle, AllowsUpToFiveFailuresThenRefusesUntilTheWindowPasses) {
  LoginThrottle t;
  for (int i = 0; i < LoginThrottle::kMaxFailures; ++i) {
    EXPECT_EQ(t.RetryAfter("ann", "10.0.0.1", 1000 + i), 0);
    t.RecordFailure("ann", "10.0.0.1", 1000 + i);
  }
  EXPECT_EQ(t.RetryAfter("ann", "10.0.0.9", 1005), LoginThrottle::kWindowSeconds - 5);
  EXPECT_GT(t.RetryAfter("bob", "10.0.0.1", 1005), 0);  // same client, other name
  EXPECT_EQ(t.RetryAfter("bob", "10.0.0.2", 1005), 0);
  EXPECT_EQ(t.RetryAfter("ann", "10.0.0.2", 1000 + LoginThrottle::kWindowSeconds), 0);
}

TEST(LoginThrottle, SuccessClearsTheUsernameButNotTheClient) {
  LoginThrottle t;
  for (int i = 0; i < LoginThrottle::kMaxFailures; ++i) t.RecordFailure("ann", "c", 10);
  t.RecordSuccess("ann");
  EXPECT_EQ(t.RetryAfter("ann", "other", 11), 0);
  EXPECT_GT(t.RetryAfter("ann", "c", 11), 0);
}

}  // namespace
}  // namespace upw::app
