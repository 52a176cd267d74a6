// Accounts and sign-in. Passwords are hashed with Argon2id (libsodium); a session is a random token
// held by the browser in an HttpOnly cookie, stored here only as its hash. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/actor.h"
#include "app/login_throttle.h"
#include "app/services.h"

namespace upw::app {

inline constexpr std::int64_t kSessionSeconds = 12 * 60 * 60;  // one working day
inline constexpr std::size_t kMinPasswordLength = 8;

struct SignedIn {
  std::string token;  // give to the client; never stored
  Actor actor;
  std::int64_t expires_at = 0;
};

class Auth {
 public:
  explicit Auth(const Services& s) : s_(s) {}

  // Checks the password. Unauthenticated (same message whether the user exists or not) on a wrong
  // username or password; RateLimited with the seconds to wait in the message's field "retry_after"
  // when throttled. Audits success and failure.
  Result<SignedIn> Login(const std::string& username, const std::string& password,
                         const std::string& client);
  // The actor for a session token, or Unauthenticated if it is unknown, expired or its account is
  // no longer active.
  Result<Actor> Authenticate(const std::string& token);
  Status Logout(const Actor& a, const std::string& token);

  // Admin: accounts. body: username, display_name, role, password, supervisor_id (supervisors).
  Result<nlohmann::json> CreateUser(const Actor& a, const nlohmann::json& body,
                                    bool enforce_policy = true);
  Result<std::vector<nlohmann::json>> ListUsers(const Actor& a);
  // Admin (or the user themself, giving the current password in body.current_password).
  Status SetPassword(const Actor& a, const std::string& username, const nlohmann::json& body);
  // Admin: deactivate or reactivate, change role or display name. Ends the user's sessions.
  Result<nlohmann::json> UpdateUser(const Actor& a, const std::string& username,
                                    const nlohmann::json& body);

  std::int64_t RetryAfter(const std::string& username, const std::string& client) const;

 private:
  struct Cached {
    Actor actor;
    std::int64_t expires_at;
  };
  void ForgetSessionsOf(const std::string& user_id);
  const Services& s_;
  LoginThrottle throttle_;
  std::mutex hash_mu_;  // one Argon2id at a time: bounds memory on a Pi
  std::mutex mu_;
  std::map<std::string, Cached> cache_;  // token hash -> session; guarded by mu_
};

// Argon2id hash in libsodium's string form, or kUnavailable if memory is short.
Result<std::string> HashPassword(const std::string& password);
bool VerifyPassword(const std::string& hash, const std::string& password);

}  // namespace upw::app
