// upw: the UPW Field device service and its administration commands.
#include <malloc.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "app/demo.h"
#include "app/runtime.h"
#include "http/api.h"
#include "http/server.h"
#include "jobs/housekeeping.h"
#include "ui/pages.h"

namespace {

using upw::Status;

int Fail(const Status& s) {
  spdlog::error("{}{}{}", s.field().empty() ? "" : s.field(), s.field().empty() ? "" : ": ",
                s.message());
  return 1;
}

std::unique_ptr<upw::app::Runtime> OpenOrDie(const std::string& db, int readers, int& rc) {
  auto rt = upw::app::Runtime::Open(db, readers);
  if (!rt.ok()) {
    rc = Fail(rt.status());
    return nullptr;
  }
  if ((*rt)->migrated_from != (*rt)->schema_version) {
    spdlog::info("database {} migrated from schema {} to {}", db, (*rt)->migrated_from,
                 (*rt)->schema_version);
  }
  return std::move(rt).value();
}

int SeedDemo(upw::app::Runtime& rt) {
  if (!rt.IsEmpty()) {
    spdlog::info("database already holds an authority; demo data not added");
    return 0;
  }
  const auto today = upw::domain::UkLocalDate(rt.clock.NowSeconds());
  auto report = upw::app::SeedDemo(*rt.services, *rt.auth, today);
  if (!report.ok()) return Fail(report.status());
  spdlog::info(
      "demo authority seeded: {} supervisors, {} vans, {} placements, {} service users, {} orders, "
      "{} work groups, {} allocations, {} attendance records, {} accounts",
      report->supervisors, report->vans, report->placements, report->service_users, report->orders,
      report->work_groups, report->allocations, report->attendance_records, report->accounts);
  return 0;
}

bool HasDemoAccounts(upw::app::Runtime& rt) {
  auto lease = rt.reads->Acquire();
  auto& st = lease->Prepare("SELECT 1 FROM audit WHERE username = 'demo-seed' LIMIT 1");
  return st.Step();
}

int Serve(const std::string& db, const std::string& listen, bool demo, int threads,
          const std::string& port_file, std::int64_t lock_after) {
  // glibc gives every thread that allocates its own arena, and each keeps what it freed: with one
  // CivetWeb worker per connection that alone would break the 32 MB budget on a Pi. Two suffice.
  mallopt(M_ARENA_MAX, 2);
  int rc = 0;
  // Four readers keep both cores busy; each holds its own page cache, so more only cost memory.
  auto rt = OpenOrDie(db, 4, rc);
  if (!rt) return rc;
  if (demo && (rc = SeedDemo(*rt)) != 0) return rc;
  if (HasDemoAccounts(*rt)) {
    spdlog::warn(
        "this database was seeded with --demo: accounts planner, supervisor1-6 and admin have the "
        "password 'demo'. Never use it for real people.");
  }
  rt->auth->set_lock_after(lock_after);
  upw::http::Api api(*rt->services, *rt->auth);
  upw::ui::Pages pages(*rt->services, *rt->auth, lock_after);
  auto server = upw::http::Server::Start(
      {listen, threads}, [&api](const upw::http::Request& r) { return api.Handle(r); },
      [&pages](const upw::http::Request& r) { return pages.Handle(r); });
  if (!server.ok()) return Fail(server.status());
  boost::asio::io_context io;
  auto jobs = upw::jobs::Housekeeping::Start(io, db, *rt->writer);
  if (!jobs.ok()) return Fail(jobs.status());
  spdlog::info("upw serve: listening on http://{}:{} (database {}, device {})",
               listen.substr(0, listen.rfind(':')), (*server)->port(), db, rt->writer->device_id());
  if (!port_file.empty()) std::ofstream(port_file) << (*server)->port() << "\n";

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    spdlog::info("signal {}: stopping", sig);
    io.stop();
  });
  io.run();

  // CivetWeb's mg_stop can take seconds while idle keep-alive connections time out. Every
  // acknowledged write is already durable, so give in-flight requests a moment, then stop the
  // writer (queued actions still commit; later ones are refused, never acknowledged) and exit.
  std::mutex mu;
  std::condition_variable cv;
  bool stopped = false;
  std::thread stopper([&] {
    (*server)->Stop();
    std::lock_guard<std::mutex> lock(mu);
    stopped = true;
    cv.notify_one();
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::milliseconds(1500), [&] { return stopped; });
  }
  rt->Close();
  if (Status s = (*jobs)->FinalCheckpoint(); !s.ok()) spdlog::warn("checkpoint: {}", s.message());
  spdlog::info("stopped");
  if (!stopped) {
    stopper.detach();
    std::_Exit(0);
  }
  stopper.join();
  return 0;
}

