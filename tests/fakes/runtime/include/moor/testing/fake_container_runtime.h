#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "moor/common/clock.h"
#include "moor/runtime/container_runtime.h"

namespace moor::testing {

// ContainerRuntime in memory, for unit tests of code that drives containers (the node agent).
// Behaves like RuncRuntime where callers can tell: kAlreadyExists on a taken id, kNotFound for
// unknown ids, Remove and Kill idempotent, Exec only in running containers. Containers run
// until the test ends them (ExitContainer) or a stopping signal arrives (Kill). Thread-safe.
class FakeContainerRuntime final : public runtime::ContainerRuntime {
 public:
  using ExecHandler = std::function<StatusOr<runtime::ExecResult>(const std::string& id,
                                                                  const std::vector<std::string>& argv)>;

  // Timestamps come from `clock` (SystemClock() if null); it must outlive the fake.
  explicit FakeContainerRuntime(const Clock* clock = nullptr);

  Status Create(const runtime::ContainerSpec& spec) override;
  Status Start(const std::string& id) override;
  StatusOr<runtime::ContainerInfo> Inspect(const std::string& id) override;
  StatusOr<std::vector<runtime::ContainerInfo>> List() override;
  // A running container receiving a stopping signal (SIGTERM and SIGKILL unless changed) exits
  // with 128 + signal; every signal is recorded (SignalsSent).
  Status Kill(const std::string& id, int signal) override;
  Status Remove(const std::string& id) override;
  // The handler's result if one is set, else the result programmed for argv[0], else exit 0
  // with no output. kFailedPrecondition if the container is not running.
  StatusOr<runtime::ExecResult> Exec(const std::string& id, const std::vector<std::string>& argv,
                                     std::chrono::milliseconds timeout) override;
  // {"fake-exec", ["-t",] id, argv...}
  std::vector<std::string> InteractiveExecCommand(const std::string& id, const std::vector<std::string>& argv,
                                                  bool tty) override;

  // --- Test controls ---
  // The container's process exits now with `exit_code` (a created one too, as if it crashed
  // on start). kNotFound if unknown, kFailedPrecondition if it already exited.
  Status ExitContainer(const std::string& id, int exit_code, bool oom_killed = false);
  void SetExecResult(const std::string& argv0, runtime::ExecResult result);
  void SetExecHandler(ExecHandler handler);
  void SetStoppingSignals(std::set<int> signals);
  // The next call of `operation` ("Create", "Start", "Inspect", "List", "Kill", "Remove",
  // "Exec") returns `status` and changes nothing. Queued failures are used in order.
  void FailNext(const std::string& operation, Status status);
  // Adds a container as if an earlier process had created it (adoption tests): kRunning.
  void AddRunning(const runtime::ContainerSpec& spec);

  // --- Inspection ---
  std::optional<runtime::ContainerSpec> SpecOf(const std::string& id) const;
  // Every signal / exec argv the id received, also after it was removed.
  std::vector<int> SignalsSent(const std::string& id) const;
  std::vector<std::vector<std::string>> ExecCalls(const std::string& id) const;
  int created_count() const;  // successful Create calls
  int started_count() const;  // successful Start calls
  std::vector<std::string> removed_ids() const;  // Remove calls for existing containers, in order

 private:
  struct Container {
    runtime::ContainerSpec spec;
    runtime::ContainerInfo info;
  };

  // Pops a queued failure for `operation`, or OK.
  Status TakeFailure(const std::string& operation);
  void ExitLocked(Container& c, int exit_code, bool oom_killed);
  std::string NowText() const;

  const Clock* clock_;
  mutable std::mutex mu_;
  std::map<std::string, Container> containers_;            // GUARDED_BY(mu_)
  std::map<std::string, std::vector<Status>> failures_;   // GUARDED_BY(mu_)
  std::map<std::string, runtime::ExecResult> exec_results_;  // GUARDED_BY(mu_)
  ExecHandler exec_handler_;                               // GUARDED_BY(mu_)
  std::set<int> stopping_signals_;                         // GUARDED_BY(mu_)
  // Kept across Remove (a test checks what a deleted container received).
  std::map<std::string, std::vector<int>> signals_;                        // GUARDED_BY(mu_)
  std::map<std::string, std::vector<std::vector<std::string>>> execs_;     // GUARDED_BY(mu_)
  std::vector<std::string> removed_;                       // GUARDED_BY(mu_)
  int created_ = 0;                                        // GUARDED_BY(mu_)
  int started_ = 0;                                        // GUARDED_BY(mu_)
  int next_pid_ = 1000;                                    // GUARDED_BY(mu_)
};

}  // namespace moor::testing
