#include "runc_container_runtime.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "conmon_launcher.h"
#include "moor/common/clock.h"
#include "moor/common/files.h"
#include "moor/common/log.h"
#include "moor/runtime/oci_spec.h"
#include "moor/runtime/process_user.h"
#include "mounts.h"

namespace moor::runtime {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr milliseconds kRuncTimeout{30000};
constexpr milliseconds kCreateTimeout{60000};
constexpr milliseconds kConmonExitWait{10000};
constexpr milliseconds kExitFileWait{2000};

// Ids become directory names, runc ids and cgroup names.
Status ValidateId(const std::string& id) {
  if (id.empty() || id.size() > 64) return InvalidArgumentError("container id \"" + id + "\" must be 1-64 characters");
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return InvalidArgumentError("container id \"" + id + "\" may only contain a-z, 0-9, '-', '_' and '.'");
  }
  if (id.front() == '.' || id.front() == '-') return InvalidArgumentError("container id \"" + id + "\" must start with a letter or digit");
  return Status::Ok();
}

Status MakeDirs(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return UnavailableError("create directory " + path + ": " + ec.message());
  return Status::Ok();
}

bool Exists(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0;
}

// runc logs errors as logrus lines: time="..." level=error msg="container does not exist".
bool SaysNotExist(const CommandResult& r) {
  return r.err.find("does not exist") != std::string::npos || r.out.find("does not exist") != std::string::npos;
}

struct ExitRecord {
  int code = -1;
  std::string finished_at;
};

// conmon writes the exit code to persist/exit when the container's process is gone; the file's
// mtime is when that happened.
std::optional<ExitRecord> ReadExitFile(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  auto text = ReadFileLimited(path, 64);
  if (!text.ok()) return std::nullopt;
  ExitRecord r;
  try {
    r.code = std::stoi(*text);
  } catch (const std::exception&) {
    r.code = -1;
  }
  auto mtime = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
  r.finished_at = FormatRfc3339Micro(mtime);
  return r;
}

// Where CreateRuncRuntime writes the script conmon runs for Run (see RuncRunWrapper).
std::string RuncRunWrapperPath(const std::string& state_dir) { return state_dir + "/runc-run.sh"; }

// What runc and moor need of /proc/<pid>/stat: the state letter (field 3) and the start time
// in clock ticks (field 22). nullopt if the process is gone.
struct ProcStat {
  char state = '?';
  std::uint64_t start_ticks = 0;
};

std::optional<ProcStat> ReadProcStat(int pid) {
  auto stat = ReadFileLimited("/proc/" + std::to_string(pid) + "/stat", 4096);
  if (!stat.ok()) return std::nullopt;
  std::size_t paren = stat->rfind(')');  // the command name may hold spaces and parentheses
  if (paren == std::string::npos || paren + 2 >= stat->size()) return std::nullopt;
  std::istringstream fields(stat->substr(paren + 2));
  ProcStat out;
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 3) out.state = field.empty() ? '?' : field[0];
    if (i == 22) out.start_ticks = std::strtoull(field.c_str(), nullptr, 10);
  }
  return out;
}

// conmon's monitor for container `id` still runs (not a zombie, and the pid was not reused).
bool ConmonAlive(int pid, const std::string& id) {
  if (pid <= 0) return false;
  auto stat = ReadProcStat(pid);
  if (!stat || stat->state == 'Z') return false;
  auto cmdline = ReadFileLimited("/proc/" + std::to_string(pid) + "/cmdline", 1 << 16);
  if (!cmdline.ok()) return false;
  std::string needle = std::string("\0-c\0", 4) + id + std::string("\0", 1);
  return cmdline->find("conmon") != std::string::npos && cmdline->find(needle) != std::string::npos;
}

