// Working days: Monday to Friday, less the authority's public holidays (Profile).
#pragma once

#include "domain/civil_time.h"
#include "domain/profile.h"

namespace upw::domain {

bool IsWorkingDay(Date d, const Profile& profile);
// The date n working days after d (n >= 0; n == 0 returns d itself even if not a working day).
Date AddWorkingDays(Date d, int n, const Profile& profile);
// Working days in (from, to]: 0 when to <= from. "Seen within 5 working days" holds when
// WorkingDaysBetween(ordered, seen) <= 5.
int WorkingDaysBetween(Date from, Date to, const Profile& profile);

}  // namespace upw::domain
