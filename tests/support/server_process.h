// Runs the real `upw serve` binary as a child process on 127.0.0.1 with a real database file.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace upw::testing {

// A fresh directory under $TMPDIR, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

class ServerProcess {
 public:
  // Starts `upw serve --db DB --listen 127.0.0.1:0` plus `extra` args and waits (up to 20 s) until
  // it is listening. Aborts the test binary if it never does (the log is printed).
  static std::unique_ptr<ServerProcess> Start(const std::string& db,
                                              std::vector<std::string> extra = {});
  // Starts `upw hub --db WHERE --listen 127.0.0.1:0` (WHERE: a file or a postgresql:// URL); its
  // log and port file are FILES.log and FILES.port.
  static std::unique_ptr<ServerProcess> StartHub(const std::string& where, const std::string& files,
                                                 std::vector<std::string> extra = {});
  ~ServerProcess();
  int port() const { return port_; }
  std::string url() const;
  pid_t pid() const { return pid_; }
  // Sends `sig` and waits for the process to end; returns its wait status.
  int Signal(int sig);
  const std::string& log_path() const { return log_; }

 private:
  static std::unique_ptr<ServerProcess> Launch(const std::string& command, const std::string& db,
                                               const std::string& files,
                                               std::vector<std::string> extra);
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_;
  std::string port_file_;
};

// Runs `upw ARGS...` to completion with `stdin_text` on standard input; returns the exit code and
// appends its output to *output if given.
int RunUpw(const std::vector<std::string>& args, const std::string& stdin_text = "",
           std::string* output = nullptr);
std::string UpwBinary();

}  // namespace upw::testing
