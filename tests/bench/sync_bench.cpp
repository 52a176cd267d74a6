// Side-by-side benchmarks of sync (device <-> head-office hub) against baselines measured in the
// same run, on the same disk:
//   1. hub ingest: ops/s applied by HubService::Push on a SQLite hub store (a real file, WAL,
//      synchronous=FULL as the store opens it), batches of 500 attendance events shaped as
//      device_sync.cpp sends them; baseline: the same rows as one INSERT each into a table of the
//      hub's event shape, one transaction per batch, the same file settings.
//   2. bytes per op on the wire: about 2,000 ops of a van (records, sign-out updates, amendments
//      with reasons, work-group closes) batched and deflated exactly as device_sync.cpp does.
//   3. the same amount of work synced over a slow link: real `upw hub`, a real van database given
//      its scope by the hub and filled through the device's own use cases (the code its API runs),
//      `upw sync --now` through a throttling TCP proxy in this process (model below), against the
//      same sync through the proxy with throttling off. The hub serves https, as head office would
//      (--plain-http: http).
// Run: build/tests/bench/upw_sync_bench [--plain-http]  (prints a summary with ratios and targets
// at the end).
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "app/attendance.h"
#include "app/attendance_codec.h"
#include "app/register_actions.h"
#include "app/runtime.h"
#include "common/clock.h"
#include "common/ids.h"
#include "domain/attendance.h"
#include "domain/civil_time.h"
#include "hlc.h"
#include "http_client.h"
#include "hub/hub_service.h"
#include "hub/hub_store.h"
#include "server_process.h"
#include "store/db.h"
#include "store/migrations.h"
#include "wire.h"

namespace {

using nlohmann::json;
using upw::testing::HttpClient;
using upw::testing::RunUpw;
using upw::testing::ServerProcess;
using Clock = std::chrono::steady_clock;
namespace domain = upw::domain;

std::map<std::string, double> g_figures;  // name -> value, for the summary
std::vector<std::string> g_notes;         // lines for the summary
upw::testing::TempDir* g_dir = nullptr;
// Part 3 runs the hub over https (as head office would) unless --plain-http is given.
bool g_tls = true;
std::string g_cert;  // the hub's key and certificate (PEM), made once

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "sync bench setup failed: %s\n", what.c_str());
  std::abort();
}

std::int64_t NowMs() { return upw::SystemClock().NowMs(); }

int DeviceSchema() {
  const auto& m = upw::store::EmbeddedMigrations();
  return m.empty() ? 0 : m.back().version;
}

// --- A van's work, as the device's outbox holds it -------------------------------------------
//
// One session: 12 people allocated for an hour (slots 07:00-20:00, 13 a day). Everyone is recorded
// (signed in on arrival, an open record; or, for one person in three sessions and one in four, an
// absence: unacceptable, or acceptable/medical with a note), the attended are signed out (an
// update), the supervisor closes the session (a work_group upsert of "status"), and then amends two
// records with a reason. About 25 ops a session; 78 sessions (six days of 13 one-hour sessions, the
// same 12 people) make the ~2,000 ops asked for: more than one van records in a real day, but the
// ops are shaped and mixed as a day's are. Part 3 drives the same plan through the device's own
// use cases, so the synthetic figures can be checked against the real device's batches.

constexpr int kPeople = 12;
constexpr int kSlotsPerDay = 13;
constexpr int kFirstSlotHour = 7;
// device_sync.cpp: a batch holds at most this many ops (and at most kBatchJsonBytes of JSON).
constexpr std::size_t kMaxOpsPerBatch = 5000;

bool AbsentUnacceptable(int session, int k) { return k == 11 && session % 3 == 0; }
bool AbsentMedical(int session, int k) { return k == 10 && session % 4 == 1; }
constexpr const char* kMedicalNote = "GP appointment, letter to follow";

struct SessionTimes {
  domain::Date date;
  int start_min = 0, end_min = 0;
  domain::UtcSeconds start = 0, end = 0;
};

SessionTimes TimesOf(domain::Date first_day, int session) {
  SessionTimes t;
  t.date = domain::AddDays(first_day, session / kSlotsPerDay);
  t.start_min = (kFirstSlotHour + session % kSlotsPerDay) * 60;
  t.end_min = t.start_min + 60;
  t.start = domain::UkLocalToUtc(t.date, t.start_min);
  t.end = domain::UkLocalToUtc(t.date, t.end_min);
  return t;
}
domain::UtcSeconds SignIn(const SessionTimes& t, int k) { return t.start - 300 + (k % 4) * 120; }
domain::UtcSeconds SignOut(const SessionTimes& t, int k) { return t.end - (k % 3) * 300; }

struct Person {
  std::string id, order;
};

struct VanOps {
  std::vector<json> ops;  // in outbox order, "s" from 1
  int events = 0, upserts = 0;
};

