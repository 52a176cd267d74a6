#include "fault_proxy_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace upw::testing {
namespace {

enum Fault { kPass, kCutRequest, kCutResponse, kDropAnswer, kDuplicate, kDelay, kFaults };

bool SendAll(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// Reads one HTTP message (headers, then Content-Length bytes of body). Empty on failure.
std::string ReadMessage(int fd) {
  std::string buf;
  char chunk[16384];
  std::size_t need = std::string::npos;
  for (;;) {
    if (need != std::string::npos && buf.size() >= need) return buf.substr(0, need);
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) return "";
    const ssize_t r = ::recv(fd, chunk, sizeof chunk, 0);
    if (r <= 0) return need == std::string::npos ? "" : buf;
    buf.append(chunk, static_cast<std::size_t>(r));
    if (need == std::string::npos) {
      const auto end = buf.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      std::size_t length = 0;
      std::string head = buf.substr(0, end);
      for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const auto cl = head.find("content-length:");
      if (cl != std::string::npos) length = std::stoul(head.substr(cl + 15));
      need = end + 4 + length;
    }
  }
}

int Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// One exchange with the hub: the whole answer, or empty if the hub is not there.
std::string Exchange(int port, const std::string& request) {
  const int fd = Connect(port);
  if (fd < 0) return "";
  std::string answer = SendAll(fd, request.data(), request.size()) ? ReadMessage(fd) : "";
  ::close(fd);
  return answer;
}

// Our requests and answers are one per connection here: ask the hub to close after answering.
std::string WithConnectionClose(std::string request) {
  const auto end = request.find("\r\n");
  if (end != std::string::npos) request.insert(end + 2, "Connection: close\r\n");
  return request;
}

}  // namespace

FaultProxy::FaultProxy(int upstream_port, std::uint64_t seed)
    : upstream_(upstream_port), rng_(seed) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  ::listen(listen_fd_, 64);
  acceptor_ = std::thread([this] { Accept(); });
}

FaultProxy::~FaultProxy() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  acceptor_.join();
  // Join outside the lock: a worker still finishing takes mu_ to count its fault, and joining it
  // while holding mu_ deadlocked the suite (seen once in CI, with a delayed exchange in flight).
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
}

FaultCounts FaultProxy::counts() {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

void FaultProxy::Accept() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const int client = ::accept(listen_fd_, nullptr, nullptr);
    if (client < 0) continue;
    std::lock_guard<std::mutex> lock(mu_);
    const bool faulty = std::uniform_real_distribution<double>(0, 1)(rng_) < fault_rate_.load();
    const int fault = faulty ? 1 + static_cast<int>(rng_() % (kFaults - 1)) : kPass;
    const std::uint64_t r = rng_();
    workers_.emplace_back([this, client, fault, r] { Serve(client, fault, r); });
  }
}

void FaultProxy::Serve(int client, int fault, std::uint64_t r) {
  const std::string request = WithConnectionClose(ReadMessage(client));
  auto count = [&](int FaultCounts::*field) {
    std::lock_guard<std::mutex> lock(mu_);
    ++(counts_.*field);
  };
  if (request.size() < 20) {
    ::close(client);
    return;
  }
  const int port = upstream_.load();
  switch (fault) {
    case kCutRequest: {
      // The hub sees part of the request, then the connection ends.
      const int fd = Connect(port);
      if (fd >= 0) {
        SendAll(fd, request.data(), r % request.size());
        ::close(fd);
      }
      count(&FaultCounts::cut_request);
      break;
    }
    case kCutResponse: {
      const std::string answer = Exchange(port, request);
      if (!answer.empty()) SendAll(client, answer.data(), r % answer.size());
      count(&FaultCounts::cut_response);
      break;
    }
    case kDropAnswer:
      Exchange(port, request);  // the hub committed; the device never hears
      count(&FaultCounts::dropped_answer);
      break;
    case kDuplicate: {
      Exchange(port, request);
      const std::string answer = Exchange(port, request);
      SendAll(client, answer.data(), answer.size());
      count(&FaultCounts::duplicated);
      break;
    }
    case kDelay: {
      std::this_thread::sleep_for(std::chrono::milliseconds(r % 300));
      const std::string answer = Exchange(port, request);
      SendAll(client, answer.data(), answer.size());
      count(&FaultCounts::delayed);
      break;
    }
    default: {
      const std::string answer = Exchange(port, request);
      SendAll(client, answer.data(), answer.size());
      count(&FaultCounts::passed);
    }
  }
  ::shutdown(client, SHUT_RDWR);
  ::close(client);
}

}  // namespace upw::testing
