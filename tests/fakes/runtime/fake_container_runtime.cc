#include "moor/testing/fake_container_runtime.h"

#include <signal.h>

#include <algorithm>

namespace moor::testing {

using runtime::ContainerInfo;
using runtime::ContainerSpec;
using runtime::ContainerState;
using runtime::ExecResult;

FakeContainerRuntime::FakeContainerRuntime(const Clock* clock)
    : clock_(clock != nullptr ? clock : &SystemClock()), stopping_signals_{SIGTERM, SIGKILL} {}

std::string FakeContainerRuntime::NowText() const { return FormatRfc3339Micro(clock_->Now()); }

Status FakeContainerRuntime::TakeFailure(const std::string& operation) {
  auto it = failures_.find(operation);
  if (it == failures_.end() || it->second.empty()) return Status::Ok();
  Status s = it->second.front();
  it->second.erase(it->second.begin());
  return s;
}

Status FakeContainerRuntime::Create(const ContainerSpec& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  MOOR_RETURN_IF_ERROR(TakeFailure("Create"));
  if (spec.id.empty()) return InvalidArgumentError("container id is empty");
  if (spec.args.empty()) return InvalidArgumentError("container " + spec.id + ": no command to run");
  if (containers_.count(spec.id)) return AlreadyExistsError("container " + spec.id + " already exists");
  Container c;
  c.spec = spec;
  c.info.id = spec.id;
  c.info.labels = spec.labels;
  c.info.state = ContainerState::kCreated;
  c.info.created_at = NowText();
  c.info.log_path = spec.log_path;
  containers_.emplace(spec.id, std::move(c));
  ++created_;
  return Status::Ok();
}

Status FakeContainerRuntime::Start(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  MOOR_RETURN_IF_ERROR(TakeFailure("Start"));
  auto it = containers_.find(id);
  if (it == containers_.end()) return NotFoundError("container " + id + " not found");
  ContainerInfo& info = it->second.info;
  if (info.state != ContainerState::kCreated) {
    return FailedPreconditionError("container " + id + " cannot be started: it is not in the created state");
  }
  info.state = ContainerState::kRunning;
  info.pid = next_pid_++;
  info.started_at = NowText();
  ++started_;
  return Status::Ok();
}

StatusOr<ContainerInfo> FakeContainerRuntime::Inspect(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  MOOR_RETURN_IF_ERROR(TakeFailure("Inspect"));
  auto it = containers_.find(id);
  if (it == containers_.end()) return NotFoundError("container " + id + " not found");
  return it->second.info;
}

StatusOr<std::vector<ContainerInfo>> FakeContainerRuntime::List() {
  std::lock_guard<std::mutex> lock(mu_);
  MOOR_RETURN_IF_ERROR(TakeFailure("List"));
  std::vector<ContainerInfo> out;
  for (const auto& [id, c] : containers_) out.push_back(c.info);
  return out;
}

void FakeContainerRuntime::ExitLocked(Container& c, int exit_code, bool oom_killed) {
  c.info.state = ContainerState::kExited;
  c.info.exit_code = exit_code;
  c.info.oom_killed = oom_killed;
  c.info.pid = 0;
  c.info.finished_at = NowText();
}

Status FakeContainerRuntime::Kill(const std::string& id, int signal) {
  std::lock_guard<std::mutex> lock(mu_);
  MOOR_RETURN_IF_ERROR(TakeFailure("Kill"));
  auto it = containers_.find(id);
  if (it == containers_.end()) return NotFoundError("container " + id + " not found");
  signals_[id].push_back(signal);
  Container& c = it->second;
  bool alive = c.info.state == ContainerState::kRunning || c.info.state == ContainerState::kCreated;
  if (alive && stopping_signals_.count(signal)) ExitLocked(c, 128 + signal, false);
  return Status::Ok();
}

Status FakeContainerRuntime::Remove(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  MOOR_RETURN_IF_ERROR(TakeFailure("Remove"));
  if (containers_.erase(id) > 0) removed_.push_back(id);
  return Status::Ok();
}

StatusOr<ExecResult> FakeContainerRuntime::Exec(const std::string& id, const std::vector<std::string>& argv,
                                                std::chrono::milliseconds /*timeout*/) {
  ExecHandler handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    MOOR_RETURN_IF_ERROR(TakeFailure("Exec"));
    if (argv.empty()) return InvalidArgumentError("exec in " + id + ": empty command");
    auto it = containers_.find(id);
    if (it == containers_.end()) return NotFoundError("container " + id + " not found");
    if (it->second.info.state != ContainerState::kRunning) {
      return FailedPreconditionError("container " + id + " is not running");
    }
    execs_[id].push_back(argv);
    if (!exec_handler_) {
      auto r = exec_results_.find(argv.front());
      if (r != exec_results_.end()) return r->second;
      ExecResult ok;
      ok.exit_code = 0;
      return ok;
    }
    handler = exec_handler_;
  }
  // Outside the lock: the handler may call back into the fake (e.g. ExitContainer).
  return handler(id, argv);
}

std::vector<std::string> FakeContainerRuntime::InteractiveExecCommand(const std::string& id,
                                                                      const std::vector<std::string>& argv, bool tty) {
  std::vector<std::string> out = {"fake-exec"};
  if (tty) out.push_back("-t");
  out.push_back(id);
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

Status FakeContainerRuntime::ExitContainer(const std::string& id, int exit_code, bool oom_killed) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = containers_.find(id);
  if (it == containers_.end()) return NotFoundError("container " + id + " not found");
  if (it->second.info.state == ContainerState::kExited) {
    return FailedPreconditionError("container " + id + " already exited");
  }
  ExitLocked(it->second, exit_code, oom_killed);
  return Status::Ok();
}

void FakeContainerRuntime::SetExecResult(const std::string& argv0, ExecResult result) {
  std::lock_guard<std::mutex> lock(mu_);
  exec_results_[argv0] = std::move(result);
}

void FakeContainerRuntime::SetExecHandler(ExecHandler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  exec_handler_ = std::move(handler);
}

void FakeContainerRuntime::SetStoppingSignals(std::set<int> signals) {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_signals_ = std::move(signals);
}

void FakeContainerRuntime::FailNext(const std::string& operation, Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_[operation].push_back(std::move(status));
}

void FakeContainerRuntime::AddRunning(const ContainerSpec& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  Container c;
  c.spec = spec;
  c.info.id = spec.id;
  c.info.labels = spec.labels;
  c.info.state = ContainerState::kRunning;
  c.info.pid = next_pid_++;
  c.info.created_at = NowText();
  c.info.started_at = c.info.created_at;
  c.info.log_path = spec.log_path;
  containers_[spec.id] = std::move(c);
}

std::optional<ContainerSpec> FakeContainerRuntime::SpecOf(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = containers_.find(id);
  if (it == containers_.end()) return std::nullopt;
  return it->second.spec;
}

std::vector<int> FakeContainerRuntime::SignalsSent(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = signals_.find(id);
  return it == signals_.end() ? std::vector<int>{} : it->second;
}

std::vector<std::vector<std::string>> FakeContainerRuntime::ExecCalls(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = execs_.find(id);
  return it == execs_.end() ? std::vector<std::vector<std::string>>{} : it->second;
}

int FakeContainerRuntime::created_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return created_;
}

int FakeContainerRuntime::started_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return started_;
}

std::vector<std::string> FakeContainerRuntime::removed_ids() const {
  std::lock_guard<std::mutex> lock(mu_);
  return removed_;
}

}  // namespace moor::testing