// The ops a van's device would hold for `sessions` sessions from `first_day`, each tap at the time
// it would really happen, with fresh UUIDv7 ids and HLCs from those times. Payloads are built as
// attendance_write.cpp builds them (FactsToJson for the facts).
VanOps BuildVanOps(int sessions, domain::Date first_day, bool with_upserts) {
  struct Tap {
    std::int64_t ms;
    json op;  // without "s" and "h"
  };
  const std::int64_t t0 = domain::UkLocalToUtc(first_day, 0) * 1000;
  const std::string device_id = upw::NewUuidV7(t0 - 30LL * 86400 * 1000);
  const std::string author_user_id = upw::NewUuidV7(t0 - 20LL * 86400 * 1000);
  std::vector<Person> people;
  for (int k = 0; k < kPeople; ++k) {
    people.push_back(
        {upw::NewUuidV7(t0 - 60LL * 86400 * 1000), upw::NewUuidV7(t0 - 59LL * 86400 * 1000)});
  }
  std::vector<Tap> taps;
  auto event = [&](std::int64_t ms, const std::string& id, const std::string& record_id,
                   domain::EventKind kind, const std::string& group, const Person& p,
                   const domain::AttendanceFacts& f, const std::string& reason,
                   const std::string& base) {
    json payload = {{"id", id},
                    {"record_id", record_id},
                    {"kind", domain::ToString(kind)},
                    {"work_group_id", group},
                    {"service_user_id", p.id},
                    {"order_id", p.order},
                    {"facts", upw::app::FactsToJson(f)},
                    {"reason", reason},
                    {"author", "vansup"},
                    {"author_user_id", author_user_id},
                    {"device_id", device_id},
                    {"recorded_at", domain::FormatTimestamp(ms / 1000)}};
    if (!base.empty()) payload["base_event_id"] = base;
    taps.push_back({ms, {{"e", "attendance_event"}, {"p", payload}}});
  };
  for (int s = 0; s < sessions; ++s) {
    const SessionTimes t = TimesOf(first_day, s);
    const std::string group = upw::NewUuidV7((t.start - 7 * 86400) * 1000);
    std::vector<std::string> record(kPeople), last(kPeople);
    std::vector<domain::AttendanceFacts> facts(kPeople);
    for (int k = 0; k < kPeople; ++k) {
      const Person& p = people[static_cast<std::size_t>(k)];
      auto& f = facts[static_cast<std::size_t>(k)];
      std::int64_t ms = 0;
      if (AbsentUnacceptable(s, k)) {
        f.outcome = domain::Outcome::kUnacceptableAbsence;
        ms = (t.start + 900) * 1000;
      } else if (AbsentMedical(s, k)) {
        f.outcome = domain::Outcome::kAcceptableAbsence;
        f.reason = domain::Reason::kMedical;
        f.note = kMedicalNote;
        f.evidence_expected = true;
        ms = (t.start - 1800) * 1000;
      } else {
        f.sign_in = SignIn(t, k);
        ms = (*f.sign_in + 20) * 1000 + k * 137;
      }
      record[static_cast<std::size_t>(k)] = last[static_cast<std::size_t>(k)] = upw::NewUuidV7(ms);
      event(ms, record[static_cast<std::size_t>(k)], record[static_cast<std::size_t>(k)],
            domain::EventKind::kRecord, group, p, f, "", "");
      if (!f.sign_in) continue;
      // The sign-out tap: an update with the whole facts, based on the record.
      f.sign_out = SignOut(t, k);
      const std::int64_t out_ms = (*f.sign_out + 15) * 1000 + k * 91;
      const std::string id = upw::NewUuidV7(out_ms);
      event(out_ms, id, record[static_cast<std::size_t>(k)], domain::EventKind::kUpdate, group, p,
            f, "", last[static_cast<std::size_t>(k)]);
      last[static_cast<std::size_t>(k)] = id;
    }
    if (with_upserts) {
      taps.push_back({(t.end + 300) * 1000,
                      {{"e", "work_group"}, {"i", group}, {"f", {{"status", "closed"}}}}});
    }
    // Two amendments once the session is closed: a late sign-out tap, and a break not entered.
    for (int k : {0, 3}) {
      auto f = facts[static_cast<std::size_t>(k)];
      std::string reason;
      if (k == 0) {
        *f.sign_out -= 600;
        reason = "signed out at " + domain::FormatTimeOfDay(t.end_min - 10) + ", tapped late";
      } else {
        f.break_minutes = 10;
        reason = "ten-minute break not entered";
      }
      const std::int64_t ms = (t.end + 1800 + k * 40) * 1000;
      const std::string id = upw::NewUuidV7(ms);
      event(ms, id, record[static_cast<std::size_t>(k)], domain::EventKind::kAmend, group,
            people[static_cast<std::size_t>(k)], f, reason, last[static_cast<std::size_t>(k)]);
      last[static_cast<std::size_t>(k)] = id;
    }
  }
  std::stable_sort(taps.begin(), taps.end(),
                   [](const Tap& a, const Tap& b) { return a.ms < b.ms; });
  VanOps out;
  upw::sync::Hlc hlc;
  std::int64_t seq = 0;
  for (auto& tap : taps) {
    hlc = upw::sync::Tick(hlc, tap.ms);
    tap.op["s"] = ++seq;
    tap.op["h"] = upw::sync::Encode(hlc);
    (tap.op["e"] == "attendance_event" ? out.events : out.upserts)++;
    out.ops.push_back(std::move(tap.op));
  }
  return out;
}

// One push body as device_sync.cpp builds it (before deflating).
std::string BatchJson(const std::string& batch_id, const std::string& prev, const json& ops) {
  return json{{"v", upw::sync::kProtocolVersion},
              {"batch", batch_id},
              {"prev", prev},
              {"first", ops.front()["s"]},
              {"last", ops.back()["s"]},
              {"schema", DeviceSchema()},
              {"ops", ops}}
      .dump();
}

// Batches as device_sync.cpp cuts them: ops are added while the batch's JSON is under
// kBatchJsonBytes (so the op that crosses it is the last), at most kMaxOpsPerBatch.
std::vector<std::string> DeviceBatches(const std::vector<json>& ops) {
  std::vector<std::string> out;
  std::string prev;
  for (std::size_t i = 0; i < ops.size();) {
    json list = json::array();
    std::size_t bytes = 0;
    while (bytes < upw::sync::kBatchJsonBytes && i < ops.size() && list.size() < kMaxOpsPerBatch) {
      bytes += ops[i].dump().size();
      list.push_back(ops[i++]);
    }
    const std::string id = upw::NewUuidV7(NowMs());
    out.push_back(BatchJson(id, prev, list));
    prev = id;
  }
  return out;
}

