#include "domain/orders.h"

#include <algorithm>
#include <array>

namespace upw::domain {

namespace {
struct StatusName {
  OrderStatus status;
  std::string_view name;
};
constexpr std::array<StatusName, 7> kStatusNames = {{
    {OrderStatus::kAwaitingInduction, "awaiting_induction"},
    {OrderStatus::kActive, "active"},
    {OrderStatus::kSuspended, "suspended"},
    {OrderStatus::kInBreach, "in_breach"},
    {OrderStatus::kCompleted, "completed"},
    {OrderStatus::kRevoked, "revoked"},
    {OrderStatus::kTransferred, "transferred"},
}};

bool IsFinal(OrderStatus s) {
  return s == OrderStatus::kCompleted || s == OrderStatus::kRevoked ||
         s == OrderStatus::kTransferred;
}

// Orders made on or before this date were extended by 12 months (Coronavirus (Scotland) Act 2020,
// sch. 4 as applied to orders in force at the end of September 2022).
constexpr Date kExtensionCutoff{std::chrono::year(2022), std::chrono::month(9),
                                std::chrono::day(30)};
}  // namespace

std::optional<OrderStatus> ParseOrderStatus(std::string_view text) {
  for (const auto& s : kStatusNames) {
    if (s.name == text) return s.status;
  }
  return std::nullopt;
}

std::string_view ToString(OrderStatus s) {
  for (const auto& n : kStatusNames) {
    if (n.status == s) return n.name;
  }
  return "active";
}

bool AcceptsWork(OrderStatus s) {
  return s == OrderStatus::kAwaitingInduction || s == OrderStatus::kActive ||
         s == OrderStatus::kInBreach;
}

Status CheckStatusChange(OrderStatus from, OrderStatus to) {
  if (from == to || !IsFinal(from)) return Status::Ok();
  return Status::Error(Code::kConflict, "status",
                       "the order is " + std::string(ToString(from)) + " and cannot become " +
                           std::string(ToString(to)));
}

Status ValidateHoursOrdered(int hours) {
  if (hours < kMinHoursOrdered || hours > kMaxHoursOrdered) {
    return Status::Invalid("hours_ordered", "hours_ordered must be between 20 and 300");
  }
  return Status::Ok();
}

int OrderLevel(int hours_ordered) { return hours_ordered <= kLevel1MaxHours ? 1 : 2; }

Date DefaultDeadline(Date imposed, int hours_ordered, const Profile& profile) {
  int months = OrderLevel(hours_ordered) == 1 ? profile.level1_months : profile.level2_months;
  if (imposed <= kExtensionCutoff) months += 12;
  return AddMonths(imposed, months);
}

int OtherActivityCapMinutes(int hours_ordered, bool other_activity_allowed,
                            const Profile& profile) {
  if (!other_activity_allowed) return 0;
  int cap = hours_ordered * 60 * profile.other_activity_share_percent / 100;
  if (profile.other_activity_cap_minutes) cap = std::min(cap, *profile.other_activity_cap_minutes);
  return std::max(cap, 0);
}

int DaysLeft(Date today, Date deadline) {
  return static_cast<int>(DayNumber(deadline) - DayNumber(today));
}

double Urgency(int remaining_minutes, Date today, Date deadline) {
  const int days = std::max(DaysLeft(today, deadline), 1);
  return (remaining_minutes / 60.0) / (days / 7.0);
}

}  // namespace upw::domain
