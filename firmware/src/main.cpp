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
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>

#include "app/demo.h"
#include "app/runtime.h"
#include "device/device_sync.h"
#include "device/sync_loop.h"
#include "http/api.h"
#include "http/server.h"
#include "hub/hub_http.h"
#include "hub/hub_service.h"
#include "hub/tls.h"
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

// Stops the server without waiting on CivetWeb's slow mg_stop for more than 1.5 s (every
// acknowledged write is already durable), runs `finish` (close the writer, checkpoint), and answers
// the exit code: if mg_stop is still running, the process ends without waiting for it.
int StopServer(upw::http::Server& server, const std::function<void()>& finish) {
  std::mutex mu;
  std::condition_variable cv;
  bool stopped = false;
  std::thread stopper([&] {
    server.Stop();
    std::lock_guard<std::mutex> lock(mu);
    stopped = true;
    cv.notify_one();
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::milliseconds(1500), [&] { return stopped; });
  }
  finish();
  spdlog::info("stopped");
  bool done = false;
  {
    std::lock_guard<std::mutex> lock(mu);
    done = stopped;
  }
  if (!done) {
    stopper.detach();
    std::_Exit(0);
  }
  stopper.join();
  return 0;
}

int Hub(const std::string& where, const std::string& listen, int threads,
        const std::string& port_file, std::int64_t clock_offset_ms, const std::string& tls_cert) {
  mallopt(M_ARENA_MAX, 2);
  auto store = upw::sync::hub::OpenHubStore(where);
  if (!store.ok()) return Fail(store.status());
  upw::OffsetClock clock;
  clock.set_offset_ms(clock_offset_ms);
  upw::sync::hub::HubService hub(**store, clock);
  std::string pin;
  if (!tls_cert.empty()) {
    auto p = upw::sync::hub::PinOfCertificateFile(tls_cert);
    if (!p.ok()) return Fail(p.status());
    pin = *p;
  }
  if (Status s = hub.SetTlsPin(pin); !s.ok()) return Fail(s);
  auto handler = [&hub](const upw::http::Request& r) {
    return upw::sync::hub::HandleHubRequest(hub, r);
  };
  auto server = upw::http::Server::Start({listen, threads, tls_cert}, handler, handler);
  if (!server.ok()) return Fail(server.status());
  spdlog::info("upw hub: listening on {}://{}:{} (store {}){}", pin.empty() ? "http" : "https",
               listen.substr(0, listen.rfind(':')), (*server)->port(),
               where.rfind("postgres", 0) == 0 ? "PostgreSQL" : where,
               pin.empty() ? " without TLS: for a test network only" : ", key " + pin);
  if (!port_file.empty()) std::ofstream(port_file) << (*server)->port() << "\n";
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    spdlog::info("signal {}: stopping", sig);
    io.stop();
  });
  io.run();
  return StopServer(**server, [] {});
}

int HubAdmin(
    const std::string& where,
    const std::function<upw::Result<nlohmann::json>(upw::sync::hub::HubService&)>& command) {
  auto store = upw::sync::hub::OpenHubStore(where);
  if (!store.ok()) return Fail(store.status());
  upw::SystemClock clock;
  upw::sync::hub::HubService hub(**store, clock);
  auto out = command(hub);
  if (!out.ok()) return Fail(out.status());
  std::cout << out->dump(2) << "\n";
  return 0;
}