// --- 1. Hub ingest against raw inserts --------------------------------------------------------

constexpr int kIngestBatches = 40;
constexpr std::size_t kIngestOpsPerBatch = 500;

struct Ingest {
  std::vector<std::string> batches;  // push bodies (inflated JSON), seq from 1
  // The same events as the rows the hub stores: id, record_id, kind, group, person, body.
  std::vector<std::vector<std::array<std::string, 6>>> rows;
  std::size_t ops = 0;
};
Ingest* g_ingest = nullptr;

void BuildIngest() {
  g_ingest = new Ingest();
  const int sessions = static_cast<int>(kIngestBatches * kIngestOpsPerBatch / 24 + 1);
  const auto today = domain::UkLocalDate(NowMs() / 1000);
  VanOps day = BuildVanOps(sessions, domain::AddDays(today, -(sessions / kSlotsPerDay + 2)), false);
  if (day.ops.size() < kIngestBatches * kIngestOpsPerBatch) Fail("too few ingest ops");
  day.ops.resize(kIngestBatches * kIngestOpsPerBatch);
  std::string prev;
  for (std::size_t b = 0; b < kIngestBatches; ++b) {
    json list = json::array();
    std::vector<std::array<std::string, 6>> rows;
    for (std::size_t i = 0; i < kIngestOpsPerBatch; ++i) {
      const json& op = day.ops[b * kIngestOpsPerBatch + i];
      const json& p = op["p"];
      rows.push_back({p["id"].get<std::string>(), p["record_id"].get<std::string>(),
                      p["kind"].get<std::string>(), p["work_group_id"].get<std::string>(),
                      p["service_user_id"].get<std::string>(), p.dump()});
      list.push_back(op);
    }
    const std::string id = upw::NewUuidV7(NowMs());
    g_ingest->batches.push_back(BatchJson(id, prev, list));
    g_ingest->rows.push_back(std::move(rows));
    prev = id;
  }
  g_ingest->ops = kIngestBatches * kIngestOpsPerBatch;
}

double WalMb(const std::string& db) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(db + "-wal", ec);
  return ec ? 0 : static_cast<double>(size) / 1e6;
}

// Batch by batch, alternately: the hub pushes batch i, then the raw table takes the same rows, so
// both see the same load on a shared machine. Each side's rate is its ops over its own time.
void BM_HubIngestVsRawInserts(benchmark::State& state) {
  const std::string hub_path = g_dir->file("hub-ingest.db");
  auto store = upw::sync::hub::OpenSqliteHubStore(hub_path);
  if (!store.ok()) Fail("hub store: " + store.status().message());
  upw::SystemClock clock;
  upw::sync::hub::HubService hub(**store, clock);
  auto code = hub.IssueCode("ingest bench", "base", "");
  if (!code.ok()) Fail("code: " + code.status().message());
  auto enrolled = hub.Enrol({{"code", *code}, {"schema", DeviceSchema()}, {"first_seq", 1}});
  if (!enrolled.ok()) Fail("enrol: " + enrolled.status().message());
  const std::string device = (*enrolled)["device_id"];

  const std::string raw_path = g_dir->file("raw-ingest.db");
  auto db = upw::store::Db::Open(raw_path, {}).value();  // as the hub store opens its file
  // The hub's event table, as sqlite_hub_store.cpp declares it (with its index).
  if (!db->Exec("CREATE TABLE event (hub_seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
                "record_id TEXT NOT NULL, kind TEXT NOT NULL, work_group_id TEXT NOT NULL, "
                "service_user_id TEXT NOT NULL, device_id TEXT NOT NULL, body TEXT NOT NULL) "
                "STRICT; CREATE INDEX event_by_person ON event(work_group_id, service_user_id, "
                "hub_seq);")
           .ok()) {
    Fail("raw table");
  }
  auto raw_batch = [&](const std::vector<std::array<std::string, 6>>& rows) {
    bool ok = db->Exec("BEGIN IMMEDIATE").ok();
    for (const auto& r : rows) {
      ok = ok && db->Prepare(
                       "INSERT INTO event(id, record_id, kind, work_group_id, service_user_id, "
                       "device_id, body) VALUES (?,?,?,?,?,?,?)")
                     .Bind(1, r[0])
                     .Bind(2, r[1])
                     .Bind(3, r[2])
                     .Bind(4, r[3])
                     .Bind(5, r[4])
                     .Bind(6, device)
                     .Bind(7, r[5])
                     .Run()
                     .ok();
    }
    return ok && db->Exec("COMMIT").ok();
  };

  std::vector<std::string> answers;
  std::size_t b = 0, raw_rows = 0;
  Clock::duration hub_time{}, raw_time{};
  for (auto _ : state) {
    const auto t0 = Clock::now();
    auto answer = hub.Push(device, g_ingest->batches[b], NowMs());
    const auto t1 = Clock::now();
    if (!raw_batch(g_ingest->rows[b])) Fail("raw insert");
    raw_time += Clock::now() - t1;
    hub_time += t1 - t0;
    if (!answer.ok()) Fail("push: " + answer.status().message());
    answers.push_back(std::move(answer).value());
    raw_rows += g_ingest->rows[b].size();
    ++b;
  }
  std::int64_t applied = 0, refused = 0;
  for (const auto& a : answers) {
    const json j = json::parse(a);
    applied += j["applied"].get<std::int64_t>();
    refused += static_cast<std::int64_t>(j["rejected"].size() + j["conflicts"].size());
  }
  if (applied != static_cast<std::int64_t>(b * kIngestOpsPerBatch) || refused != 0) {
    state.SkipWithError("the hub did not apply every op cleanly");
  }
  const double hub_rate = static_cast<double>(applied) / Seconds(hub_time);
  const double raw_rate = static_cast<double>(raw_rows) / Seconds(raw_time);
  state.counters["hub_ops_per_s"] = hub_rate;
  state.counters["raw_ops_per_s"] = raw_rate;
  g_figures["hub_ingest_ops_per_s"] = hub_rate;
  g_figures["raw_insert_ops_per_s"] = raw_rate;
  g_figures["hub_ingest_wal_mb"] = WalMb(hub_path);
  g_figures["raw_wal_mb"] = WalMb(raw_path);
  // For the breakdown: parsing the same batches' JSON alone (the first thing Push does).
  std::size_t parsed = 0;
  const auto p0 = Clock::now();
  for (const auto& batch : g_ingest->batches) parsed += json::parse(batch)["ops"].size();
  g_figures["parse_ops_per_s"] = static_cast<double>(parsed) / Seconds(Clock::now() - p0);
}

