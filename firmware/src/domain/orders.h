// Rules of a Community Payback Order's unpaid work requirement (DOMAIN.md "People and orders").
#pragma once

#include <optional>
#include <string_view>

#include "common/status.h"
#include "domain/civil_time.h"
#include "domain/profile.h"

namespace upw::domain {

inline constexpr int kMinHoursOrdered = 20;
inline constexpr int kMaxHoursOrdered = 300;
inline constexpr int kLevel1MaxHours = 100;

enum class OrderStatus {
  kAwaitingInduction,
  kActive,
  kSuspended,
  kInBreach,
  kCompleted,
  kRevoked,
  kTransferred,
};
std::optional<OrderStatus> ParseOrderStatus(std::string_view text);
std::string_view ToString(OrderStatus s);
// Whether hours may still be credited to an order in this status (active or in breach: a person in
// breach proceedings still works; awaiting induction may start work the same day).
bool AcceptsWork(OrderStatus s);
// Whether moving between two statuses makes sense. Completed, revoked and transferred are final.
Status CheckStatusChange(OrderStatus from, OrderStatus to);

// Ok if 20 <= hours <= 300, else Invalid on field "hours_ordered".
Status ValidateHoursOrdered(int hours);
// 1 for 20-100 hours, 2 for 101-300.
int OrderLevel(int hours_ordered);
// The default completion deadline: date imposed + 3 months (Level 1) or 6 months (Level 2), per
// the profile. Orders imposed on or before 2022-09-30 get 12 more months (Coronavirus (Scotland)
// Act 2020, sch. 4). The stored deadline may later differ (court-set period).
Date DefaultDeadline(Date imposed, int hours_ordered, const Profile& profile);

// Minutes of other activity that may count toward the order: the profile's share of the hours
// ordered, further capped by its absolute cap; 0 if the order is unpaid work only.
int OtherActivityCapMinutes(int hours_ordered, bool other_activity_allowed, const Profile& profile);

// Calendar days from `today` to the deadline (negative once it has passed).
int DaysLeft(Date today, Date deadline);
// Hours remaining divided by weeks remaining: the planner serves the largest first. A deadline
// today or past counts as one day left, so overdue orders sort most urgent.
double Urgency(int remaining_minutes, Date today, Date deadline);

}  // namespace upw::domain