int ReadPidFile(const std::string& path) {
  auto text = ReadFileLimited(path, 64);
  if (!text.ok()) return 0;
  try {
    return std::stoi(*text);
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace

RuncRuntime::RuncRuntime(RuncRuntimeOptions options, std::string runc, std::string conmon, CgroupHost cgroups,
                         HostLimits limits)
    : options_(std::move(options)),
      runc_(std::move(runc)),
      conmon_(std::move(conmon)),
      cgroups_(std::move(cgroups)),
      limits_(limits),
      runner_(options_.runner != nullptr ? options_.runner : &SystemCommandRunner()) {}

std::string RuncRuntime::DefaultCgroupPath(const std::string& id) const {
  return "/" + options_.cgroup_parent + "/" + id;
}

CommandSpec RuncRuntime::RuncCommand(std::vector<std::string> args, milliseconds timeout) const {
  CommandSpec spec;
  spec.argv = {runc_, "--root", options_.runc_root};
  for (auto& a : args) spec.argv.push_back(std::move(a));
  spec.timeout = timeout;
  return spec;
}

// runc's own answer, read from its state directory the way `runc state` computes it (the init
// process is alive with the recorded start time; exec.fifo present = created, not started), so
// that the agent's frequent inspections do not start a runc process each. Anything unexpected
// (no state.json, a paused container's freezer, unreadable JSON) falls back to `runc state`.
std::optional<RuncRuntime::RuncState> RuncRuntime::ReadStateFiles(const std::string& id) {
  fs::path dir = fs::path(options_.runc_root) / id;
  auto text = ReadFileLimited(dir / "state.json", 4 << 20);
  if (!text.ok()) return std::nullopt;
  nlohmann::json state = nlohmann::json::parse(*text, nullptr, false);
  if (!state.is_object() || !state.contains("init_process_pid") || !state.contains("init_process_start")) {
    return std::nullopt;
  }
  if (!state["init_process_pid"].is_number_integer() || !state["init_process_start"].is_number_unsigned()) {
    return std::nullopt;
  }
  int pid = state["init_process_pid"].get<int>();
  std::uint64_t start = state["init_process_start"].get<std::uint64_t>();
  // runc counts a dead or zombie init, or a reused pid, as stopped.
  auto stat = ReadProcStat(pid);
  if (!stat || stat->state == 'Z' || stat->state == 'X' || stat->start_ticks != start) return RuncState{"stopped", 0};
  std::error_code ec;
  if (fs::exists(dir / "exec.fifo", ec)) return RuncState{"created", pid};
  return RuncState{"running", pid};
}

StatusOr<std::optional<RuncRuntime::RuncState>> RuncRuntime::QueryState(const std::string& id) {
  if (auto fast = ReadStateFiles(id)) return std::optional<RuncState>(*fast);
  CommandSpec cmd = RuncCommand({"state", id}, kRuncTimeout);
  MOOR_ASSIGN_OR_RETURN(CommandResult r, runner_->Run(cmd));
  if (r.exit_code != 0) {
    if (SaysNotExist(r)) return std::optional<RuncState>();
    return CommandFailure(cmd, r);
  }
  try {
    auto j = nlohmann::json::parse(r.out);
    return std::optional<RuncState>(RuncState{j.value("status", ""), j.value("pid", 0)});
  } catch (const std::exception& e) {
    return InternalError("runc state " + id + " printed unreadable JSON: " + e.what());
  }
}

Status RuncRuntime::Create(const ContainerSpec& spec) { return CreateContainer(spec, /*start_now=*/false); }

Status RuncRuntime::Run(const ContainerSpec& spec) { return CreateContainer(spec, /*start_now=*/true); }

Status RuncRuntime::CreateContainer(const ContainerSpec& spec, bool start_now) {
  MOOR_RETURN_IF_ERROR(ValidateId(spec.id));
  if (spec.rootfs_layers.empty()) return InvalidArgumentError("container " + spec.id + ": no image layers");
  if (spec.args.empty()) return InvalidArgumentError("container " + spec.id + ": no command to run");
  if (spec.log_path.empty() || spec.log_path.front() != '/') {
    return InvalidArgumentError("container " + spec.id + ": log path \"" + spec.log_path + "\" is not absolute");
  }
  for (const auto& layer : spec.rootfs_layers) {
    if (layer.empty() || layer.front() != '/') {
      return InvalidArgumentError("container " + spec.id + ": image layer \"" + layer + "\" is not an absolute path");
    }
  }
  ContainerDir dir(options_.state_dir, spec.id);
  if (fs::path(dir.root()) == fs::path(options_.runc_root)) {
    return InvalidArgumentError("container id \"" + spec.id + "\" is reserved (runc's state directory)");
  }
  if (::mkdir(dir.root().c_str(), 0700) != 0) {
    if (errno == EEXIST) return AlreadyExistsError("container " + spec.id + " already exists");
    return UnavailableError("create " + dir.root() + ": " + std::strerror(errno));
  }
  const std::string cgroup_path = DefaultCgroupPath(spec.id);
  Status s = CreateIn(spec, dir, cgroup_path, start_now);
  if (!s.ok()) {
    Status cleanup = Destroy(spec.id, cgroup_path);
    if (!cleanup.ok()) {
      LogWarn("cleaning up a container that failed to create", {{"id", spec.id}, {"error", cleanup.ToString()}});
    }
    return s.WithContext(std::string(start_now ? "running" : "creating") + " container " + spec.id);
  }
  return Status::Ok();
}

Status RuncRuntime::CreateIn(const ContainerSpec& spec, const ContainerDir& dir, const std::string& cgroup_path,
                             bool start_now) {
  for (const auto& d : {dir.rootfs(), dir.upper(), dir.work(), dir.persist(), dir.exit_dir(), dir.socket_dir()}) {
    MOOR_RETURN_IF_ERROR(MakeDirs(d));
  }
  ContainerRecord record;
  record.id = spec.id;
  record.name = spec.name;
  record.labels = spec.labels;
  record.log_path = spec.log_path;
  record.cgroup_path = cgroup_path;
  record.created_at = FormatRfc3339Micro(SystemClock().Now());
  // Recorded first, as Start does: the process may exit (and conmon record it) before runc returns.
  if (start_now) record.started_at = record.created_at;
  MOOR_RETURN_IF_ERROR(dir.WriteRecord(record));

  MOOR_RETURN_IF_ERROR(MountOverlay(spec.rootfs_layers, dir.upper(), dir.work(), dir.rootfs()));
  MOOR_ASSIGN_OR_RETURN(ProcessUser user, ResolveProcessUserInRootfs(spec.security, spec.image_user, dir.rootfs()));
  OciSpecContext context;
  context.rootfs_path = "rootfs";
  context.cgroup_parent = options_.cgroup_parent;
  context.cgroup_v2 = cgroups_.v2();
  context.memory_swap_supported = cgroups_.memory_swap_supported();
  context.user = user;
  context.nofile_limit = limits_.nofile_limit;
  context.available_capabilities = limits_.bounding_capabilities;
  MOOR_ASSIGN_OR_RETURN(nlohmann::json config, BuildOciSpec(spec, context));
  // Read once, by `runc create` / `runc run` below; not needed after a reboot, so no fsync.
  MOOR_RETURN_IF_ERROR(WriteFileAtomic(dir.config(), config.dump(2) + "\n", 0600, Durability::kProcessCrash));
  MOOR_RETURN_IF_ERROR(MakeDirs(fs::path(spec.log_path).parent_path().string()));

  ConmonLaunch launch;
  launch.argv = {conmon_,
                 "--api-version", "1",
                 "-c", spec.id,
                 "-u", spec.id,
                 "-n", spec.id,
                 "-r", start_now ? RuncRunWrapperPath(options_.state_dir) : runc_,
                 "--runtime-arg", "--root",
                 "--runtime-arg", options_.runc_root,
                 "-b", dir.bundle(),
                 "-p", dir.container_pid_file(),
                 "-P", dir.conmon_pid_file(),
                 "-l", "k8s-file:" + spec.log_path,
                 "--exit-dir", dir.exit_dir(),
                 "--socket-dir-path", dir.socket_dir(),
                 "-0", dir.persist()};
  if (spec.log_max_bytes > 0) {
    launch.argv.push_back("--log-size-max");
    launch.argv.push_back(std::to_string(spec.log_max_bytes));
  }
  if (spec.tty) launch.argv.push_back("-t");
  launch.working_dir = dir.root();
  launch.output_path = dir.conmon_log();
  launch.timeout = kCreateTimeout;
  MOOR_ASSIGN_OR_RETURN(int pid, LaunchConmon(launch));
  LogDebug(start_now ? "container created and started" : "container created", {{"id", spec.id}, {"pid", std::to_string(pid)}});
  return Status::Ok();
}

Status RuncRuntime::Start(const std::string& id) {
  MOOR_RETURN_IF_ERROR(ValidateId(id));
  ContainerDir dir(options_.state_dir, id);
  MOOR_ASSIGN_OR_RETURN(ContainerRecord record, dir.ReadRecord());
  // Recorded first: the process may exit (and conmon record its finish) before runc returns.
  ContainerRecord started = record;
  started.started_at = FormatRfc3339Micro(SystemClock().Now());
  MOOR_RETURN_IF_ERROR(dir.WriteRecord(started));
  CommandSpec cmd = RuncCommand({"start", id}, kRuncTimeout);
  auto r = runner_->Run(cmd);
  if (r.ok() && r->exit_code == 0) return Status::Ok();
  Status restored = dir.WriteRecord(record);
  (void)restored;  // best effort: the start failed either way
  if (!r.ok()) return r.status();
  if (SaysNotExist(*r)) return FailedPreconditionError("container " + id + " has no runc state; remove and recreate it");
  return CommandFailure(cmd, *r);
}

ContainerInfo RuncRuntime::Describe(const ContainerDir& dir, const ContainerRecord& record, const StateLookup& lookup) {
  ContainerInfo info;
  info.id = record.id;
  info.labels = record.labels;
  info.created_at = record.created_at;
  info.started_at = record.started_at;
  info.log_path = record.log_path;
  auto exited = [&](const ExitRecord& e) {
    info.state = ContainerState::kExited;
    info.exit_code = e.code;
    info.finished_at = e.finished_at;
    // File times come from the kernel's coarse clock (a few ms behind): never before the start.
    auto started = ParseRfc3339(info.started_at);
    auto finished = ParseRfc3339(info.finished_at);
    if (started.ok() && finished.ok() && *finished < *started) info.finished_at = info.started_at;
    info.pid = 0;
    info.oom_killed = Exists(dir.oom_file()) ||
                      cgroups_.OomKillCount(record.cgroup_path.empty() ? DefaultCgroupPath(record.id)
                                                                       : record.cgroup_path) > 0;
  };
  if (auto e = ReadExitFile(dir.exit_file())) {
    exited(*e);
    return info;
  }
  auto state = lookup();
  if (!state.ok()) {
    LogWarn("runc state failed", {{"id", record.id}, {"error", state.status().ToString()}});
    info.state = ContainerState::kUnknown;
    return info;
  }
  if (!state->has_value()) {
    // Half created, or runc's state was lost: nothing runs, nothing will report an exit.
    info.state = ContainerState::kUnknown;
    return info;
  }
  const RuncState& s = **state;
  if (s.status == "created") {
    info.state = ContainerState::kCreated;
    info.pid = s.pid;
  } else if (s.status == "running" || s.status == "paused") {
    info.state = ContainerState::kRunning;
    info.pid = s.pid;
  } else {
    // Stopped: conmon writes the exit file once it has drained the container's output. Only
    // worth waiting for while conmon still runs.
    const bool monitor_alive = ConmonAlive(ReadPidFile(dir.conmon_pid_file()), record.id);
    auto deadline = std::chrono::steady_clock::now() + (monitor_alive ? kExitFileWait : milliseconds(0));
    do {
      if (auto e = ReadExitFile(dir.exit_file())) {
        exited(*e);
        return info;
      }
      std::this_thread::sleep_for(milliseconds(20));
    } while (std::chrono::steady_clock::now() < deadline);
    // The monitor died without recording an exit (killed, or the host rebooted).
    info.state = ContainerState::kUnknown;
  }
  return info;
}

StatusOr<ContainerInfo> RuncRuntime::Inspect(const std::string& id) {
  if (!ValidateId(id).ok()) return NotFoundError("container " + id + " not found");
  ContainerDir dir(options_.state_dir, id);
  MOOR_ASSIGN_OR_RETURN(ContainerRecord record, dir.ReadRecord());
  return Describe(dir, record, [&] { return QueryState(id); });
}

StatusOr<std::vector<ContainerInfo>> RuncRuntime::List() {
  std::vector<ContainerInfo> out;
  std::error_code ec;
  if (!fs::exists(options_.state_dir, ec)) return out;
  // One `runc list` for everything instead of one `runc state` per container; fetched lazily
  // (containers with an exit file do not need it).
  std::optional<StatusOr<std::map<std::string, RuncState>>> all;
  auto fetch_all = [&]() -> StatusOr<std::map<std::string, RuncState>> {
    CommandSpec cmd = RuncCommand({"list", "--format", "json"}, kRuncTimeout);
    MOOR_ASSIGN_OR_RETURN(CommandResult r, RunChecked(*runner_, cmd));
    std::map<std::string, RuncState> states;
    try {
      auto j = nlohmann::json::parse(r.out);
      if (j.is_array()) {
        for (const auto& c : j) states[c.value("id", "")] = RuncState{c.value("status", ""), c.value("pid", 0)};
      }
    } catch (const std::exception& e) {
      return InternalError(std::string("runc list printed unreadable JSON: ") + e.what());
    }
    return states;
  };
  for (const auto& entry : fs::directory_iterator(options_.state_dir, ec)) {
    if (!entry.is_directory(ec)) continue;
    std::string id = entry.path().filename().string();
    if (!ValidateId(id).ok()) continue;
    ContainerDir dir(options_.state_dir, id);
    auto record = dir.ReadRecord();
    if (!record.ok()) continue;  // not a container (runc's root) or removed meanwhile
    out.push_back(Describe(dir, *record, [&]() -> StatusOr<std::optional<RuncState>> {
      if (!all) all = fetch_all();
      if (!all->ok()) return all->status();
      auto it = (*all)->find(id);
      if (it == (*all)->end()) return std::optional<RuncState>();
      return std::optional<RuncState>(it->second);
    }));
  }
  std::sort(out.begin(), out.end(), [](const ContainerInfo& a, const ContainerInfo& b) { return a.id < b.id; });
  return out;
}

Status RuncRuntime::Kill(const std::string& id, int signal) {
  if (!ValidateId(id).ok()) return NotFoundError("container " + id + " not found");
  ContainerDir dir(options_.state_dir, id);
  MOOR_ASSIGN_OR_RETURN(ContainerRecord record, dir.ReadRecord());
  if (Exists(dir.exit_file())) return Status::Ok();
  CommandSpec cmd = RuncCommand({"kill", id, std::to_string(signal)}, kRuncTimeout);
  MOOR_ASSIGN_OR_RETURN(CommandResult r, runner_->Run(cmd));
  if (r.exit_code == 0) return Status::Ok();
  // Already gone: killing an exited container succeeds.
  if (Exists(dir.exit_file())) return Status::Ok();
  auto state = QueryState(id);
  if (state.ok() && (!state->has_value() || (*state)->status == "stopped")) return Status::Ok();
  return CommandFailure(cmd, r);
}

Status RuncRuntime::Destroy(const std::string& id, const std::string& cgroup_path) {
  ContainerDir dir(options_.state_dir, id);
  CommandSpec del = RuncCommand({"delete", "--force", id}, kRuncTimeout);
  MOOR_ASSIGN_OR_RETURN(CommandResult r, runner_->Run(del));
  if (r.exit_code != 0 && !SaysNotExist(r)) {
    MOOR_ASSIGN_OR_RETURN(std::optional<RuncState> state, QueryState(id));
    if (state.has_value()) return CommandFailure(del, r);
  }
  // conmon writes its exit files into the state directory as the container dies; let it finish.
  int conmon_pid = ReadPidFile(dir.conmon_pid_file());
  auto deadline = std::chrono::steady_clock::now() + kConmonExitWait;
  while (ConmonAlive(conmon_pid, id) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  if (ConmonAlive(conmon_pid, id)) {
    LogWarn("conmon did not exit after its container was deleted; killing it", {{"id", id}, {"pid", std::to_string(conmon_pid)}});
    ::kill(conmon_pid, SIGKILL);
  }
  MOOR_RETURN_IF_ERROR(UnmountAllUnder(dir.root()));
  MOOR_RETURN_IF_ERROR(cgroups_.RemoveContainerDirs(cgroup_path));
  std::error_code ec;
  fs::remove_all(dir.root(), ec);
  if (ec) return UnavailableError("remove " + dir.root() + ": " + ec.message());
  return Status::Ok();
}

Status RuncRuntime::Remove(const std::string& id) {
  MOOR_RETURN_IF_ERROR(ValidateId(id));
  ContainerDir dir(options_.state_dir, id);
  if (fs::path(dir.root()) == fs::path(options_.runc_root)) return Status::Ok();
  auto record = dir.ReadRecord();
  std::string cgroup_path = DefaultCgroupPath(id);
  if (record.ok() && !record->cgroup_path.empty()) cgroup_path = record->cgroup_path;
  return Destroy(id, cgroup_path).WithContext("removing container " + id);
}

StatusOr<ExecResult> RuncRuntime::Exec(const std::string& id, const std::vector<std::string>& argv,
                                       milliseconds timeout) {
  if (argv.empty()) return InvalidArgumentError("exec in " + id + ": empty command");
  if (!ValidateId(id).ok()) return NotFoundError("container " + id + " not found");
  ContainerDir dir(options_.state_dir, id);
  MOOR_ASSIGN_OR_RETURN(ContainerRecord record, dir.ReadRecord());
  if (Exists(dir.exit_file())) return FailedPreconditionError("container " + id + " is not running");
  const std::string pid_file = dir.root() + "/exec-" + RandomHex(6) + ".pid";
  std::vector<std::string> args = {"exec", "--pid-file", pid_file, id};
  args.insert(args.end(), argv.begin(), argv.end());
  CommandSpec cmd = RuncCommand(std::move(args), timeout);
  auto result = runner_->Run(cmd);
  if (result.ok() && result->timed_out) {
    // runc died by the timeout; the process it started in the container did not.
    int pid = ReadPidFile(pid_file);
    if (pid > 0) ::kill(pid, SIGKILL);
  }
  ::unlink(pid_file.c_str());
  if (!result.ok()) return result.status();
  ExecResult out;
  out.exit_code = result->exit_code;
  out.timed_out = result->timed_out;
  out.out = std::move(result->out);
  out.err = std::move(result->err);
  return out;
}

std::vector<std::string> RuncRuntime::InteractiveExecCommand(const std::string& id, const std::vector<std::string>& argv,
                                                             bool tty) {
  std::vector<std::string> out = {runc_, "--root", options_.runc_root, "exec"};
  if (tty) out.push_back("-t");
  out.push_back(id);
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

namespace {

// An executable by name (PATH, then /usr/sbin and /sbin, where Debian puts runc) or path.
// A /bin/sh script conmon runs as its OCI runtime for Run: conmon always calls
// "<runtime> [--root R] create --bundle B --pid-file P [--console-socket S] ID"; the script
// execs runc with that first "create" replaced by "run --detach", so the container is created
// and started by one runc process (`runc start` after it would be a second). Paths are
// absolute; none of them is the word "create".
std::string RuncRunWrapper(const std::string& runc) {
  return "#!/bin/sh\n"
         "# Written by moor (runtime/container): conmon's \"create\" becomes \"run --detach\".\n"
         "replaced=\n"
         "for arg do\n"
         "  shift\n"
         "  if [ -z \"$replaced\" ] && [ \"$arg\" = create ]; then set -- \"$@\" run --detach; replaced=1\n"
         "  else set -- \"$@\" \"$arg\"; fi\n"
         "done\n"
         "exec '" + runc + "' \"$@\"\n";
}

StatusOr<std::string> FindProgram(const std::string& name, const std::string& package) {
  auto executable = [](const std::string& p) { return ::access(p.c_str(), X_OK) == 0; };
  if (name.find('/') != std::string::npos) {
    if (executable(name)) return fs::absolute(name).string();
    return FailedPreconditionError(name + " is not an executable file");
  }
  std::string dirs = ::getenv("PATH") != nullptr ? ::getenv("PATH") : "";
  dirs += ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (!dir.empty() && executable(dir + "/" + name)) return dir + "/" + name;
    start = end + 1;
  }
  return FailedPreconditionError(name + " not found in PATH or /usr/sbin; install the Debian package " + package);
}

}  // namespace

StatusOr<std::unique_ptr<ContainerRuntime>> CreateRuncRuntime(const RuncRuntimeOptions& options) {
  if (options.state_dir.empty()) return InvalidArgumentError("runc runtime: state_dir is required");
  if (options.cgroup_parent.empty() || options.cgroup_parent.find("..") != std::string::npos ||
      options.cgroup_parent.front() == '/') {
    return InvalidArgumentError("runc runtime: cgroup_parent \"" + options.cgroup_parent +
                                "\" must be a relative cgroup name like \"moor\"");
  }
  RuncRuntimeOptions o = options;
  o.state_dir = fs::absolute(o.state_dir).lexically_normal().string();
  while (o.state_dir.size() > 1 && o.state_dir.back() == '/') o.state_dir.pop_back();
  o.runc_root = o.runc_root.empty() ? o.state_dir + "/runc" : fs::absolute(o.runc_root).lexically_normal().string();
  MOOR_ASSIGN_OR_RETURN(std::string runc, FindProgram(o.runc_path, "runc"));
  MOOR_ASSIGN_OR_RETURN(std::string conmon, FindProgram(o.conmon_path, "conmon"));
  MOOR_RETURN_IF_ERROR(MakeDirs(o.state_dir));
  ::chmod(o.state_dir.c_str(), 0700);
  MOOR_RETURN_IF_ERROR(MakeDirs(o.runc_root));
  // Real paths: mounts are found in /proc/self/mountinfo by path, which has no symlinks.
  std::error_code ec;
  o.state_dir = fs::canonical(o.state_dir, ec).string();
  if (!ec) o.runc_root = fs::canonical(o.runc_root, ec).string();
  if (ec) return UnavailableError("resolve " + o.state_dir + ": " + ec.message());
  if (runc.find('\'') != std::string::npos) return InvalidArgumentError("runc path " + runc + " contains a quote");
  MOOR_RETURN_IF_ERROR(WriteFileAtomic(RuncRunWrapperPath(o.state_dir), RuncRunWrapper(runc), 0700));
  return std::unique_ptr<ContainerRuntime>(new RuncRuntime(std::move(o), std::move(runc), std::move(conmon),
                                                           CgroupHost::Detect(), DetectHostLimits()));
}

}  // namespace moor::runtime
