#include "ui/forms.h"

#include <array>

namespace upw::ui {

using nlohmann::json;

Result<Form> ParseForm(const http::Request& req) {
  const std::string type = req.header("content-type");
  if (type.rfind("application/x-www-form-urlencoded", 0) != 0) {
    return Status::Error(Code::kMalformed, "Content-Type", "send the form as a web form");
  }
  return http::ParseQuery(req.body);
}

std::string Value(const Form& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

http::Response Html(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "same-origin");
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                         "script-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                         "base-uri 'none'");
  return r;
}

http::Response SeeOther(const std::string& location) {
  http::Response r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", location);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

void AddError(json& data, const Status& s, const std::string& field) {
  const std::string name = field.empty() ? (s.field().empty() ? "form" : s.field()) : field;
  if (!data.contains("errors")) data["errors"] = json::array();
  // Sentences for people: the API's message with its first letter raised.
  std::string message = s.message();
  if (!message.empty() && message[0] >= 'a' && message[0] <= 'z') message[0] = message[0] - 32;
  data["errors"].push_back({{"field", name}, {"message", message}});
  data["error_" + name] = message;
}

bool SameOrigin(const http::Request& req) {
  const std::string host = req.header("host");
  std::string origin = req.header("origin");
  if (origin.empty() || origin == "null") {
    const std::string referer = req.header("referer");
    if (referer.empty()) return origin.empty();  // neither sent: not a browser form of another site
    const std::size_t slash = referer.find('/', referer.find("//") + 2);
    origin = referer.substr(0, slash);
  }
  return origin == "http://" + host || origin == "https://" + host;
}

std::string SafeNext(const std::string& next) {
  if (next.size() > 1 && next.size() < 200 && next[0] == '/' && next[1] != '/' &&
      next.find('\\') == std::string::npos && next.find("://") == std::string::npos) {
    return next;
  }
  return "/today";
}

std::string LocalTime(domain::UtcSeconds t) {
  const domain::UtcSeconds local = t + domain::UkOffsetSeconds(t);
  const domain::UtcSeconds in_day = ((local % 86400) + 86400) % 86400;
  return domain::FormatTimeOfDay(static_cast<int>(in_day / 60));
}

std::string DateText(domain::Date d) {
  static constexpr std::array<const char*, 7> kDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
  static constexpr std::array<const char*, 12> kMonths = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  return std::string(kDays[static_cast<std::size_t>(domain::Weekday(d))]) + " " +
         std::to_string(static_cast<unsigned>(d.day())) + " " +
         kMonths[static_cast<unsigned>(d.month()) - 1] + " " +
         std::to_string(static_cast<int>(d.year()));
}

std::optional<domain::UtcSeconds> GroupTime(const json& group, const std::string& hhmm) {
  const auto minutes = domain::ParseTimeOfDay(hhmm);
  if (!minutes) return std::nullopt;
  const auto date = domain::ParseDate(group["session_date"].get<std::string>());
  const int start = *domain::ParseTimeOfDay(group["starts_at"].get<std::string>());
  const int end = *domain::ParseTimeOfDay(group["ends_at"].get<std::string>());
  const bool crosses_midnight = end < start;
  // In a session crossing midnight, times up to an hour after its end are on the next day.
  const auto day = crosses_midnight && *minutes < start && *minutes <= end + 60
                       ? domain::AddDays(*date, 1)
                       : *date;
  return domain::UkLocalToUtc(day, *minutes);
}

std::string Duration(int minutes) {
  if (minutes < 60) return std::to_string(minutes) + " min";
  const int h = minutes / 60;
  const int m = minutes % 60;
  return std::to_string(h) + " h" + (m ? " " + std::to_string(m) + " min" : std::string());
}

}  // namespace upw::ui
