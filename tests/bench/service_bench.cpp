// Side-by-side benchmarks of the device service against baselines measured in the same run, on
// the same disk (issue 2):
//   - raw fdatasync latency of a 4 KiB write, and raw one-row SQLite inserts (WAL,
//   synchronous=FULL)
//   - attendance writes through the HTTP API at 1, 8 and 64 concurrent clients (keep-alive)
//   - GET of a 12-person register against nginx serving a small static file (wrk, 8 connections)
//   - resident memory under that load, and start-up time with migrations
// Run: build/tests/bench/upw_service_bench  (prints a summary with ratios and targets at the end).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "app/allocations.h"
#include "app/attendance.h"
#include "app/resource.h"
#include "app/runtime.h"
#include "domain/civil_time.h"
#include "http_client.h"
#include "server_process.h"

namespace {

using nlohmann::json;
using upw::testing::HttpClient;
using Clock = std::chrono::steady_clock;

std::map<std::string, double> g_figures;  // name -> value, for the summary
upw::testing::TempDir* g_dir = nullptr;

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// --- Baselines -------------------------------------------------------------------------------

void BM_RawFdatasync(benchmark::State& state) {
  const std::string path = g_dir->file("fsync.bin");
  const int fd = open(path.c_str(), O_CREAT | O_WRONLY, 0600);
  char block[4096] = {};
  std::vector<double> ms;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    if (pwrite(fd, block, sizeof block, 0) != sizeof block || fdatasync(fd) != 0)
      state.SkipWithError("io");
    ms.push_back(Seconds(Clock::now() - t0) * 1e3);
  }
  close(fd);
  state.counters["p50_ms"] = Percentile(ms, 0.50);
  state.counters["p99_ms"] = Percentile(ms, 0.99);
  g_figures["fdatasync_p99_ms"] = Percentile(ms, 0.99);
  g_figures["fdatasync_p50_ms"] = Percentile(ms, 0.50);
}

void BM_RawSqliteInsert(benchmark::State& state) {
  const std::string path = g_dir->file("raw.db");
  auto db = upw::store::Db::Open(path, {}).value();
  (void)db->Exec("CREATE TABLE IF NOT EXISTS t (id TEXT PRIMARY KEY, body TEXT NOT NULL)");
  const std::string body(300, 'x');  // about the size of an attendance event's facts
  std::int64_t n = 0;
  const auto t0 = Clock::now();
  for (auto _ : state) {
    auto& st = db->Prepare("INSERT INTO t VALUES (?, ?)");
    if (!st.Bind(1, std::to_string(n++)).Bind(2, body).Run().ok()) state.SkipWithError("insert");
  }
  const double rate = static_cast<double>(n) / Seconds(Clock::now() - t0);
  state.counters["rows_per_s"] = rate;
  g_figures["raw_insert_per_s"] = rate;
}

// --- The service ----------------------------------------------------------------------------

struct Slot {
  std::string group, person, in, out;
};

struct Service {
  std::string db;
  std::unique_ptr<upw::testing::ServerProcess> server;
  std::vector<Slot> slots;  // (group, person) pairs with no attendance yet
  std::atomic<std::size_t> next{0};
  std::string register_group;  // 12 people
};
Service* g_service = nullptr;

std::string Id(const upw::Result<upw::app::Entity>& r) {
  if (!r.ok()) {
    std::fprintf(stderr, "setup failed: %s %s\n", r.status().field().c_str(),
                 r.status().message().c_str());
    std::abort();
  }
  return r->body["id"];
}