std::string ReadPasswordFromStdin() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) {
    std::cerr << "upw: libsodium failed to initialise\n";
    return 1;
  }
  CLI::App cli{"UPW Field: unpaid work scheduling on the device"};
  cli.require_subcommand(1);
  std::string db = "upw.db";

  auto* serve = cli.add_subcommand("serve", "run the device service");
  std::string listen = "127.0.0.1:8080";
  std::string port_file;
  bool demo = false;
  int threads = 96;
  serve->add_option("--db", db, "SQLite database file")->capture_default_str();
  serve->add_option("--listen", listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  serve->add_flag("--demo", demo, "seed an empty database with a demo authority");
  serve->add_option("--threads", threads, "HTTP worker threads (one per open connection)")
      ->check(CLI::Range(4, 1024))
      ->capture_default_str();
  serve->add_option("--port-file", port_file, "write the bound port to this file once listening");
  std::int64_t lock_after = 300;
  serve
      ->add_option("--lock-after", lock_after,
                   "seconds of idle before a person's session locks until their PIN (0: never)")
      ->check(CLI::Range(0, 24 * 3600))
      ->capture_default_str();

  auto* migrate = cli.add_subcommand("migrate", "create or upgrade the database schema");
  migrate->add_option("--db", db, "SQLite database file")->capture_default_str();

  auto* demo_cmd = cli.add_subcommand("demo", "seed an empty database with a demo authority");
  demo_cmd->add_option("--db", db, "SQLite database file")->capture_default_str();

  auto* user = cli.add_subcommand("user", "manage accounts (password read from standard input)");
  user->require_subcommand(1);
  std::string username, role, supervisor_id, display_name;
  auto* add = user->add_subcommand("add", "add an account");
  add->add_option("--db", db, "SQLite database file")->capture_default_str();
  add->add_option("--username", username)->required();
  add->add_option("--role", role, "supervisor, planner, admin or device")->required();
  add->add_option("--supervisor-id", supervisor_id, "for supervisors: their supervisor record");
  add->add_option("--display-name", display_name);
  auto* reset = user->add_subcommand("reset-password", "set a new password");
  reset->add_option("--db", db, "SQLite database file")->capture_default_str();
  reset->add_option("--username", username)->required();

  CLI11_PARSE(cli, argc, argv);

  if (serve->parsed()) return Serve(db, listen, demo, threads, port_file, lock_after);
  int rc = 0;
  auto rt = OpenOrDie(db, 2, rc);
  if (!rt) return rc;
  if (migrate->parsed()) {
    spdlog::info("database {} is at schema version {}", db, rt->schema_version);
  } else if (demo_cmd->parsed()) {
    rc = SeedDemo(*rt);
  } else if (add->parsed()) {
    nlohmann::json body = {{"username", username},
                           {"role", role},
                           {"password", ReadPasswordFromStdin()},
                           {"display_name", display_name.empty() ? username : display_name}};
    if (!supervisor_id.empty()) body["supervisor_id"] = supervisor_id;
    auto created = rt->auth->CreateUser(upw::app::SystemActor(), body);
    rc = created.ok() ? 0 : Fail(created.status());
    if (created.ok()) spdlog::info("account {} added as {}", username, role);
  } else if (reset->parsed()) {
    Status s = rt->auth->SetPassword(upw::app::SystemActor(), username,
                                     {{"password", ReadPasswordFromStdin()}});
    rc = s.ok() ? 0 : Fail(s);
    if (s.ok()) spdlog::info("password of {} changed; their sessions have ended", username);
  }
  rt->Close();
  return rc;
}
