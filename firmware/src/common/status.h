// Errors as values at module edges (STYLE.md 3). Only http/ turns a Code into an HTTP status and an
// application/problem+json body; every other layer returns Status or Result<T>.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace upw {

enum class Code {
  kOk,
  kInvalid,               // a field has a bad value: 422 (400 for malformed bodies)
  kMalformed,             // the body is not the JSON we accept: 400
  kNotFound,              // 404
  kConflict,              // the change contradicts stored state: 409
  kPreconditionFailed,    // stale If-Match: 412
  kPreconditionRequired,  // If-Match missing on an edit: 428
  kForbidden,             // 403
  kUnauthenticated,       // 401
  kTooLarge,              // 413
  kRateLimited,           // 429
  kUnavailable,           // 503: storage refused or the service is stopping
  kInternal,              // 500: a programmer error, never a user's mistake
};

// The outcome of an operation: ok, or a code with the field it concerns (may be empty) and a
// sentence a person can act on.
class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(Code code, std::string field, std::string message) {
    Status s;
    s.code_ = code;
    s.field_ = std::move(field);
    s.message_ = std::move(message);
    return s;
  }
  static Status Invalid(std::string field, std::string message) {
    return Error(Code::kInvalid, std::move(field), std::move(message));
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& field() const { return field_; }
  const std::string& message() const { return message_; }

 private:
  Code code_ = Code::kOk;
  std::string field_;
  std::string message_;
};

// A value or the Status explaining why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: must not be ok
  bool ok() const { return v_.index() == 0; }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T* operator->() const { return &std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  const T& operator*() const { return std::get<0>(v_); }
  Status status() const { return ok() ? Status::Ok() : std::get<1>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace upw