// Builds, in-process through the ordinary use cases: 20 supervisors with one group a day each for
// 40 past days, 100 people allocated five to a group (4,000 attendance slots), and one 12-person
// group for the register read.
void BuildService() {
  g_service = new Service();
  g_service->db = g_dir->file("service.db");
  auto rt = upw::app::Runtime::Open(g_service->db).value();
  const upw::app::Actor planner{"", "bench", upw::app::Role::kPlanner, std::nullopt};
  const auto& s = *rt->services;
  const auto today = upw::domain::UkLocalDate(rt->clock.NowSeconds());
  const std::string place = Id(upw::app::CreateEntity(s, planner, upw::app::Spec("placements"),
                                                      {{"name", "Garden"},
                                                       {"kind", "group"},
                                                       {"address", "1 High St"},
                                                       {"capacity", 20},
                                                       {"max_per_supervisor", 12}}));
  std::vector<std::string> sups, people;
  for (int i = 0; i < 21; ++i) {
    sups.push_back(Id(upw::app::CreateEntity(s, planner, upw::app::Spec("supervisors"),
                                             {{"name", "Sup " + std::to_string(i)}})));
  }
  for (int i = 0; i < 112; ++i) {
    people.push_back(Id(upw::app::CreateEntity(
        s, planner, upw::app::Spec("service-users"),
        {{"first_name", "P"}, {"last_name", std::to_string(i)}, {"date_of_birth", "1990-01-01"}})));
    Id(upw::app::CreateEntity(
        s, planner, upw::app::Spec("orders"),
        {{"service_user_id", people.back()},
         {"court", "Court"},
         {"hours_ordered", 300},
         {"status", "active"},
         {"imposed_on", upw::domain::FormatDate(upw::domain::AddDays(today, -60))}}));
  }
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < 20; ++t) {
    threads.emplace_back([&, t] {
      for (int day = 1; day <= 40; ++day) {
        const auto date = upw::domain::AddDays(today, -day);
        const std::string group =
            Id(upw::app::CreateEntity(s, planner, upw::app::Spec("work-groups"),
                                      {{"session_date", upw::domain::FormatDate(date)},
                                       {"starts_at", "09:00"},
                                       {"ends_at", "16:00"},
                                       {"placement_id", place},
                                       {"supervisor_id", sups[static_cast<std::size_t>(t)]},
                                       {"capacity", 5}}));
        for (int k = 0; k < 5; ++k) {
          const std::string person = people[static_cast<std::size_t>(t * 5 + k)];
          if (!upw::app::AddAllocation(s, planner, group, {{"service_user_id", person}}).ok())
            std::abort();
          std::lock_guard<std::mutex> lock(mu);
          g_service->slots.push_back(
              {group, person,
               upw::domain::FormatTimestamp(upw::domain::UkLocalToUtc(date, 9 * 60 + k)),
               upw::domain::FormatTimestamp(upw::domain::UkLocalToUtc(date, 15 * 60 + 30))});
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto date = upw::domain::AddDays(today, -1);
  g_service->register_group =
      Id(upw::app::CreateEntity(s, planner, upw::app::Spec("work-groups"),
                                {{"session_date", upw::domain::FormatDate(date)},
                                 {"starts_at", "17:00"},
                                 {"ends_at", "20:00"},
                                 {"placement_id", place},
                                 {"supervisor_id", sups[20]},
                                 {"capacity", 12}}));
  for (int k = 0; k < 12; ++k) {
    const std::string person = people[static_cast<std::size_t>(100 + k)];
    if (!upw::app::AddAllocation(s, planner, g_service->register_group,
                                 {{"service_user_id", person}})
             .ok())
      std::abort();
    if (!upw::app::RecordAttendance(
             s, planner, g_service->register_group,
             {{"service_user_id", person},
              {"outcome", "attended_complied"},
              {"sign_in", upw::domain::FormatTimestamp(upw::domain::UkLocalToUtc(date, 17 * 60))},
              {"sign_out", upw::domain::FormatTimestamp(upw::domain::UkLocalToUtc(date, 20 * 60))}})
             .ok())
      std::abort();
  }
  // The benchmark signs in as a planner over HTTP.
  if (!rt->auth
           ->CreateUser(
               upw::app::SystemActor(),
               {{"username", "bench"}, {"role", "planner"}, {"password", "bench password"}})
           .ok())
    std::abort();
  rt->Close();
  std::shuffle(g_service->slots.begin(), g_service->slots.end(), std::mt19937(7));
  g_service->server = upw::testing::ServerProcess::Start(g_service->db);
}

void BM_ApiAttendanceWrites(benchmark::State& state) {
  const int clients = static_cast<int>(state.range(0));
  const std::size_t per_client = clients == 1 ? 300 : clients == 8 ? 150 : 20;
  std::vector<double> all_ms;
  double rate = 0;
  for (auto _ : state) {
    std::mutex mu;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    Clock::time_point t0;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&] {
        HttpClient client(g_service->server->url());
        if (!client.Login("bench", "bench password")) failures++;
        std::vector<double> ms;
        ready++;
        while (!go) std::this_thread::yield();
        for (std::size_t i = 0; i < per_client; ++i) {
          const std::size_t k = g_service->next++;
          if (k >= g_service->slots.size()) break;
          const Slot& slot = g_service->slots[k];
          const auto a = Clock::now();
          auto r = client.Post("/api/v1/work-groups/" + slot.group + "/attendance",
                               {{"service_user_id", slot.person},
                                {"outcome", "attended_complied"},
                                {"sign_in", slot.in},
                                {"sign_out", slot.out},
                                {"break_minutes", 30}});
          ms.push_back(Seconds(Clock::now() - a) * 1e3);
          if (r.status != 201) failures++;
        }
        std::lock_guard<std::mutex> lock(mu);
        all_ms.insert(all_ms.end(), ms.begin(), ms.end());
      });
    }
    while (ready < clients) std::this_thread::yield();
    t0 = Clock::now();
    go = true;
    for (auto& t : threads) t.join();
    rate = static_cast<double>(all_ms.size()) / Seconds(Clock::now() - t0);
    if (failures > 0) state.SkipWithError("some writes failed");
  }
  const std::string tag = std::to_string(clients);
  // How well the single writer batched: actions per transaction over the whole run so far.
  const json writer = HttpClient(g_service->server->url()).Get("/api/v1/health").json()["writer"];
  state.counters["actions_per_commit"] =
      writer["actions"].get<double>() / std::max(1.0, writer["batches"].get<double>());
  state.counters["writer_action_ms"] = writer["action_ms"].get<double>();
  state.counters["writer_commit_ms"] = writer["commit_ms"].get<double>();
  state.counters["writes_per_s"] = rate;
  state.counters["p50_ms"] = Percentile(all_ms, 0.5);
  state.counters["p99_ms"] = Percentile(all_ms, 0.99);
  g_figures["api_writes_per_s_" + tag] = rate;
  g_figures["api_p99_ms_" + tag] = Percentile(all_ms, 0.99);
}

// Runs wrk for 5 s at 8 connections and returns requests/s, or 0 if wrk is missing.
double Wrk(const std::string& url, const std::string& header) {
  std::string cmd = "wrk -t2 -c8 -d5s --latency " + (header.empty() ? "" : "-H '" + header + "' ") +
                    url + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return 0;
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) out += buf;
  pclose(p);
  const auto pos = out.find("Requests/sec:");
  // A baseline that answers errors is fast and meaningless: refuse the figure rather than print it.
  if (out.find("Non-2xx") != std::string::npos || pos == std::string::npos) {
    std::fprintf(stderr, "wrk on %s saw errors; figure discarded:\n%s\n", url.c_str(), out.c_str());
    return 0;
  }
  return std::atof(out.c_str() + pos + 13);
}

