#include "app/demo.h"

#include <array>
#include <random>

#include "app/allocations.h"
#include "app/attendance.h"
#include "app/resource.h"

namespace upw::app {

using nlohmann::json;

namespace {

constexpr std::array<const char*, 40> kFirst = {
    "Aileen", "Alasdair", "Callum", "Catriona", "Craig",   "Debbie",  "Douglas", "Eilidh",
    "Euan",   "Fiona",    "Fraser", "Gavin",    "Gillian", "Graeme",  "Hamish",  "Iona",
    "Iain",   "Isla",     "Jamie",  "Kirsty",   "Kenny",   "Lachlan", "Lorna",   "Mhairi",
    "Morag",  "Murray",   "Niall",  "Paula",    "Rhona",   "Ross",    "Ruaridh", "Shona",
    "Stuart", "Steven",   "Tam",    "Una",      "Wendy",   "Zara",    "Kyle",    "Lewis"};
constexpr std::array<const char*, 40> kLast = {
    "Anderson", "Boyd",      "Campbell",  "Cameron",  "Docherty",  "Duncan",   "Ferguson",
    "Fraser",   "Gallacher", "Graham",    "Hamilton", "Henderson", "Hughes",   "Johnston",
    "Kelly",    "Kerr",      "MacDonald", "MacLeod",  "McGregor",  "McKenzie", "Martin",
    "Millar",   "Mitchell",  "Morrison",  "Murray",   "Paterson",  "Reid",     "Robertson",
    "Ross",     "Scott",     "Shaw",      "Simpson",  "Sinclair",  "Stewart",  "Thomson",
    "Walker",   "Wallace",   "Watson",    "Wilson",   "Young"};

// Progress of each person's order, spread across every stage the service sees.
constexpr std::array<const char*, 20> kStages = {"active",
                                                 "active",
                                                 "active",
                                                 "active",
                                                 "active",
                                                 "active",
                                                 "active",
                                                 "active",
                                                 "active",
                                                 "active",
                                                 "awaiting_induction",
                                                 "awaiting_induction",
                                                 "in_breach",
                                                 "in_breach",
                                                 "suspended",
                                                 "completed",
                                                 "completed",
                                                 "revoked",
                                                 "transferred",
                                                 "active"};

class Seeder {
 public:
  Seeder(const Services& s, Auth& auth, domain::Date today, unsigned seed)
      : s_(s), auth_(auth), today_(today), rng_(seed) {}

