// Calendar dates, UTC instants and Europe/London local time, with no clock and no I/O.
//
// Instants are stored as UTC seconds since the Unix epoch. Session dates are local calendar dates
// in Europe/London; libstdc++ 12 has no tz database, so the UK rule (BST from 01:00 UTC on the last
// Sunday of March to 01:00 UTC on the last Sunday of October) is implemented here.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace upw::domain {

using Date = std::chrono::year_month_day;
using UtcSeconds = std::int64_t;

// "YYYY-MM-DD" with a real calendar day, or nullopt.
std::optional<Date> ParseDate(std::string_view text);
std::string FormatDate(Date d);

// Days since 1970-01-01 and back.
std::int64_t DayNumber(Date d);
Date FromDayNumber(std::int64_t days);
Date AddDays(Date d, std::int64_t n);
// Adds calendar months, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb).
Date AddMonths(Date d, int months);
// 0 = Sunday ... 6 = Saturday.
int Weekday(Date d);

// "HH:MM" (00:00-23:59; one hour digit, "8:15", is accepted too) to minutes after midnight,
// or nullopt.
std::optional<int> ParseTimeOfDay(std::string_view text);
std::string FormatTimeOfDay(int minutes);

// RFC 3339 timestamp with a 'Z' or a +hh:mm/-hh:mm offset and optional fractional seconds
// (dropped), e.g. "2026-11-22T09:05:00Z" or "2026-06-01T10:00:00+01:00"; nullopt otherwise.
std::optional<UtcSeconds> ParseTimestamp(std::string_view text);
// "YYYY-MM-DDTHH:MM:SSZ".
std::string FormatTimestamp(UtcSeconds t);

// Offset of UK local time from UTC at instant t: 0 (GMT) or 3600 (BST).
int UkOffsetSeconds(UtcSeconds t);
// The UTC instant of local wall-clock time `minutes` after midnight on local date `d`. In the
// skipped hour (spring forward) the time is read as GMT; in the repeated hour (fall back) the first
// (BST) occurrence is returned.
UtcSeconds UkLocalToUtc(Date d, int minutes);
// The local calendar date in the UK at instant t.
Date UkLocalDate(UtcSeconds t);

}  // namespace upw::domain