// --- 2. Bytes per op on the wire --------------------------------------------------------------

constexpr int kVanSessions = 78;  // ~2,000 ops

struct Wire {
  double ops = 0, events = 0, upserts = 0, batches = 0, plain = 0, packed = 0;
};

Wire Measure(const std::vector<json>& ops) {
  Wire w;
  w.ops = static_cast<double>(ops.size());
  for (const auto& body : DeviceBatches(ops)) {
    w.batches += 1;
    w.plain += static_cast<double>(body.size());
    w.packed += static_cast<double>(upw::sync::Deflate(body).size());
  }
  return w;
}

void BM_WireBytesPerOp(benchmark::State& state) {
  const auto today = domain::UkLocalDate(NowMs() / 1000);
  Wire w;
  for (auto _ : state) {
    VanOps day = BuildVanOps(kVanSessions, domain::AddDays(today, -6), true);
    w = Measure(day.ops);
    w.events = day.events;
    w.upserts = day.upserts;
  }
  state.counters["ops"] = w.ops;
  state.counters["batches"] = w.batches;
  state.counters["packed_per_op"] = w.packed / w.ops;
  state.counters["plain_per_op"] = w.plain / w.ops;
  g_figures["wire_ops"] = w.ops;
  g_figures["wire_events"] = w.events;
  g_figures["wire_upserts"] = w.upserts;
  g_figures["wire_batches"] = w.batches;
  g_figures["wire_packed_per_op"] = w.packed / w.ops;
  g_figures["wire_plain_per_op"] = w.plain / w.ops;
}

// --- 3. A day's work over a slow link ---------------------------------------------------------
//
// The link model (ThrottleProxy): each direction is one link shared by every connection, of
// kLinkBytesPerSecond (384 kbit/s) and kOneWayLatency (300 ms). Bytes are forwarded as segments of
// at most kSegment bytes (a TCP MSS); a segment leaves once the link has finished serialising the
// ones before it, takes size/rate to serialise, and reaches the far end kOneWayLatency after that.
// A new TCP connection also pays one round trip (SYN, SYN-ACK) before its first byte may leave.
// The hub serves https (--plain-http: http), so each connection's TLS handshake crosses the link
// too. The device opens one connection per request, so each request costs at least 4 x 300 ms over
// http (handshake, request, answer) and 6 x 300 ms over https (TLS 1.3: one more round trip), plus
// size/rate each way. Not modelled: TCP slow start and ACK clocking (the proxy's own sockets run
// at loopback speed), and loss.

constexpr double kLinkBytesPerSecond = 384000.0 / 8.0;
constexpr auto kOneWayLatency = std::chrono::milliseconds(300);
constexpr std::size_t kSegment = 1460;

class Link {
 public:
  // When a segment of n bytes, ready to leave at `at`, reaches the far end.
  Clock::time_point Schedule(Clock::time_point at, std::size_t n, bool throttled) {
    if (!throttled) return at;
    std::lock_guard<std::mutex> lock(mu_);
    const auto start = std::max(at, free_);
    free_ = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                        static_cast<double>(n) / kLinkBytesPerSecond));
    return free_ + kOneWayLatency;
  }

 private:
  std::mutex mu_;
  Clock::time_point free_{};
};

