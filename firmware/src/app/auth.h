// Accounts and sign-in. Passwords are hashed with Argon2id (libsodium); a session is a random token
// held by the browser in an HttpOnly cookie, stored here only as its hash. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/actor.h"
#include "app/login_throttle.h"
#include "app/services.h"

namespace upw::app {

inline constexpr std::int64_t kSessionSeconds = 12 * 60 * 60;  // one working day
inline constexpr std::size_t kMinPasswordLength = 8;
inline constexpr int kMaxPinFailures = 5;

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
  // no longer active. A person's session left idle for lock_after seconds (and, for an account
  // with a PIN, any session the service has just restarted with) is locked: Unauthenticated on
  // field "pin" until Unlock. Device sessions never lock.
  Result<Actor> Authenticate(const std::string& token);
  // Unlocks a locked session with the account's PIN. Invalid on "pin" for a wrong PIN (the message
  // says how many tries are left); after kMaxPinFailures the session ends (Unauthenticated).
  Result<Actor> Unlock(const std::string& token, const std::string& pin);
  // Sets the signed-in account's PIN (4-8 digits, typed twice). Invalid on "pin"/"pin_confirm".
  Status SetPin(const Actor& a, const std::string& pin, const std::string& confirm);
  bool HasPin(const Actor& a);
  // Seconds of idle before a session locks (0: never). Set before serving.
  void set_lock_after(std::int64_t seconds) { lock_after_ = seconds; }
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
    std::int64_t last_seen = 0;
    bool locked = false;
    int pin_failures = 0;
    std::int64_t checked_at = 0;  // when the database last confirmed the session
  };
  // Sessions ended by another process (the `upw user` commands) stop working within this time.
  static constexpr std::int64_t kRecheckSeconds = 10;
  std::int64_t lock_after_ = 300;
  static Status Locked();
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
