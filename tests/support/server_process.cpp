#include "server_process.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace upw::testing {

// The binary under test; UPW_BINARY overrides it (a long soak runs a copy while the tree rebuilds).
std::string UpwBinary() {
  const char* env = std::getenv("UPW_BINARY");
  return env && *env ? env : UPW_BINARY;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "upw-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

static std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<ServerProcess> ServerProcess::Start(const std::string& db,
                                                    std::vector<std::string> extra) {
  return Launch("serve", db, db, std::move(extra));
}

std::unique_ptr<ServerProcess> ServerProcess::StartHub(const std::string& where,
                                                       const std::string& files,
                                                       std::vector<std::string> extra) {
  return Launch("hub", where, files, std::move(extra));
}

std::unique_ptr<ServerProcess> ServerProcess::Launch(const std::string& command,
                                                     const std::string& db,
                                                     const std::string& files,
                                                     std::vector<std::string> extra) {
  auto p = std::unique_ptr<ServerProcess>(new ServerProcess());
  p->log_ = files + ".log";
  p->port_file_ = files + ".port";
  std::filesystem::remove(p->port_file_);
  std::vector<std::string> args = {UpwBinary(), command, "--db", db, "--port-file", p->port_file_};
  // A fixed address when asked for (a restart on the same port), else any free port.
  if (std::find(extra.begin(), extra.end(), "--listen") == extra.end()) {
    args.insert(args.end(), {"--listen", "127.0.0.1:0"});
  }
  args.insert(args.end(), extra.begin(), extra.end());
  p->pid_ = fork();
  if (p->pid_ == 0) {
    FILE* log = std::fopen(p->log_.c_str(), "a");
    if (log) {
      dup2(fileno(log), 1);
      dup2(fileno(log), 2);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(p->port_file_);
    int port = 0;
    if (in >> port && port > 0) {
      p->port_ = port;
      return p;
    }
    int status = 0;
    if (waitpid(p->pid_, &status, WNOHANG) == p->pid_) {
      p->pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::cerr << "upw " << command << " did not start; its log:\n" << Slurp(p->log_) << std::endl;
  std::abort();
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Signal(SIGKILL);
}

std::string ServerProcess::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

int ServerProcess::Signal(int sig) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

int RunUpw(const std::vector<std::string>& args, const std::string& stdin_text,
           std::string* output) {
  int in_pipe[2];
  int out_pipe[2];
  if (pipe(in_pipe) != 0 || pipe(out_pipe) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(out_pipe[1], 2);
    close(in_pipe[1]);
    close(out_pipe[0]);
    std::vector<std::string> full = {UpwBinary()};
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  if (!stdin_text.empty()) {
    ssize_t ignored = write(in_pipe[1], stdin_text.data(), stdin_text.size());
    (void)ignored;
  }
  close(in_pipe[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(out_pipe[0], buf, sizeof buf)) > 0) {
    if (output) output->append(buf, static_cast<std::size_t>(n));
  }
  close(out_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace upw::testing
