// What every use case needs: the single writer, the read connections, the clock and the profile.
#pragma once

#include "common/clock.h"
#include "domain/profile.h"
#include "store/read_pool.h"
#include "store/writer.h"

namespace upw::app {

struct Services {
  store::Writer& writer;
  store::ReadPool& reads;
  const Clock& clock;
  const domain::Profile& profile;
};

}  // namespace upw::app