  Result<DemoReport> Run() {
    if (Status st = Reference(); !st.ok()) return st;
    if (Status st = People(); !st.ok()) return st;
    if (Status st = Groups(); !st.ok()) return st;
    if (Status st = Accounts(); !st.ok()) return st;
    return report_;
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool Chance(int percent) { return Pick(100) < percent; }
  std::string Ts(domain::Date d, int minutes) const {
    return domain::FormatTimestamp(domain::UkLocalToUtc(d, minutes));
  }

  Result<std::string> Create(const std::string& resource, const json& body) {
    auto r = CreateEntity(s_, planner_, Spec(resource), body);
    if (!r.ok()) {
      return Status::Error(r.status().code(), r.status().field(),
                           "demo " + resource + ": " + r.status().message());
    }
    return r->body["id"].get<std::string>();
  }

  Status Reference() {
    const char* names[] = {"Alan Baird", "Moira Craig", "Rab Donnelly",
                           "Jean Elder", "Tom Fyfe",    "Sandra Gow"};
    for (int i = 0; i < 6; ++i) {
      auto id = Create(
          "supervisors",
          {{"name", names[i]}, {"can_drive", i < 4}, {"phone", "07700 90012" + std::to_string(i)}});
      if (!id.ok()) return id.status();
      supervisors_.push_back(*id);
    }
    const json vans[] = {{{"registration", "SV19 KLM"}, {"name", "Transit 1"}, {"seats", 9}},
                         {{"registration", "SW20 PQR"}, {"name", "Transit 2"}, {"seats", 9}},
                         {{"registration", "SX68 TUV"},
                          {"name", "Vivaro"},
                          {"seats", 6},
                          {"usable_seats", 5},
                          {"notes", "rear bench out of use until repaired: 5 usable seats"}}};
    for (const auto& v : vans) {
      auto id = Create("vans", v);
      if (!id.ok()) return id.status();
      vans_.push_back(*id);
    }
    const json weekdays = {"mon", "tue", "wed", "thu", "fri"};
    const json placements[] = {{{"name", "Riverside path clearance"},
                                {"kind", "group"},
                                {"address", "Riverside Walk, Musselburgh EH21 6AA"},
                                {"beneficiary", "Musselburgh Community Council"},
                                {"capacity", 10},
                                {"days_available", weekdays}},
                               {{"name", "Primary school garden"},
                                {"kind", "group"},
                                {"address", "Loanhead Primary, EH20 9RG"},
                                {"beneficiary", "Parent council"},
                                {"capacity", 5},
                                {"days_available", {"sat", "sun"}},
                                {"flags", {"children_present"}}},
                               {{"name", "Church hall redecoration"},
                                {"kind", "group"},
                                {"address", "St Andrew's Hall, Dalkeith EH22 1AB"},
                                {"beneficiary", "St Andrew's Church"},
                                {"capacity", 6},
                                {"days_available", weekdays},
                                {"indoor", true}},
                               {{"name", "Cemetery grounds"},
                                {"kind", "group"},
                                {"address", "Newbattle Cemetery, EH22 3LL"},
                                {"beneficiary", "Council bereavement services"},
                                {"capacity", 10},
                                {"days_available", weekdays}},
                               {{"name", "Food bank warehouse"},
                                {"kind", "group"},
                                {"address", "Unit 4, Eskbank Trading Estate, EH22 3ND"},
                                {"beneficiary", "Midlothian Food Bank"},
                                {"capacity", 8},
                                {"days_available", weekdays},
                                {"indoor", true},
                                {"flags", {"vulnerable_adults_present"}}},
                               {{"name", "Care home garden"},
                                {"kind", "group"},
                                {"address", "Newbyres Village, Gorebridge EH23 4TT"},
                                {"beneficiary", "Newbyres care home"},
                                {"capacity", 5},
                                {"days_available", weekdays},
                                {"flags", {"vulnerable_adults_present"}}},
                               {{"name", "Community woodland"},
                                {"kind", "group"},
                                {"address", "Vogrie Country Park, EH23 4NU"},
                                {"beneficiary", "Friends of Vogrie"},
                                {"capacity", 10},
                                {"days_available", weekdays}},
                               {{"name", "Allotment society"},
                                {"kind", "group"},
                                {"address", "Bonnyrigg Allotments, EH19 3HS"},
                                {"beneficiary", "Bonnyrigg Allotment Society"},
                                {"capacity", 5},
                                {"days_available", weekdays},
                                {"flags", {"seated_light_duties"}}},
                               {{"name", "Charity shop"},
                                {"kind", "individual"},
                                {"address", "High Street, Penicuik EH26 8HS"},
                                {"beneficiary", "Chest Heart & Stroke shop"},
                                {"capacity", 2},
                                {"days_available", weekdays},
                                {"indoor", true}},
                               {{"name", "Base workshop: furniture restoration"},
                                {"kind", "at_base_workshop"},
                                {"address", "Unpaid Work base, Eskbank EH22 3AA"},
                                {"capacity", 10},
                                {"days_available", weekdays},
                                {"indoor", true}},
                               {{"name", "Evening workshop: bird boxes and benches"},
                                {"kind", "evening_workshop"},
                                {"address", "Unpaid Work base, Eskbank EH22 3AA"},
                                {"capacity", 10},
                                {"days_available", {"mon", "tue", "wed", "thu"}},
                                {"indoor", true},
                                {"notes", "runs four nights a week, 18:00-21:00"}},
                               {{"name", "CV writing and job search"},
                                {"kind", "other_activity"},
                                {"address", "Learning room, Dalkeith library EH22 1DP"},
                                {"beneficiary", "Other activity (counts toward the 30% cap)"},
                                {"capacity", 6},
                                {"days_available", {"tue", "thu"}},
                                {"indoor", true}}};
    for (const auto& p : placements) {
      auto id = Create("placements", p);
      if (!id.ok()) return id.status();
      placements_.push_back(*id);
    }
    report_.supervisors = 6;
    report_.vans = 3;
    report_.placements = 12;
    return Status::Ok();
  }

  Status People() {
    for (int i = 0; i < 120; ++i) {
      json person = {{"first_name", kFirst[static_cast<std::size_t>(Pick(40))]},
                     {"last_name", kLast[static_cast<std::size_t>(Pick(40))]},
                     {"date_of_birth",
                      domain::FormatDate(domain::AddDays(today_, -(17 * 365 + Pick(40 * 365))))},
                     {"phone", "07700 9" + std::to_string(10000 + i)}};
      if (i % 9 == 0) person["risk_flags"] = {"no_contact_children"};
      if (i % 23 == 0) person["risk_flags"] = {"no_contact_vulnerable_adults", "medical_needs"};
      if (i % 31 == 5)
        person["welfare_notes"] = "Insulin dependent: allow a food break mid-morning.";
      if (i % 40 == 7 && !people_.empty()) person["keep_apart"] = {people_.back()};
      auto id = Create("service-users", person);
      if (!id.ok()) return id.status();
      people_.push_back(*id);
      const std::string stage = kStages[static_cast<std::size_t>(i) % kStages.size()];
      const int hours = std::array<int, 8>{
          40, 60, 80, 100, 120, 150, 200, 250}[static_cast<std::size_t>(Pick(8))];
      const int age = stage == std::string("awaiting_induction") ? Pick(6) : 20 + Pick(130);
      const auto imposed = domain::AddDays(today_, -age);
      json order = {{"service_user_id", *id},
                    {"court", i % 3 ? "Edinburgh Sheriff Court" : "Jedburgh Sheriff Court"},
                    {"imposed_on", domain::FormatDate(imposed)},
                    {"hours_ordered", hours},
                    {"status", stage},
                    {"case_manager", i % 2 ? "Karen Rae" : "David Low"},
                    {"other_activity_allowed", i % 11 != 0}};
      if (stage != std::string("awaiting_induction") || Chance(50)) {
        order["first_seen_on"] = domain::FormatDate(domain::AddDays(imposed, Pick(9)));
      }
      auto oid = Create("orders", order);
      if (!oid.ok()) return oid.status();
      if (stage != std::string("completed") && stage != std::string("revoked") &&
          stage != std::string("transferred") && stage != std::string("suspended")) {
        workers_.push_back(*id);
      }
    }
    report_.service_users = 120;
    report_.orders = 120;
    return Status::Ok();
  }

  // Allocates up to `want` people who may work here; the rules in domain/allocation_rules.h refuse
  // some (full van, risk flags, keep-apart), and those are simply skipped as a planner would.
  Result<std::vector<std::string>> Fill(const std::string& group, int want) {
    std::vector<std::string> in;
    for (int tries = 0; tries < 40 && static_cast<int>(in.size()) < want; ++tries) {
      const std::string& who =
          workers_[static_cast<std::size_t>(Pick(static_cast<int>(workers_.size())))];
      json body = {
          {"service_user_id", who},
          {"pickup_point",
           std::array<const char*, 4>{"Dalkeith bus station", "Bonnyrigg toll", "Penicuik Co-op",
                                      "Base"}[static_cast<std::size_t>(Pick(4))]},
          {"pickup_time", "08:" + std::to_string(10 + 5 * Pick(8))}};
      auto r = AddAllocation(s_, planner_, group, body);
      if (r.ok()) {
        in.push_back(who);
        report_.allocations++;
      } else if (r.status().code() != Code::kConflict && r.status().code() != Code::kInvalid) {
        return r.status();
      }
    }
    return in;
  }

  Status Attend(const std::string& group, domain::Date day, int start, int end,
                const std::vector<std::string>& people, bool weather_day) {
    for (const auto& who : people) {
      const int roll = Pick(100);
      json body = {{"service_user_id", who}};
      if (weather_day) {
        body.update({{"outcome", "sent_home_service"},
                     {"sign_in", Ts(day, start)},
                     {"sign_out", Ts(day, start + 90)},
                     {"note", "Stood down: heavy rain, site unsafe"}});
      } else if (roll < 62) {
        body.update({{"outcome", "attended_complied"},
                     {"sign_in", Ts(day, start + Pick(3) * 5)},
                     {"sign_out", Ts(day, end)},
                     {"break_minutes", end - start > 240 ? 30 : 0}});
      } else if (roll < 70) {
        body.update({{"outcome", "attended_complied"},
                     {"sign_in", Ts(day, start + 35)},
                     {"sign_out", Ts(day, end - 60)},
                     {"break_minutes", 30},
                     {"note", "Arrived late (bus), left early for an appointment"}});
      } else if (roll < 76) {
        body.update({{"outcome", "attended_failed_to_comply"},
                     {"sign_in", Ts(day, start)},
                     {"sign_out", Ts(day, end)},
                     {"break_minutes", 30},
                     {"penalty_minutes", 60},
                     {"note", "Refused instructions twice after lunch"}});
      } else if (roll < 86) {
        body.update({{"outcome", "unacceptable_absence"}, {"note", "No contact"}});
      } else if (roll < 93) {
        body.update({{"outcome", "acceptable_absence"},
                     {"absence_reason", "medical"},
                     {"note", "Phoned in sick; line to follow"}});
      } else if (roll < 97) {
        body.update({{"outcome", "acceptable_absence"}, {"absence_reason", "employment"}});
      } else {
        body.update({{"outcome", "rescheduled"}, {"absence_reason", "person_request"}});
      }
      auto r = RecordAttendance(s_, planner_, group, body);
      if (!r.ok())
        return Status::Error(r.status().code(), r.status().field(),
                             "demo attendance: " + r.status().message());
      report_.attendance_records++;
      recorded_.emplace_back(group, r->record["record_id"].get<std::string>());
    }
    return Status::Ok();
  }

  Status Groups() {
    // Two weeks of history, today, and the next week: daytime groups with a van on weekdays, the
    // evening workshop Monday to Thursday.
    for (int offset = -14; offset <= 7; ++offset) {
      const auto day = domain::AddDays(today_, offset);
      const int wd = domain::Weekday(day);
      if (wd == 0 || wd == 6) continue;
      const bool past = offset < 0;
      const bool weather = offset == -9;
      for (int g = 0; g < 5; ++g) {
        const int sup = (g + offset + 14) % 6;
        const std::string place = placements_[static_cast<std::size_t>(
            std::array<int, 5>{0, 2, 3, 6, 9}[static_cast<std::size_t>((g + offset + 14) % 5)])];
        json group = {{"session_date", domain::FormatDate(day)},
                      {"starts_at", "09:00"},
                      {"ends_at", "16:00"},
                      {"placement_id", place},
                      {"supervisor_id", supervisors_[static_cast<std::size_t>(sup)]}};
        if (g < 3) group["van_id"] = vans_[static_cast<std::size_t>(g)];
        auto id = Create("work-groups", group);
        if (!id.ok()) return id.status();
        report_.work_groups++;
        auto in = Fill(*id, 2 + Pick(4));
        if (!in.ok()) return in.status();
        if (past) {
          if (Status st = Attend(*id, day, 9 * 60, 16 * 60, *in, weather && g == 0); !st.ok())
            return st;
        }
      }
      if (wd >= 1 && wd <= 4) {
        auto id = Create("work-groups",
                         {{"session_date", domain::FormatDate(day)},
                          {"starts_at", "18:00"},
                          {"ends_at", "21:00"},
                          {"placement_id", placements_[10]},
                          {"supervisor_id", supervisors_[static_cast<std::size_t>((wd + 1) % 6)]}});
        if (!id.ok()) return id.status();
        report_.work_groups++;
        auto in = Fill(*id, 3 + Pick(3));
        if (!in.ok()) return in.status();
        if (past) {
          if (Status st = Attend(*id, day, 18 * 60, 21 * 60, *in, false); !st.ok()) return st;
        }
      }
    }
    if (recorded_.size() > 10) {
      // One correction with its reason, and one record voided as entered against the wrong person.
      const auto& [group, record] = recorded_.back();
      auto amended =
          AmendAttendance(s_, planner_, group, record,
                          {{"outcome", "acceptable_absence"},
                           {"absence_reason", "family"},
                           {"reason", "Childcare fell through; confirmed by phone next morning"}});
      if (!amended.ok()) return amended.status();
      const auto& [void_group, void_record] = recorded_[recorded_.size() / 2];
      auto voided = VoidAttendance(s_, planner_, void_group, void_record,
                                   {{"reason", "Entered against the wrong person"}});
      if (!voided.ok()) return voided.status();
    }
    return Status::Ok();
  }

  Status Accounts() {
    std::vector<json> accounts = {
        {{"username", "planner"}, {"display_name", "Base planner"}, {"role", "planner"}},
        {{"username", "admin"}, {"display_name", "Administrator"}, {"role", "admin"}}};
    for (int i = 0; i < 6; ++i) {
      accounts.push_back({{"username", "supervisor" + std::to_string(i + 1)},
                          {"role", "supervisor"},
                          {"supervisor_id", supervisors_[static_cast<std::size_t>(i)]}});
    }
    for (auto& a : accounts) {
      a["password"] = "demo";  // demo only: the server warns at every start of a demo database
      auto r = auth_.CreateUser(SystemActor(), a, /*enforce_policy=*/false);
      if (!r.ok()) return r.status();
      report_.accounts++;
    }
    return Status::Ok();
  }

  const Services& s_;
  Auth& auth_;
  domain::Date today_;
  std::mt19937 rng_;
  const Actor planner_{"", "demo-seed", Role::kPlanner, std::nullopt};
  DemoReport report_;
  std::vector<std::string> supervisors_, vans_, placements_, people_, workers_;
  std::vector<std::pair<std::string, std::string>> recorded_;  // (group, record)
};

}  // namespace

Result<DemoReport> SeedDemo(const Services& s, Auth& auth, domain::Date today, unsigned seed) {
  {
    auto lease = s.reads.Acquire();
    auto& st = lease->Prepare(
        "SELECT (SELECT count(*) FROM placement) + (SELECT count(*) FROM service_user)");
    if (st.Step() && st.Int(0) > 0) {
      return Status::Error(Code::kConflict, "database", "the database already holds an authority");
    }
  }
  return Seeder(s, auth, today, seed).Run();
}

}  // namespace upw::app