int Serve(const std::string& db, const std::string& listen, bool demo, int threads,
          const std::string& port_file, std::int64_t lock_after, std::int64_t clock_offset_ms,
          int sync_interval_s) {
  // glibc gives every thread that allocates its own arena, and each keeps what it freed: with one
  // CivetWeb worker per connection that alone would break the 32 MB budget on a Pi. Two suffice.
  mallopt(M_ARENA_MAX, 2);
  int rc = 0;
  // Four readers keep both cores busy; each holds its own page cache, so more only cost memory.
  auto rt = OpenOrDie(db, 4, rc);
  if (!rt) return rc;
  rt->clock.set_offset_ms(clock_offset_ms);
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

  upw::sync::DeviceSync device_sync(*rt->services);
  upw::sync::LoopOptions loop_options;
  loop_options.interval = std::chrono::seconds(sync_interval_s);
  upw::sync::SyncLoop sync_loop(device_sync, rt->clock, loop_options);
  api.set_sync(&device_sync);
  pages.set_sync(&device_sync);
  sync_loop.Start();

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    spdlog::info("signal {}: stopping", sig);
    io.stop();
  });
  io.run();

  // CivetWeb's mg_stop can take seconds while idle keep-alive connections time out. Every
  // acknowledged write is already durable, so give in-flight requests a moment, then stop the
  // writer (queued actions still commit; later ones are refused, never acknowledged) and exit.
  sync_loop.Stop();
  return StopServer(**server, [&] {
    rt->Close();
    if (Status s = (*jobs)->FinalCheckpoint(); !s.ok()) spdlog::warn("checkpoint: {}", s.message());
  });
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

  std::int64_t clock_offset_ms = 0;
  serve->add_option("--clock-offset-ms", clock_offset_ms, "shift this device's clock (tests)")
      ->group("");
  int sync_interval = 30;
  serve->add_option("--sync-interval", sync_interval, "seconds between syncs while the hub answers")
      ->check(CLI::Range(1, 24 * 3600))
      ->capture_default_str();

  auto* hub = cli.add_subcommand("hub", "run the head office's sync hub, or administer it");
  hub->require_subcommand(0, 1);
  std::string hub_db = "hub.db";
  std::string hub_listen = "127.0.0.1:8443";
  hub->add_option("--db", hub_db, "hub store: a SQLite file or a postgresql:// URL")
      ->capture_default_str();
  hub->add_option("--listen", hub_listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  hub->add_option("--port-file", port_file, "write the bound port to this file once listening");
  hub->add_option("--threads", threads, "HTTP worker threads")->check(CLI::Range(4, 1024));
  hub->add_option("--clock-offset-ms", clock_offset_ms, "shift the hub's clock (tests)")->group("");
  std::string tls_cert;
  hub->add_option("--tls-cert", tls_cert, "PEM file with the hub's key and certificate (https)");
  auto* hub_tls = hub->add_subcommand("tls-cert", "make the hub a key and self-signed certificate");
  std::string cert_name = "upw-hub";
  hub_tls->add_option("--out", tls_cert, "PEM file to write (key and certificate)")->required();
  hub_tls->add_option("--name", cert_name, "the certificate's common name")->capture_default_str();
  std::string device_name, device_kind = "van", van_id, device_id;
  auto* hub_code = hub->add_subcommand("code", "issue a one-time enrolment code (10 minutes)");
  hub_code->add_option("--db", hub_db, "hub store")->capture_default_str();
  hub_code->add_option("--name", device_name, "the device's name, e.g. \"Van 3 tablet\"")
      ->required();
  hub_code->add_option("--kind", device_kind, "van (its van's groups) or base (everything)")
      ->capture_default_str();
  hub_code->add_option("--van-id", van_id, "for a van device: its van's id");
  auto* hub_revoke = hub->add_subcommand("revoke", "revoke a device's credential");
  hub_revoke->add_option("--db", hub_db, "hub store")->capture_default_str();
  hub_revoke->add_option("--device", device_id, "the device's id")->required();
  auto* hub_devices = hub->add_subcommand("devices", "list enrolled devices");
  hub_devices->add_option("--db", hub_db, "hub store")->capture_default_str();
  auto* hub_conflicts = hub->add_subcommand("conflicts", "list the conflict inbox");
  hub_conflicts->add_option("--db", hub_db, "hub store")->capture_default_str();

  auto* enrol = cli.add_subcommand("enrol", "enrol this device with the hub using a one-time code");
  std::string hub_url, code;
  enrol->add_option("--db", db, "SQLite database file")->capture_default_str();
  enrol->add_option("--hub", hub_url, "the hub's address, e.g. https://hub.example:8443")
      ->required();
  enrol->add_option("--code", code, "the one-time code from head office")->required();
  std::string pin;
  enrol->add_option("--pin", pin, "the hub's key pin (sha256//...) from head office, for https");

  auto* sync_cmd = cli.add_subcommand("sync", "sync with the hub now and print what happened");
  bool now = false;
  sync_cmd->add_option("--db", db, "SQLite database file")->capture_default_str();
  sync_cmd->add_flag("--now", now, "run one whole exchange now (with a scope check)")->required();
  sync_cmd->add_option("--clock-offset-ms", clock_offset_ms, "shift this device's clock (tests)")
      ->group("");

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

  if (serve->parsed()) {
    return Serve(db, listen, demo, threads, port_file, lock_after, clock_offset_ms, sync_interval);
  }
  if (hub_code->parsed()) {
    return HubAdmin(hub_db, [&](upw::sync::hub::HubService& h) -> upw::Result<nlohmann::json> {
      auto c = h.IssueCode(device_name, device_kind, van_id);
      if (!c.ok()) return c.status();
      auto key = h.TlsPin();
      if (!key.ok()) return key.status();
      return nlohmann::json{
          {"code", *c}, {"name", device_name}, {"expires_in_minutes", 10}, {"pin", *key}};
    });
  }
  if (hub_revoke->parsed()) {
    return HubAdmin(hub_db, [&](upw::sync::hub::HubService& h) -> upw::Result<nlohmann::json> {
      if (Status s = h.Revoke(device_id); !s.ok()) return s;
      return nlohmann::json{{"revoked", device_id}};
    });
  }
  if (hub_devices->parsed()) {
    return HubAdmin(hub_db, [](upw::sync::hub::HubService& h) { return h.Devices(); });
  }
  if (hub_conflicts->parsed()) {
    return HubAdmin(hub_db, [](upw::sync::hub::HubService& h) { return h.Conflicts(); });
  }
  if (hub_tls->parsed()) {
    if (Status s = upw::sync::hub::WriteSelfSignedCertificate(tls_cert, cert_name); !s.ok()) {
      return Fail(s);
    }
    auto key = upw::sync::hub::PinOfCertificateFile(tls_cert);
    if (!key.ok()) return Fail(key.status());
    std::cout << nlohmann::json{{"certificate", tls_cert}, {"pin", *key}}.dump(2) << "\n";
    return 0;
  }
  if (hub->parsed()) return Hub(hub_db, hub_listen, threads, port_file, clock_offset_ms, tls_cert);
  int rc = 0;
  auto rt = OpenOrDie(db, 2, rc);
  if (!rt) return rc;
  rt->clock.set_offset_ms(clock_offset_ms);
  if (enrol->parsed()) {
    upw::sync::DeviceSync device_sync(*rt->services);
    auto out = device_sync.Enrol(hub_url, code, pin);
    rc = out.ok() ? 0 : Fail(out.status());
    if (out.ok()) std::cout << out->dump(2) << "\n";
  } else if (sync_cmd->parsed()) {
    upw::sync::DeviceSync device_sync(*rt->services);
    const auto report = device_sync.SyncOnce(true);
    std::cout << report.ToJson().dump(2) << "\n";
    rc = report.ok ? 0 : 1;
  } else if (migrate->parsed()) {
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
