#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace moor::testing {

struct CommandResult {
  int exit_code = -1;  // -1 if it could not start or was killed by the timeout
  std::string out;
  std::string err;
};

// Runs argv (argv[0] looked up in PATH) with extra environment variables, feeds `input` to its
// standard input, and returns what it printed. Killed (SIGKILL) after `timeout`.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
                         const std::string& input = "",
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

// A background process whose stdout and stderr go to `log_path`. The destructor SIGKILLs it
// if it still runs, and reaps it.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path,
               const std::map<std::string, std::string>& env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  // Sends `signal` and waits up to `timeout` for the exit; returns the exit status as
  // waitpid() reports it, or -1 if it is still running.
  int Stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

// Polls `condition` every 20 ms until it is true or `timeout` passes; returns its last value.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A free TCP port on 127.0.0.1 (bound and released; a small race is possible).
int FreeLoopbackPort();

}  // namespace moor::testing