bool SendAll(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

int ConnectLoopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// A TCP proxy on 127.0.0.1 that forwards both directions of every connection through a Link
// each (streamed, not store-and-forward), or straight through when throttling is off.
class ThrottleProxy {
 public:
  explicit ThrottleProxy(int upstream_port) : upstream_(upstream_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) Fail("proxy bind");
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(listen_fd_, 64);
    acceptor_ = std::thread([this] { Accept(); });
  }
  ~ThrottleProxy() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    acceptor_.join();
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& t : workers_) t.join();
  }
  int port() const { return port_; }
  void set_upstream(int port) { upstream_ = port; }
  void set_throttled(bool on) { throttled_ = on; }
  void ResetCounts() {
    up_bytes_ = 0;
    down_bytes_ = 0;
    connections_ = 0;
  }
  std::int64_t up_bytes() const { return up_bytes_; }
  std::int64_t down_bytes() const { return down_bytes_; }
  int connections() const { return connections_; }

 private:
  void Accept() {
    while (!stopping_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const int client = ::accept(listen_fd_, nullptr, nullptr);
      if (client < 0) continue;
      const auto accepted = Clock::now();
      int one = 1;
      ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      ++connections_;
      std::lock_guard<std::mutex> lock(mu_);
      workers_.emplace_back([this, client, accepted] { Serve(client, accepted); });
    }
  }

  void Serve(int client, Clock::time_point accepted) {
    const int upstream = ConnectLoopback(upstream_);
    if (upstream < 0) {
      ::close(client);
      return;
    }
    const bool throttled = throttled_;
    // The handshake: the client's first byte leaves one round trip after its SYN.
    const auto first_byte = throttled ? accepted + 2 * kOneWayLatency : accepted;
    std::thread up([&] { Pump(client, upstream, up_link_, first_byte, throttled, up_bytes_); });
    Pump(upstream, client, down_link_, accepted, throttled, down_bytes_);
    up.join();
    ::close(upstream);
    ::close(client);
  }

  // Forwards src to dst through `link` until src ends (then passes the FIN on) or either fails.
  void Pump(int src, int dst, Link& link, Clock::time_point not_before, bool throttled,
            std::atomic<std::int64_t>& counter) {
    struct Segment {
      Clock::time_point due;
      std::string bytes;
      bool fin;
    };
    std::deque<Segment> queue;
    bool eof = false;
    std::vector<char> buf(65536);
    while (!stopping_) {
      const auto now = Clock::now();
      while (!queue.empty() && queue.front().due <= now) {
        Segment& s = queue.front();
        if (s.fin) {
          ::shutdown(dst, SHUT_WR);
          return;
        }
        if (!SendAll(dst, s.bytes.data(), s.bytes.size())) {
          ::shutdown(src, SHUT_RD);
          return;
        }
        queue.pop_front();
      }
      int timeout = 100;
      if (!queue.empty()) {
        const auto wait =
            std::chrono::duration_cast<std::chrono::microseconds>(queue.front().due - now).count();
        timeout = static_cast<int>(std::min<std::int64_t>(100, (wait + 999) / 1000));
      }
      if (eof) {
        std::this_thread::sleep_for(std::chrono::milliseconds(timeout));
        continue;
      }
      pollfd p{src, POLLIN, 0};
      if (::poll(&p, 1, timeout) <= 0) continue;
      const ssize_t r = ::recv(src, buf.data(), buf.size(), 0);
      const auto at = std::max(Clock::now(), not_before);
      if (r <= 0) {
        eof = true;
        queue.push_back({link.Schedule(at, 0, throttled), "", true});
        continue;
      }
      counter += r;
      for (std::size_t off = 0; off < static_cast<std::size_t>(r); off += kSegment) {
        const std::size_t n = std::min(kSegment, static_cast<std::size_t>(r) - off);
        queue.push_back({link.Schedule(at, n, throttled), std::string(buf.data() + off, n), false});
      }
    }
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> upstream_;
  std::atomic<bool> throttled_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<std::int64_t> up_bytes_{0}, down_bytes_{0};
  std::atomic<int> connections_{0};
  Link up_link_, down_link_;
  std::mutex mu_;
  std::vector<std::thread> workers_;  // guarded by mu_
  std::thread acceptor_;
};

// Helpers over the real CLI and API.

std::string Scheme() { return g_tls ? "https" : "http"; }

std::string Created(const upw::testing::HttpResponse& r, const std::string& what) {
  if (r.status != 201) Fail(what + ": " + std::to_string(r.status) + " " + r.body);
  return r.json().value("id", std::string());
}

void Upw(const std::vector<std::string>& args, const std::string& stdin_text = "",
         std::string* out = nullptr) {
  std::string text;
  if (RunUpw(args, stdin_text, &text) != 0) Fail("upw " + args[0] + ": " + text);
  if (out) *out = text;
}

// `upw hub` arguments: --tls-cert with a key and certificate made once by `upw hub tls-cert`.
std::vector<std::string> HubArgs() {
  if (!g_tls) return {};
  if (g_cert.empty()) {
    g_cert = g_dir->file("hub.pem");
    Upw({"hub", "tls-cert", "--out", g_cert});
  }
  return {"--tls-cert", g_cert};
}

json JsonOf(const std::string& out) {
  const auto brace = out.find('{');
  json j = brace == std::string::npos ? json() : json::parse(out.substr(brace), nullptr, false);
  return j.is_object() ? j : json::object();
}

// A one-time code from `upw hub code`, and the hub's key pin when it serves https.
std::pair<std::string, std::string> HubCode(const std::string& hub_db, const std::string& name,
                                            const std::string& kind, const std::string& van_id) {
  std::vector<std::string> args = {"hub", "code", "--db", hub_db, "--name", name, "--kind", kind};
  if (!van_id.empty()) args.insert(args.end(), {"--van-id", van_id});
  std::string out;
  Upw(args, "", &out);
  const json j = JsonOf(out);
  return {j.value("code", std::string()), j.value("pin", std::string())};
}

void Enrol(const std::string& db, const std::string& url,
           const std::pair<std::string, std::string>& code) {
  std::vector<std::string> args = {"enrol", "--db", db, "--hub", url, "--code", code.first};
  if (!code.second.empty()) args.insert(args.end(), {"--pin", code.second});
  Upw(args);
}

json SyncNow(const std::string& db, double* seconds = nullptr) {
  std::string out;
  const auto t0 = Clock::now();
  const int rc = RunUpw({"sync", "--now", "--db", db}, "", &out);
  if (seconds) *seconds = Seconds(Clock::now() - t0);
  json j = JsonOf(out);
  if (rc != 0 || !j.value("ok", false)) Fail("upw sync --now: " + out);
  return j;
}