void BM_RegisterGetVsNginx(benchmark::State& state) {
  // The register as the tablet reads it, and nginx serving a file of the same size.
  HttpClient client(g_service->server->url());
  if (!client.Login("bench", "bench password")) state.SkipWithError("login");
  auto sample = client.Get("/api/v1/work-groups/" + g_service->register_group + "/attendance");
  if (sample.status != 200) state.SkipWithError("register");
  const std::string web = g_dir->file("www");
  std::filesystem::create_directories(web);
  std::ofstream(web + "/register.json") << sample.body;
  const int nginx_port = 18000 + getpid() % 1000;
  std::ofstream(g_dir->file("nginx.conf"))
      // As root, nginx's workers would run as nobody and be refused the private temp dir (403s).
      << (geteuid() == 0 ? "user root;\n" : "") << "daemon off; worker_processes 2; pid "
      << g_dir->file("nginx.pid") << "; error_log stderr;\n"
      << "events { worker_connections 256; }\n"
      << "http { access_log off; server { listen 127.0.0.1:" << nginx_port << "; root " << web
      << "; keepalive_requests 100000; } }\n";
  const pid_t nginx = fork();
  if (nginx == 0) {
    execlp("nginx", "nginx", "-c", g_dir->file("nginx.conf").c_str(), "-p", g_dir->path().c_str(),
           nullptr);
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // The session cookie for wrk, from a fresh sign-in.
  auto login =
      client.Post("/api/v1/session", {{"username", "bench"}, {"password", "bench password"}});
  const std::string set_cookie = login.header("set-cookie");
  const std::string cookie = "Cookie: " + set_cookie.substr(0, set_cookie.find(';'));
  double upw_rps = 0, nginx_rps = 0;
  for (auto _ : state) {
    nginx_rps = Wrk("http://127.0.0.1:" + std::to_string(nginx_port) + "/register.json", "");
    upw_rps = Wrk(g_service->server->url() + "/api/v1/work-groups/" + g_service->register_group +
                      "/attendance",
                  cookie);
  }
  kill(nginx, SIGTERM);
  waitpid(nginx, nullptr, 0);
  state.counters["upw_rps"] = upw_rps;
  state.counters["nginx_rps"] = nginx_rps;
  state.counters["bytes"] = static_cast<double>(sample.body.size());
  g_figures["register_rps"] = upw_rps;
  g_figures["nginx_rps"] = nginx_rps;
  g_figures["register_bytes"] = static_cast<double>(sample.body.size());
  // Resident memory of the service after all the load above.
  std::ifstream status("/proc/" + std::to_string(g_service->server->pid()) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0)
      g_figures["rss_peak_mb"] = std::atof(line.c_str() + 6) / 1024.0;
  }
}

