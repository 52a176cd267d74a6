#include "domain/civil_time.h"

#include <cstdio>

namespace upw::domain {

namespace {

using std::chrono::days;
using std::chrono::sys_days;

// Reads exactly `n` digits at text[pos]; nullopt if any is not a digit.
std::optional<int> Digits(std::string_view text, std::size_t pos, std::size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

std::optional<Date> DateAt(std::string_view text, std::size_t pos) {
  auto y = Digits(text, pos, 4);
  auto m = Digits(text, pos + 5, 2);
  auto d = Digits(text, pos + 8, 2);
  if (!y || !m || !d || text.size() < pos + 10 || text[pos + 4] != '-' || text[pos + 7] != '-') {
    return std::nullopt;
  }
  const Date date{std::chrono::year(*y), std::chrono::month(static_cast<unsigned>(*m)),
                  std::chrono::day(static_cast<unsigned>(*d))};
  if (!date.ok()) return std::nullopt;
  return date;
}

// The last Sunday of `month` in `year`, at 01:00 UTC: when UK clocks change.
UtcSeconds LastSundayOneAmUtc(int year, unsigned month) {
  const sys_days last =
      sys_days(std::chrono::year(year) / std::chrono::month(month) / std::chrono::last);
  const int wd = static_cast<int>(std::chrono::weekday(last).c_encoding());  // 0 = Sunday
  const sys_days sunday = last - days(wd);
  return static_cast<UtcSeconds>(sunday.time_since_epoch().count()) * 86400 + 3600;
}

}  // namespace

std::optional<Date> ParseDate(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  return DateAt(text, 0);
}

std::string FormatDate(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

std::int64_t DayNumber(Date d) { return sys_days(d).time_since_epoch().count(); }

Date FromDayNumber(std::int64_t n) { return Date(sys_days(days(n))); }

Date AddDays(Date d, std::int64_t n) { return FromDayNumber(DayNumber(d) + n); }

Date AddMonths(Date d, int months) {
  const std::chrono::year_month ym = d.year() / d.month() + std::chrono::months(months);
  const Date last = ym / std::chrono::last;
  return last.day() < d.day() ? last : Date(ym / d.day());
}

int Weekday(Date d) { return static_cast<int>(std::chrono::weekday(sys_days(d)).c_encoding()); }

std::optional<int> ParseTimeOfDay(std::string_view text) {
  // "8:15" is how people type a pickup time; accept one hour digit and store "08:15".
  if (text.size() == 4) return ParseTimeOfDay("0" + std::string(text));
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  auto h = Digits(text, 0, 2);
  auto m = Digits(text, 3, 2);
  if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
  return *h * 60 + *m;
}

std::string FormatTimeOfDay(int minutes) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (minutes / 60) % 24, minutes % 60);
  return buf;
}

std::optional<UtcSeconds> ParseTimestamp(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
  if (t.size() < 20 || t[10] != 'T' || t[13] != ':' || t[16] != ':') return std::nullopt;
  auto date = DateAt(t, 0);
  auto hh = Digits(t, 11, 2);
  auto mm = Digits(t, 14, 2);
  auto ss = Digits(t, 17, 2);
  if (!date || !hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 59) return std::nullopt;
  std::size_t pos = 19;
  if (t[pos] == '.') {
    const std::size_t start = ++pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
    if (pos == start || pos - start > 9) return std::nullopt;
  }
  if (pos >= t.size()) return std::nullopt;
  int offset = 0;
  if (t[pos] == 'Z') {
    if (pos + 1 != t.size()) return std::nullopt;
  } else if (t[pos] == '+' || t[pos] == '-') {
    if (pos + 6 != t.size() || t[pos + 3] != ':') return std::nullopt;
    auto oh = Digits(t, pos + 1, 2);
    auto om = Digits(t, pos + 4, 2);
    if (!oh || !om || *om > 59 || *oh * 60 + *om > 18 * 60) return std::nullopt;
    offset = (t[pos] == '+' ? 1 : -1) * (*oh * 3600 + *om * 60);
  } else {
    return std::nullopt;
  }
  return DayNumber(*date) * 86400 + *hh * 3600 + *mm * 60 + *ss - offset;
}

std::string FormatTimestamp(UtcSeconds t) {
  std::int64_t day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  const std::int64_t secs = t - day * 86400;
  const Date d = FromDayNumber(day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()),
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

int UkOffsetSeconds(UtcSeconds t) {
  std::int64_t day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  const int year = static_cast<int>(FromDayNumber(day).year());
  return t >= LastSundayOneAmUtc(year, 3) && t < LastSundayOneAmUtc(year, 10) ? 3600 : 0;
}

UtcSeconds UkLocalToUtc(Date d, int minutes) {
  const UtcSeconds wall = DayNumber(d) * 86400 + static_cast<UtcSeconds>(minutes) * 60;
  // Try BST first: in the repeated autumn hour that picks the first occurrence. If BST was not in
  // force at the resulting instant, the wall time is GMT (this also reads the skipped spring hour
  // as GMT).
  const UtcSeconds as_bst = wall - 3600;
  if (UkOffsetSeconds(as_bst) == 3600) return as_bst;
  return wall;
}

Date UkLocalDate(UtcSeconds t) {
  const UtcSeconds local = t + UkOffsetSeconds(t);
  const std::int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  return FromDayNumber(day);
}

}  // namespace upw::domain