std::int64_t QueryInt(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  std::int64_t v = -1;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      v = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return v;
}

// The batches a device really sent (sync_batch keeps each deflated body): their sizes.
Wire SentBatches(const std::string& db) {
  Wire w;
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, "SELECT body, first_seq, last_seq FROM sync_batch", -1, &st,
                           nullptr) == SQLITE_OK) {
      while (sqlite3_step(st) == SQLITE_ROW) {
        const std::string body(static_cast<const char*>(sqlite3_column_blob(st, 0)),
                               static_cast<std::size_t>(sqlite3_column_bytes(st, 0)));
        w.batches += 1;
        w.packed += static_cast<double>(body.size());
        w.plain += static_cast<double>(upw::sync::Inflate(body).value_or("").size());
        w.ops += static_cast<double>(sqlite3_column_int64(st, 2) - sqlite3_column_int64(st, 1) + 1);
      }
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return w;
}

void CopyDb(const std::string& from, const std::string& to) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    if (std::filesystem::exists(from + suffix)) {
      std::filesystem::copy_file(from + suffix, to + suffix,
                                 std::filesystem::copy_options::overwrite_existing, ec);
      if (ec) Fail("copy " + from + suffix + ": " + ec.message());
    }
  }
}

// Base office and hub, then a van device enrolled (through the proxy) and synced, then a van's
// ~2,000 ops recorded through the van's own `upw serve` API. Leaves the hub and the van stopped,
// their files ready to copy.
struct Fleet {
  std::string base_db, hub_db, van_db, van_id, sup_id;
  double setup_s = 0, record_s = 0;
  int requests = 0;
};

Fleet BuildFleet(ThrottleProxy& proxy, std::unique_ptr<ServerProcess>& hub) {
  Fleet f;
  const auto t0 = Clock::now();
  f.base_db = g_dir->file("base.db");
  f.hub_db = g_dir->file("hub.db");
  f.van_db = g_dir->file("van.db");
  Upw({"user", "add", "--db", f.base_db, "--username", "admin", "--role", "admin"},
      "admin-pass-1\n");
  auto base = ServerProcess::Start(f.base_db);
  HttpClient admin(base->url());
  if (!admin.Login("admin", "admin-pass-1")) Fail("admin login");
  Created(
      admin.Post("/api/v1/users",
                 {{"username", "planner"}, {"role", "planner"}, {"password", "planner-pass-1"}}),
      "planner");
  HttpClient p(base->url());
  if (!p.Login("planner", "planner-pass-1")) Fail("planner login");
  f.sup_id = Created(
      p.Post("/api/v1/supervisors", {{"name", "Sam Supervisor"}, {"can_drive", true}}), "sup");
  f.van_id = Created(
      p.Post("/api/v1/vans", {{"registration", "SV21 ABC"}, {"name", "Van 1"}, {"seats", 16}}),
      "van");
  const std::string place =
      Created(p.Post("/api/v1/placements",
                     {{"name", "Community garden"},
                      {"kind", "group"},
                      {"address", "1 High St"},
                      {"capacity", kPeople},
                      {"max_per_supervisor", kPeople},
                      {"days_available", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}}}),
              "placement");
  const auto today = domain::UkLocalDate(NowMs() / 1000);
  const domain::Date first_day = domain::AddDays(today, -6);
  std::vector<std::string> people;
  for (int k = 0; k < kPeople; ++k) {
    people.push_back(Created(p.Post("/api/v1/service-users",
                                    {{"first_name", "Person"},
                                     {"last_name", "Number " + std::to_string(k)},
                                     {"date_of_birth", "1990-01-0" + std::to_string(1 + k % 9)}}),
                             "person"));
    Created(
        p.Post("/api/v1/orders", {{"service_user_id", people.back()},
                                  {"court", "Edinburgh Sheriff Court"},
                                  {"imposed_on", domain::FormatDate(domain::AddDays(today, -30))},
                                  {"hours_ordered", 300},
                                  {"status", "active"}}),
        "order");
  }
  std::vector<std::string> groups;
  for (int s = 0; s < kVanSessions; ++s) {
    const SessionTimes t = TimesOf(first_day, s);
    groups.push_back(
        Created(p.Post("/api/v1/work-groups", {{"session_date", domain::FormatDate(t.date)},
                                               {"starts_at", domain::FormatTimeOfDay(t.start_min)},
                                               {"ends_at", domain::FormatTimeOfDay(t.end_min)},
                                               {"placement_id", place},
                                               {"supervisor_id", f.sup_id},
                                               {"van_id", f.van_id},
                                               {"capacity", kPeople}}),
                "group"));
    for (const auto& person : people) {
      Created(p.Post("/api/v1/work-groups/" + groups.back() + "/allocations",
                     {{"service_user_id", person}}),
              "allocation");
    }
  }
  // Head office: the hub, the base enrolled and synced, the van enrolled through the proxy (not
  // throttled yet) and given its scope.
  hub = ServerProcess::StartHub(f.hub_db, g_dir->file("hub"), HubArgs());
  proxy.set_upstream(hub->port());
  Enrol(f.base_db, Scheme() + "://127.0.0.1:" + std::to_string(hub->port()),
        HubCode(f.hub_db, "Base office", "base", ""));
  SyncNow(f.base_db);
  base->Signal(SIGTERM);
  Upw({"migrate", "--db", f.van_db});
  Enrol(f.van_db, Scheme() + "://127.0.0.1:" + std::to_string(proxy.port()),
        HubCode(f.hub_db, "Van 1 tablet", "van", f.van_id));
  SyncNow(f.van_db);
  hub->Signal(SIGTERM);
  f.setup_s = Seconds(Clock::now() - t0);

  // The van's work, through the device's use cases (what its API handlers call), in the order the
  // taps would come. In-process rather than over `upw serve`: a serving device's sync loop would
  // push part of the work while it is being recorded (it tries two seconds after start, then
  // every 30 s or with backoff), which leaves an arbitrary number of ops and a batch cut at an
  // arbitrary point.
  const auto t1 = Clock::now();
  auto rt = upw::app::Runtime::Open(f.van_db);
  if (!rt.ok()) Fail("van runtime: " + rt.status().message());
  const upw::app::Services& svc = *(*rt)->services;
  auto user = (*rt)->auth->CreateUser(upw::app::SystemActor(), {{"username", "vansup"},
                                                                {"role", "supervisor"},
                                                                {"password", "van-pass-12345"},
                                                                {"supervisor_id", f.sup_id}});
  if (!user.ok()) Fail("vansup: " + user.status().message());
  const upw::app::Actor sup{(*user)["id"].get<std::string>(), "vansup", upw::app::Role::kSupervisor,
                            f.sup_id};
  auto must = [&](auto r, const std::string& what) {
    ++f.requests;
    if (!r.ok()) Fail(what + ": " + r.status().field() + ": " + r.status().message());
    return std::move(r).value();
  };
  for (int s = 0; s < kVanSessions; ++s) {
    const SessionTimes t = TimesOf(first_day, s);
    const std::string& group = groups[static_cast<std::size_t>(s)];
    std::vector<std::string> records(kPeople);
    for (int k = 0; k < kPeople; ++k) {
      json body = {{"service_user_id", people[static_cast<std::size_t>(k)]}};
      if (AbsentUnacceptable(s, k)) {
        body["outcome"] = "unacceptable_absence";
      } else if (AbsentMedical(s, k)) {
        body["outcome"] = "acceptable_absence";
        body["absence_reason"] = "medical";
        body["note"] = kMedicalNote;
      } else {
        body["outcome"] = "attended_complied";
        body["sign_in"] = domain::FormatTimestamp(SignIn(t, k));
      }
      records[static_cast<std::size_t>(k)] =
          must(upw::app::RecordAttendance(svc, sup, group, body), "record").record["record_id"];
    }
    for (int k = 0; k < kPeople; ++k) {
      if (AbsentUnacceptable(s, k) || AbsentMedical(s, k)) continue;
      must(upw::app::UpdateAttendance(svc, sup, group, records[static_cast<std::size_t>(k)],
                                      {{"outcome", "attended_complied"},
                                       {"sign_in", domain::FormatTimestamp(SignIn(t, k))},
                                       {"sign_out", domain::FormatTimestamp(SignOut(t, k))}}),
           "sign-out");
    }
    must(upw::app::CloseSession(svc, sup, group), "close");
    must(upw::app::AmendAttendance(
             svc, sup, group, records[0],
             {{"outcome", "attended_complied"},
              {"sign_in", domain::FormatTimestamp(SignIn(t, 0))},
              {"sign_out", domain::FormatTimestamp(SignOut(t, 0) - 600)},
              {"reason",
               "signed out at " + domain::FormatTimeOfDay(t.end_min - 10) + ", tapped late"}}),
         "amend");
    must(upw::app::AmendAttendance(svc, sup, group, records[3],
                                   {{"outcome", "attended_complied"},
                                    {"sign_in", domain::FormatTimestamp(SignIn(t, 3))},
                                    {"sign_out", domain::FormatTimestamp(SignOut(t, 3))},
                                    {"break_minutes", 10},
                                    {"reason", "ten-minute break not entered"}}),
         "amend");
  }
  (*rt)->Close();
  f.record_s = Seconds(Clock::now() - t1);
  return f;
}

