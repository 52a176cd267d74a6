#include "app/auth.h"

#include <sodium.h>

#include "app/journal.h"
#include "common/ids.h"
#include "domain/civil_time.h"

namespace upw::app {

using nlohmann::json;

namespace {

// One of OWASP's equivalent Argon2id settings (12 MiB, 3 passes; the same strength as 19 MiB with
// 2): strong enough for staff accounts, small enough for a Raspberry Pi and the service's 32 MB
// memory budget. Hashes carry their own settings, so older ones still verify.
constexpr unsigned long long kOpsLimit = 3;
constexpr std::size_t kMemLimit = 12u * 1024u * 1024u;

std::string TokenHash(const std::string& token) {
  unsigned char out[crypto_generichash_BYTES];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  char hex[sizeof out * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

std::string NewToken() {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char out[sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

json UserJson(const store::Stmt& st) {
  return {{"id", st.Text(0)},     {"username", st.Text(1)},      {"display_name", st.Text(2)},
          {"role", st.Text(3)},   {"supervisor_id", st.Json(4)}, {"active", st.Int(5) != 0},
          {"version", st.Int(6)}, {"created_at", st.Text(7)}};
}
const char* const kUserSelect =
    "SELECT id, username, display_name, role, supervisor_id, active, version, created_at FROM "
    "user_account ";

Status AdminOnly(const Actor& a) {
  if (a.role == Role::kAdmin) return Status::Ok();
  return Status::Error(Code::kForbidden, "", "only admins manage accounts");
}

Status CheckPassword(const json& v, const char* field) {
  if (!v.is_string()) return Status::Invalid(field, std::string(field) + " is required");
  const auto& p = v.get_ref<const std::string&>();
  if (p.size() < kMinPasswordLength || p.size() > 256) {
    return Status::Invalid(field, std::string(field) + " must be 8 to 256 characters");
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> HashPassword(const std::string& password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::Error(Code::kUnavailable, "", "not enough memory to hash the password");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, const std::string& password) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::int64_t Auth::RetryAfter(const std::string& username, const std::string& client) const {
  return throttle_.RetryAfter(username, client, s_.clock.NowSeconds());
}

Result<SignedIn> Auth::Login(const std::string& username, const std::string& password,
                             const std::string& client) {
  const std::int64_t now = s_.clock.NowSeconds();
  if (std::int64_t wait = throttle_.RetryAfter(username, client, now); wait > 0) {
    return Status::Error(
        Code::kRateLimited, std::to_string(wait),
        "too many failed sign-ins; try again in " + std::to_string(wait / 60 + 1) + " minutes");
  }
  Actor actor;
  std::string hash;
  bool active = false;
  {
    auto lease = s_.reads.Acquire();
    store::Stmt& st = lease->Prepare(
        "SELECT id, username, role, supervisor_id, active, password_hash FROM user_account WHERE "
        "username = ?");
    if (st.Bind(1, username).Step()) {
      actor = {st.Text(0), st.Text(1), ParseRole(st.Text(2)).value_or(Role::kSupervisor),
               st.OptText(3)};
      active = st.Int(4) != 0;
      hash = st.Text(5);
    }
  }
  bool ok = false;
  {
    std::lock_guard<std::mutex> lock(hash_mu_);
    // An unknown user costs the same Argon2id work, so timing does not reveal who exists.
    static const std::string kDecoy = HashPassword("decoy password").value();
    ok = VerifyPassword(hash.empty() ? kDecoy : hash, password) && !hash.empty() && active;
  }
  if (!ok) {
    throttle_.RecordFailure(username, client, now);
    Actor who{actor.user_id, username.substr(0, 64), actor.role, std::nullopt};
    (void)s_.writer.Run([&](store::WriteContext& ctx) {
      return AuditOnly(ctx, who, "session.login_failed", "user_account", actor.user_id,
                       {{"client", client}});
    });
    return Status::Error(Code::kUnauthenticated, "password", "wrong username or password");
  }
  throttle_.RecordSuccess(username);
  SignedIn out{NewToken(), actor, now + kSessionSeconds};
  const std::string token_hash = TokenHash(out.token);
  Status st = s_.writer.Run([&](store::WriteContext& ctx) -> Status {
    Status ins = ctx.db()
                     .Prepare(
                         "INSERT INTO auth_session(token_hash, user_id, created_at, expires_at) "
                         "VALUES (?,?,?,?)")
                     .Bind(1, token_hash)
                     .Bind(2, actor.user_id)
                     .Bind(3, ctx.now_text())
                     .Bind(4, domain::FormatTimestamp(out.expires_at))
                     .Run();
    if (!ins.ok()) return ins;
    return AuditOnly(ctx, actor, "session.login", "user_account", actor.user_id,
                     {{"client", client}});
  });
  if (!st.ok()) return st;
  std::lock_guard<std::mutex> lock(mu_);
  cache_[token_hash] = {actor, out.expires_at, now, false, 0, now};
  return out;
}

Result<Actor> Auth::Authenticate(const std::string& token) {
  const auto unauth = Status::Error(Code::kUnauthenticated, "", "sign in first");
  if (token.empty() || token.size() > 128) return unauth;
  const std::string h = TokenHash(token);
  const std::int64_t now = s_.clock.NowSeconds();
  std::optional<Cached> known;  // the cached state, when it is due to be checked again
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(h);
    if (it != cache_.end()) {
      Cached& c = it->second;
      if (c.expires_at <= now) {
        cache_.erase(it);
        return unauth;
      }
      if (c.actor.role != Role::kDevice && lock_after_ > 0 && now - c.last_seen >= lock_after_) {
        c.locked = true;
      }
      if (c.locked) return Locked();
      if (now - c.checked_at < kRecheckSeconds) {
        c.last_seen = now;
        return c.actor;
      }
      known = c;
    }
  }
  // Unknown here, or due a check: another process (`upw user reset-password`, or a deactivation)
  // may have ended the session in the database, and that must take effect within seconds.
  auto lease = s_.reads.Acquire();
  store::Stmt& st = lease->Prepare(
      "SELECT u.id, u.username, u.role, u.supervisor_id, s.expires_at, u.pin_hash IS NOT NULL "
      "FROM auth_session s JOIN user_account u ON u.id = s.user_id WHERE s.token_hash = ? AND "
      "u.active = 1");
  if (!st.Bind(1, h).Step()) {
    std::lock_guard<std::mutex> lock(mu_);
    cache_.erase(h);
    return unauth;
  }
  Actor actor{st.Text(0), st.Text(1), ParseRole(st.Text(2)).value_or(Role::kSupervisor),
              st.OptText(3)};
  const std::int64_t expires = domain::ParseTimestamp(st.Text(4)).value_or(0);
  if (expires <= now) return unauth;
  std::lock_guard<std::mutex> lock(mu_);
  if (known) {
    Cached c = *known;
    c.actor = actor;
    c.expires_at = expires;
    c.checked_at = now;
    c.last_seen = now;
    cache_[h] = c;
    return actor;
  }
  // A tablet whose service restarted (a reboot, a crash) may have been left anywhere: a person
  // with a PIN unlocks it again before seeing anything.
  const bool locked = st.Int(5) != 0 && actor.role != Role::kDevice && lock_after_ > 0;
  cache_[h] = {actor, expires, now, locked, 0, now};
  if (locked) return Locked();
  return actor;
}

Status Auth::Locked() {
  return Status::Error(Code::kUnauthenticated, "pin", "the screen is locked: enter your PIN");
}

Result<Actor> Auth::Unlock(const std::string& token, const std::string& pin) {
  const auto unauth = Status::Error(Code::kUnauthenticated, "", "sign in again");
  if (token.empty() || token.size() > 128) return unauth;
  const std::string h = TokenHash(token);
  Actor actor;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(h);
    if (it == cache_.end()) {
      // Not cached since the restart: Authenticate loads it (locked) first.
    } else {
      actor = it->second.actor;
    }
  }
  if (actor.user_id.empty()) {
    auto who = Authenticate(token);
    if (!who.ok() && who.status().field() != "pin") return who.status();
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(h);
    if (it == cache_.end()) return unauth;
    actor = it->second.actor;
  }
  std::string pin_hash;
  {
    auto lease = s_.reads.Acquire();
    store::Stmt& st = lease->Prepare("SELECT pin_hash FROM user_account WHERE id = ?");
    if (st.Bind(1, actor.user_id).Step()) pin_hash = st.Text(0);
  }
  if (pin_hash.empty()) return Status::Error(Code::kUnauthenticated, "pin", "sign in again");
  bool ok = false;
  {
    std::lock_guard<std::mutex> lock(hash_mu_);
    ok = pin.size() <= 8 && VerifyPassword(pin_hash, pin);
  }
  int failures = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(h);
    if (it == cache_.end()) return unauth;
    if (ok) {
      it->second.locked = false;
      it->second.pin_failures = 0;
      it->second.last_seen = s_.clock.NowSeconds();
      return it->second.actor;
    }
    failures = ++it->second.pin_failures;
  }
  if (failures >= kMaxPinFailures) {
    (void)Logout(actor, token);
    return Status::Error(Code::kUnauthenticated, "", "too many wrong PINs: sign in again");
  }
  const int left = kMaxPinFailures - failures;
  return Status::Invalid(
      "pin", "wrong PIN: " + std::to_string(left) + (left == 1 ? " try" : " tries") + " left");
}

Status Auth::SetPin(const Actor& a, const std::string& pin, const std::string& confirm) {
  if (pin.size() < 4 || pin.size() > 8 ||
      pin.find_first_not_of("0123456789") != std::string::npos) {
    return Status::Invalid("pin", "a PIN is 4 to 8 digits");
  }
  if (confirm != pin) return Status::Invalid("pin_confirm", "the two PINs are not the same");
  Result<std::string> hash = [&] {
    std::lock_guard<std::mutex> lock(hash_mu_);
    return HashPassword(pin);
  }();
  if (!hash.ok()) return hash.status();
  return s_.writer.Run([&](store::WriteContext& ctx) -> Status {
    Status up = ctx.db()
                    .Prepare("UPDATE user_account SET pin_hash = ?, updated_at = ? WHERE id = ?")
                    .Bind(1, *hash)
                    .Bind(2, ctx.now_text())
                    .Bind(3, a.user_id)
                    .Run();
    if (!up.ok()) return up;
    return AuditOnly(ctx, a, "account.set_pin", "user_account", a.user_id, json::object());
  });
}

bool Auth::HasPin(const Actor& a) {
  auto lease = s_.reads.Acquire();
  store::Stmt& st = lease->Prepare("SELECT pin_hash IS NOT NULL FROM user_account WHERE id = ?");
  return st.Bind(1, a.user_id).Step() && st.Int(0) != 0;
}

Status Auth::Logout(const Actor& a, const std::string& token) {
  const std::string h = TokenHash(token);
  {
    std::lock_guard<std::mutex> lock(mu_);
    cache_.erase(h);
  }
  return s_.writer.Run([&](store::WriteContext& ctx) -> Status {
    Status d = ctx.db().Prepare("DELETE FROM auth_session WHERE token_hash = ?").Bind(1, h).Run();
    if (!d.ok()) return d;
    return AuditOnly(ctx, a, "session.logout", "user_account", a.user_id, json::object());
  });
}

void Auth::ForgetSessionsOf(const std::string& user_id) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = cache_.begin(); it != cache_.end();) {
    it = it->second.actor.user_id == user_id ? cache_.erase(it) : std::next(it);
  }
}

Result<json> Auth::CreateUser(const Actor& a, const json& body, bool enforce_policy) {
  if (Status p = AdminOnly(a); !p.ok()) return p;
  if (!body.is_object())
    return Status::Error(Code::kMalformed, "", "the body must be a JSON object");
  for (const auto& [k, _] : body.items()) {
    if (k != "username" && k != "display_name" && k != "role" && k != "password" &&
        k != "supervisor_id") {
      return Status::Invalid(k, k + " is not a field of an account");
    }
  }
  const json username = body.value("username", json(nullptr));
  if (!username.is_string() || username.get<std::string>().empty() ||
      username.get<std::string>().size() > 64 ||
      username.get<std::string>().find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-") !=
          std::string::npos) {
    return Status::Invalid("username",
                           "username must be 1-64 lower-case letters, digits, '.', '_' or '-'");
  }
  const json role_text = body.value("role", json(nullptr));
  auto role = role_text.is_string() ? ParseRole(role_text.get<std::string>()) : std::nullopt;
  if (!role) return Status::Invalid("role", "role must be supervisor, planner, admin or device");
  const json display = body.value("display_name", username);
  if (!display.is_string() || display.get<std::string>().size() > 100) {
    return Status::Invalid("display_name",
                           "display_name must be a string of at most 100 characters");
  }
  if (enforce_policy) {
    if (Status p = CheckPassword(body.value("password", json(nullptr)), "password"); !p.ok())
      return p;
  } else if (!body.value("password", json(nullptr)).is_string()) {
    return Status::Invalid("password", "password is required");
  }
  json supervisor_id = body.value("supervisor_id", json(nullptr));
  if (*role == Role::kSupervisor &&
      (!supervisor_id.is_string() || !IsUuid(supervisor_id.get<std::string>()))) {
    return Status::Invalid("supervisor_id",
                           "a supervisor account needs the supervisor_id it signs in as");
  }
  if (*role != Role::kSupervisor && !supervisor_id.is_null()) {
    return Status::Invalid("supervisor_id", "only supervisor accounts have a supervisor_id");
  }
  Result<std::string> hash = [&] {
    std::lock_guard<std::mutex> lock(hash_mu_);
    return HashPassword(body["password"].get<std::string>());
  }();
  if (!hash.ok()) return hash.status();
  json created;
  Status st = s_.writer.Run([&](store::WriteContext& ctx) -> Status {
    if (supervisor_id.is_string()) {
      store::Stmt& sup = ctx.db().Prepare("SELECT 1 FROM supervisor WHERE id = ?");
      if (!sup.Bind(1, supervisor_id.get<std::string>()).Step()) {
        return Status::Invalid("supervisor_id", "supervisor_id refers to no supervisor");
      }
    }
    const std::string id = ctx.NewId();
    Status ins =
        ctx.db()
            .Prepare(
                "INSERT INTO user_account(id, username, display_name, role, password_hash, "
                "supervisor_id, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)")
            .Bind(1, id)
            .Bind(2, username.get<std::string>())
            .Bind(3, display.get<std::string>())
            .Bind(4, ToString(*role))
            .Bind(5, *hash)
            .BindJson(6, supervisor_id)
            .Bind(7, ctx.now_text())
            .Bind(8, ctx.now_text())
            .Run();
    if (!ins.ok()) {
      return ins.code() == Code::kConflict
                 ? Status::Error(Code::kConflict, "username", "that username is taken")
                 : ins;
    }
    store::Stmt& back = ctx.db().Prepare(std::string(kUserSelect) + "WHERE id = ?");
    back.Bind(1, id).Step();
    created = UserJson(back);
    return AuditOnly(ctx, a, "user.create", "user_account", id, created);
  });
  if (!st.ok()) return st;
  return created;
}

Result<std::vector<json>> Auth::ListUsers(const Actor& a) {
  if (Status p = AdminOnly(a); !p.ok()) return p;
  auto lease = s_.reads.Acquire();
  store::Stmt& st = lease->Prepare(std::string(kUserSelect) + "ORDER BY username");
  std::vector<json> out;
  while (st.Step()) out.push_back(UserJson(st));
  if (!st.status().ok()) return st.status();
  return out;
}

Status Auth::SetPassword(const Actor& a, const std::string& username, const json& body) {
  const bool self = a.username == username;
  if (!self && a.role != Role::kAdmin) {
    return Status::Error(Code::kForbidden, "", "only admins reset other people's passwords");
  }
  if (!body.is_object())
    return Status::Error(Code::kMalformed, "", "the body must be a JSON object");
  for (const auto& [k, _] : body.items()) {
    if (k != "password" && k != "current_password")
      return Status::Invalid(k, k + " is not a field here");
  }
  if (Status p = CheckPassword(body.value("password", json(nullptr)), "password"); !p.ok())
    return p;
  std::string user_id;
  {
    auto lease = s_.reads.Acquire();
    store::Stmt& st =
        lease->Prepare("SELECT id, password_hash FROM user_account WHERE username = ?");
    if (!st.Bind(1, username).Step())
      return Status::Error(Code::kNotFound, "username", "no such account");
    user_id = st.Text(0);
    if (self && a.role != Role::kAdmin) {
      const json current = body.value("current_password", json(nullptr));
      std::lock_guard<std::mutex> lock(hash_mu_);
      if (!current.is_string() || !VerifyPassword(st.Text(1), current.get<std::string>())) {
        return Status::Invalid("current_password", "current_password is not right");
      }
    }
  }
  Result<std::string> hash = [&] {
    std::lock_guard<std::mutex> lock(hash_mu_);
    return HashPassword(body["password"].get<std::string>());
  }();
  if (!hash.ok()) return hash.status();
  Status st = s_.writer.Run([&](store::WriteContext& ctx) -> Status {
    Status up = ctx.db()
                    .Prepare(
                        "UPDATE user_account SET password_hash = ?, version = version + 1, "
                        "updated_at = ? WHERE id = ?")
                    .Bind(1, *hash)
                    .Bind(2, ctx.now_text())
                    .Bind(3, user_id)
                    .Run();
    if (!up.ok()) return up;
    // A new password ends every session of the account.
    Status d =
        ctx.db().Prepare("DELETE FROM auth_session WHERE user_id = ?").Bind(1, user_id).Run();
    if (!d.ok()) return d;
    return AuditOnly(ctx, a, "user.password", "user_account", user_id, json::object());
  });
  if (st.ok()) ForgetSessionsOf(user_id);
  return st;
}

Result<json> Auth::UpdateUser(const Actor& a, const std::string& username, const json& body) {
  if (Status p = AdminOnly(a); !p.ok()) return p;
  if (!body.is_object())
    return Status::Error(Code::kMalformed, "", "the body must be a JSON object");
  for (const auto& [k, v] : body.items()) {
    if (k == "active" && !v.is_boolean()) return Status::Invalid(k, "active must be true or false");
    if (k == "display_name" && (!v.is_string() || v.get<std::string>().size() > 100)) {
      return Status::Invalid(k, "display_name must be a string of at most 100 characters");
    }
    if (k != "active" && k != "display_name")
      return Status::Invalid(k, k + " cannot be changed here");
  }
  json updated;
  std::string user_id;
  Status st = s_.writer.Run([&](store::WriteContext& ctx) -> Status {
    store::Stmt& cur = ctx.db().Prepare(std::string(kUserSelect) + "WHERE username = ?");
    if (!cur.Bind(1, username).Step())
      return Status::Error(Code::kNotFound, "username", "no such account");
    json before = UserJson(cur);
    user_id = before["id"].get<std::string>();
    Status up =
        ctx.db()
            .Prepare(
                "UPDATE user_account SET active = ?, display_name = ?, version = version + 1, "
                "updated_at = ? WHERE id = ?")
            .Bind(1, body.value("active", before["active"].get<bool>()) ? 1 : 0)
            .Bind(2, body.value("display_name", before["display_name"].get<std::string>()))
            .Bind(3, ctx.now_text())
            .Bind(4, user_id)
            .Run();
    if (!up.ok()) return up;
    if (!body.value("active", true)) {
      Status d =
          ctx.db().Prepare("DELETE FROM auth_session WHERE user_id = ?").Bind(1, user_id).Run();
      if (!d.ok()) return d;
    }
    store::Stmt& back = ctx.db().Prepare(std::string(kUserSelect) + "WHERE id = ?");
    back.Bind(1, user_id).Step();
    updated = UserJson(back);
    return AuditOnly(ctx, a, "user.update", "user_account", user_id,
                     {{"from", before}, {"to", updated}});
  });
  if (!st.ok()) return st;
  ForgetSessionsOf(user_id);
  return updated;
}

}  // namespace upw::app
