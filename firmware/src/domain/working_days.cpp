#include "domain/working_days.h"

namespace upw::domain {

bool IsWorkingDay(Date d, const Profile& profile) {
  const int wd = Weekday(d);
  return wd != 0 && wd != 6 && profile.holiday_day_numbers.count(DayNumber(d)) == 0;
}

Date AddWorkingDays(Date d, int n, const Profile& profile) {
  std::int64_t day = DayNumber(d);
  while (n > 0) {
    ++day;
    if (IsWorkingDay(FromDayNumber(day), profile)) --n;
  }
  return FromDayNumber(day);
}

int WorkingDaysBetween(Date from, Date to, const Profile& profile) {
  int count = 0;
  for (std::int64_t day = DayNumber(from) + 1; day <= DayNumber(to); ++day) {
    if (IsWorkingDay(FromDayNumber(day), profile)) ++count;
  }
  return count;
}

}  // namespace upw::domain