void BM_SlowLinkSync(benchmark::State& state) {
  for (auto _ : state) {
    std::unique_ptr<ServerProcess> hub;
    ThrottleProxy proxy(0);
    const Fleet f = BuildFleet(proxy, hub);
    const std::int64_t unsent = QueryInt(
        f.van_db, "SELECT count(*) FROM outbox WHERE seq > (SELECT acked_seq FROM sync_state)");
    g_figures["slow_unsent_ops"] = static_cast<double>(unsent);
    g_figures["slow_setup_s"] = f.setup_s;
    g_figures["slow_record_s"] = f.record_s;
    g_figures["slow_record_requests"] = f.requests;

    // Two identical starting points: the hub's and the van's files, copied while both are stopped.
    const std::string hub_fast = g_dir->file("hub-fast.db"), van_fast = g_dir->file("van-fast.db");
    CopyDb(f.hub_db, hub_fast);
    CopyDb(f.van_db, van_fast);

    auto run = [&](const std::string& hub_db, const std::string& van_db, bool throttled,
                   const std::string& tag) {
      auto h = ServerProcess::StartHub(hub_db, hub_db + "-files", HubArgs());
      proxy.set_upstream(h->port());
      proxy.set_throttled(throttled);
      proxy.ResetCounts();
      double seconds = 0;
      const json report = SyncNow(van_db, &seconds);
      g_figures[tag + "_s"] = seconds;
      g_figures[tag + "_ops"] = report.value("ops_pushed", 0);
      g_figures[tag + "_batches"] = report.value("batches", 0);
      g_figures[tag + "_pulled"] = report.value("changes_pulled", 0);
      g_figures[tag + "_units"] = report.value("units_checked", 0);
      g_figures[tag + "_repaired"] = report.value("units_repaired", 0);
      g_figures[tag + "_bytes_sent"] = report.value("bytes_sent", 0);
      g_figures[tag + "_bytes_received"] = report.value("bytes_received", 0);
      g_figures[tag + "_wire_up"] = static_cast<double>(proxy.up_bytes());
      g_figures[tag + "_wire_down"] = static_cast<double>(proxy.down_bytes());
      g_figures[tag + "_connections"] = proxy.connections();
      if (report.value("rejected", 0) != 0 || report.value("conflicts", 0) != 0) {
        g_notes.push_back(tag + ": the hub rejected or flagged ops: " + report.dump());
      }
    };
    run(hub_fast, van_fast, false, "fast");
    run(f.hub_db, f.van_db, true, "slow");
    const Wire sent = SentBatches(van_fast);
    g_figures["real_batches"] = sent.batches;
    g_figures["real_ops"] = sent.ops;
    g_figures["real_packed_per_op"] = sent.ops > 0 ? sent.packed / sent.ops : 0;
    g_figures["real_plain_per_op"] = sent.ops > 0 ? sent.plain / sent.ops : 0;
  }
  state.counters["slow_s"] = g_figures["slow_s"];
  state.counters["fast_s"] = g_figures["fast_s"];
}

