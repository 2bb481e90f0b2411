#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "moor/common/status.h"

namespace moor {

// One program to run to completion.
struct CommandSpec {
  std::vector<std::string> argv;            // argv[0] is looked up in PATH unless it has a '/'
  std::map<std::string, std::string> env;   // added to (or replacing in) the parent's environment
  bool clear_env = false;                   // true: the child sees only `env`
  std::string input;                        // written to the child's standard input
  std::chrono::milliseconds timeout{60000}; // SIGKILL after this
};

struct CommandResult {
  int exit_code = -1;     // -1 if killed by a signal or by the timeout
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs programs. The real one forks and execs; tests substitute a recording fake or wrap the
// real one to inject faults.
class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // Fails (kUnavailable) only if the program could not be started; a non-zero exit is a
  // result, not an error.
  virtual StatusOr<CommandResult> Run(const CommandSpec& spec) = 0;
};

// The process-wide real runner (posix_spawn, safe in multi-threaded processes).
CommandRunner& SystemCommandRunner();

// "runc delete x: exit 1: <first line of stderr>" as kUnavailable (timeouts as
// kDeadlineExceeded), for callers that treat a non-zero exit as a failure.
Status CommandFailure(const CommandSpec& spec, const CommandResult& result);

// Runs `spec` and converts a non-zero exit into CommandFailure().
StatusOr<CommandResult> RunChecked(CommandRunner& runner, const CommandSpec& spec);

// Everything a child needs, built before it starts: in a multi-threaded parent a forked child may
// only make async-signal-safe calls until exec (no malloc, no setenv, no stdio).
class ExecPlan {
 public:
  ExecPlan(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
           bool clear_env = false);
  ExecPlan(const ExecPlan&) = delete;
  ExecPlan& operator=(const ExecPlan&) = delete;
  // In the child after fork: execve, or write "exec failed" to fd 2 and _exit(127).
  [[noreturn]] void Exec() const;
  // Starts the program with posix_spawn, which does not copy the caller's page tables (fork of
  // a large multi-threaded daemon costs page-table copies and copy-on-write faults in every
  // thread afterwards). `fds` are {target, source} pairs dup2'ed in order (a source must not be
  // an earlier pair's target); every other descriptor from the highest target + 1 up is closed;
  // the child starts with no blocked signals and default signal handlers, in `cwd` ("" = the
  // caller's). Fails if the program cannot be executed.
  StatusOr<pid_t> Spawn(const std::vector<std::pair<int, int>>& fds, const std::string& cwd = "") const;
  const std::string& path() const { return path_; }

 private:
  std::vector<std::string> arg_strings_;
  std::vector<std::string> env_strings_;
  std::string path_;
  std::vector<char*> argv_;
  std::vector<char*> envp_;
};

}  // namespace moor
