// Background work on a Boost.Asio io_context, off the request path: WAL checkpoints (never inside
// a request, where they would spoil p99 latency) and expiry of old sign-in sessions. Later: the
// sync timer and nightly backup.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>

#include "store/db.h"
#include "store/writer.h"

namespace upw::jobs {

class Housekeeping {
 public:
  // Schedules the jobs on `io`; `db_path` is opened on a connection of its own for checkpoints.
  static Result<std::unique_ptr<Housekeeping>> Start(boost::asio::io_context& io,
                                                     const std::string& db_path,
                                                     store::Writer& writer);
  // A full checkpoint (TRUNCATE), for shutdown once the writer has stopped.
  Status FinalCheckpoint();

 private:
  Housekeeping(boost::asio::io_context& io, std::unique_ptr<store::Db> db, store::Writer& writer);
  void ScheduleCheckpoint();
  void ScheduleExpiry();
  std::unique_ptr<store::Db> db_;
  store::Writer& writer_;
  boost::asio::steady_timer checkpoint_timer_;
  boost::asio::steady_timer expiry_timer_;
};

}  // namespace upw::jobs