BENCHMARK(BM_HubIngestVsRawInserts)
    ->Iterations(kIngestBatches)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_WireBytesPerOp)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SlowLinkSync)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void Line(const char* what, double value, const char* unit, double target, bool higher_is_better) {
  const bool ok = higher_is_better ? value >= target : value <= target;
  // A part left out by --benchmark_filter measured nothing: say so rather than "meets".
  std::printf("  %-52s %10.2f %-8s target %s %-8g %s\n", what, value, unit,
              higher_is_better ? ">=" : "<=", target,
              value == 0 ? "not run"
              : ok       ? "meets target"
                         : "MISSES target");
}

void Summary() {
  auto& f = g_figures;
  const double raw = f["raw_insert_ops_per_s"], hub = f["hub_ingest_ops_per_s"];
  std::printf("\nSummary (ratios against baselines measured in this run)\n");
  std::printf(
      "  1. hub ingest (%d batches x %zu attendance events): %.0f ops/s; raw inserts of the same "
      "rows: %.0f ops/s (%.2fx)\n",
      kIngestBatches, kIngestOpsPerBatch, hub, raw, raw > 0 ? hub / raw : 0);
  std::printf(
      "     parsing the batches' JSON alone: %.0f ops/s (%.0f%% of the hub's time); WAL after "
      "ingest: hub %.1f MB, raw %.1f MB\n",
      f["parse_ops_per_s"], f["parse_ops_per_s"] > 0 ? 100.0 * hub / f["parse_ops_per_s"] : 0,
      f["hub_ingest_wal_mb"], f["raw_wal_mb"]);
  std::printf(
      "  2. a van's ops (%.0f: %.0f events, %.0f upserts) in %.0f device batches: %.1f bytes/op "
      "deflated, %.1f bytes/op as JSON (%.1fx smaller deflated)\n",
      f["wire_ops"], f["wire_events"], f["wire_upserts"], f["wire_batches"],
      f["wire_packed_per_op"], f["wire_plain_per_op"],
      f["wire_packed_per_op"] > 0 ? f["wire_plain_per_op"] / f["wire_packed_per_op"] : 0);
  std::printf(
      "     the real device's batches in part 3 (%.0f ops, %.0f batches): %.1f bytes/op deflated, "
      "%.1f bytes/op as JSON\n",
      f["real_ops"], f["real_batches"], f["real_packed_per_op"], f["real_plain_per_op"]);
  std::printf(
      "  3. van's work recorded through the device's use cases: %.0f unsent ops from %.0f actions "
      "in %.1f s "
      "(authority, hub and van set up in %.1f s)\n",
      f["slow_unsent_ops"], f["slow_record_requests"], f["slow_record_s"], f["slow_setup_s"]);
  for (const char* tag : {"fast", "slow"}) {
    const std::string t = tag;
    std::printf(
        "     %s link: upw sync --now %.2f s; pushed %.0f ops in %.0f batches, pulled %.0f "
        "changes, %.0f units checked (%.0f repaired); device counted %.0f B sent / %.0f B "
        "received; on the wire %.0f B up / %.0f B down in %.0f connections\n",
        t == "fast" ? "unthrottled" : "384 kbit/s + 300 ms", f[t + "_s"], f[t + "_ops"],
        f[t + "_batches"], f[t + "_pulled"], f[t + "_units"], f[t + "_repaired"],
        f[t + "_bytes_sent"], f[t + "_bytes_received"], f[t + "_wire_up"], f[t + "_wire_down"],
        f[t + "_connections"]);
  }
  for (const auto& n : g_notes) std::printf("  note: %s\n", n.c_str());
  std::printf("\nTargets\n");
  Line("hub ingest / raw inserts of the same rows", raw > 0 ? hub / raw : 0, "x", 0.5, true);
  Line("bytes per op on the wire (deflated, synthetic day)", f["wire_packed_per_op"], "B/op", 60,
       false);
  Line("bytes per op on the wire (deflated, real device)", f["real_packed_per_op"], "B/op", 60,
       false);
  Line("~2,000 ops synced over 384 kbit/s, 300 ms each way", f["slow_s"], "s", 30, false);
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  signal(SIGPIPE, SIG_IGN);
  benchmark::Initialize(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--plain-http") g_tls = false;
  }
  upw::testing::TempDir dir;
  g_dir = &dir;
  BuildIngest();
  benchmark::RunSpecifiedBenchmarks();
  Summary();
  benchmark::Shutdown();
  return 0;
}
