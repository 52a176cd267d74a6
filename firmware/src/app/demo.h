// A realistic demo authority (issue 2): vans, supervisors, placements including an at-base
// workshop and evening workshops four nights a week, about 120 people with orders at every stage,
// two weeks of history and the coming week planned. Seeded through the ordinary use cases, so
// every row has its audit and outbox rows.
#pragma once

#include "app/auth.h"
#include "app/services.h"
#include "domain/civil_time.h"

namespace upw::app {

struct DemoReport {
  int supervisors = 0;
  int vans = 0;
  int placements = 0;
  int service_users = 0;
  int orders = 0;
  int work_groups = 0;
  int allocations = 0;
  int attendance_records = 0;
  int accounts = 0;
};

// Seeds an empty database around `today` (a UK local date). Conflict (field "database") if it
// already holds placements or people. Deterministic for a given seed apart from ids and times.
Result<DemoReport> SeedDemo(const Services& s, Auth& auth, domain::Date today,
                            unsigned seed = 2026);

}  // namespace upw::app
