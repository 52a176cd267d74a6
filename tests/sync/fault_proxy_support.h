// A TCP proxy on 127.0.0.1 between devices and the hub that misbehaves on purpose, one HTTP
// exchange per connection, chosen by a seeded generator: pass, cut the request or the response
// at a random byte, drop the response after the hub has committed, send the request twice, or
// delay it. The hub may be restarted behind it (set_upstream).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace upw::testing {

struct FaultCounts {
  int passed = 0, cut_request = 0, cut_response = 0, dropped_answer = 0, duplicated = 0,
      delayed = 0;
};

class FaultProxy {
 public:
  FaultProxy(int upstream_port, std::uint64_t seed);
  ~FaultProxy();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void set_upstream(int port) { upstream_.store(port); }
  // Probability (0-1) that a connection gets a fault; 0 heals the link.
  void set_fault_rate(double p) { fault_rate_.store(p); }
  FaultCounts counts();

 private:
  void Accept();
  void Serve(int client, int fault, std::uint64_t r);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> upstream_;
  std::atomic<double> fault_rate_{0.5};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::mt19937_64 rng_;               // guarded by mu_
  FaultCounts counts_;                // guarded by mu_
  std::vector<std::thread> workers_;  // guarded by mu_
  std::thread acceptor_;
};

}  // namespace upw::testing