void BM_StartupWithMigrations(benchmark::State& state) {
  std::vector<double> ms;
  int i = 0;
  for (auto _ : state) {
    const std::string db = g_dir->file("startup-" + std::to_string(i++) + ".db");
    const auto t0 = Clock::now();
    auto server = upw::testing::ServerProcess::Start(db);
    ms.push_back(Seconds(Clock::now() - t0) * 1e3);
  }
  state.counters["median_ms"] = Percentile(ms, 0.5);
  g_figures["startup_ms"] = Percentile(ms, 0.5);
}

BENCHMARK(BM_RawFdatasync)->Iterations(500)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RawSqliteInsert)->Iterations(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ApiAttendanceWrites)
    ->Arg(1)
    ->Arg(8)
    ->Arg(64)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_RegisterGetVsNginx)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_StartupWithMigrations)->Iterations(10)->Unit(benchmark::kMillisecond)->UseRealTime();

void Line(const char* what, double value, const char* unit, const std::string& vs, double target,
          bool higher_is_better) {
  const bool ok = higher_is_better ? value >= target : value <= target;
  std::printf("  %-44s %10.2f %-6s %-34s %s\n", what, value, unit, vs.c_str(),
              ok ? "meets target" : "MISSES target");
}

void Summary() {
  auto& f = g_figures;
  const double raw = f["raw_insert_per_s"];
  std::printf("\nSummary (ratios against baselines measured in this run)\n");
  std::printf(
      "  raw fdatasync 4 KiB: p50 %.2f ms, p99 %.2f ms; raw one-row SQLite insert: %.0f rows/s\n",
      f["fdatasync_p50_ms"], f["fdatasync_p99_ms"], raw);
  for (const char* c : {"1", "8", "64"}) {
    const double w = f[std::string("api_writes_per_s_") + c];
    const double p99 = f[std::string("api_p99_ms_") + c];
    std::printf(
        "  API writes at %2s clients: %8.0f writes/s (%.2fx raw inserts), p99 %.2f ms (%.1fx "
        "fdatasync p99)\n",
        c, w, raw > 0 ? w / raw : 0, p99,
        f["fdatasync_p99_ms"] > 0 ? p99 / f["fdatasync_p99_ms"] : 0);
  }
  std::printf("  register GET (%.0f bytes): %.0f req/s vs nginx %.0f req/s (%.2fx)\n",
              f["register_bytes"], f["register_rps"], f["nginx_rps"],
              f["nginx_rps"] > 0 ? f["register_rps"] / f["nginx_rps"] : 0);
  std::printf("\nTargets\n");
  Line("writes/s at 8 clients / raw insert rate", raw > 0 ? f["api_writes_per_s_8"] / raw : 0, "x",
       "", 1.0, true);
  Line("p99 at 8 clients / fdatasync p99",
       f["api_p99_ms_8"] / std::max(1e-9, f["fdatasync_p99_ms"]), "x", "", 10.0, false);
  Line("p99 at 64 clients / fdatasync p99",
       f["api_p99_ms_64"] / std::max(1e-9, f["fdatasync_p99_ms"]), "x", "", 20.0, false);
  Line("register GET / nginx at 8 connections",
       f["nginx_rps"] > 0 ? f["register_rps"] / f["nginx_rps"] : 0, "x", "", 0.5, true);
  Line("resident memory peak under load", f["rss_peak_mb"], "MB", "", 32.0, false);
  Line("start-up with migrations (median)", f["startup_ms"], "ms", "", 200.0, false);
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  benchmark::Initialize(&argc, argv);
  upw::testing::TempDir dir;
  g_dir = &dir;
  BuildService();
  benchmark::RunSpecifiedBenchmarks();
  g_service->server.reset();
  Summary();
  benchmark::Shutdown();
  return 0;
}
