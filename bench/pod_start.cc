// bench/pod_start: how fast pods start through moor, next to raw runc in the same run; and what
// the daemon costs with 50 pods running.
//
// Needs root, runc, conmon, the CNI plugins, busybox-static, docker-registry and skopeo (the
// e2e prerequisites). Builds a busybox image, serves it from a docker-registry on 127.0.0.1 and
// starts an isolated `moor server` (tests/e2e MoorNode: own prefix, bridge, /24, route metric)
// whose config mirrors docker.io to that registry. The image is pulled once by a warm-up pod.
// Then, for N in {1, 10, 50}:
//   moor    wall time from writing ONE manifest file holding N Pod documents (busybox
//           `httpd -f -p 8000 -h /www`, terminationGracePeriodSeconds 1, no probes) into the
//           watched folder until the API's pod watch (one curl on /api/v1/pods?watch=true, as
//           `kubectl get pods -w`, read every 2 ms) has reported all N in phase Running with
//           their container state running. Also shown: the time of the last "container
//           started" in the daemon's log, i.e. moor without the status write and the watch;
//   anchor  the same N containers through raw runc, doing what a minimal runtime must: an
//           overlay mount of the very layer dirs the daemon unpacked, a config.json from
//           `runc spec` (args, no terminal, cgroupsPath, the netns), a netns from `ip netns add`
//           (no CNI), and `runc run -d` with its own --root. Timed with 4 containers in flight at
//           once, like moor's 4 agent workers (the ratio uses this one), and one at a time.
//   runc+CNI (informational) the parallel anchor plus, per netns, the CNI ADD moor's pods get:
//           the bridge plugin with host-local IPAM and moor's settings, on a bridge and free /24
//           of its own. moor / (runc+CNI) is what moor itself adds (daemon, conmon, status).
// With the 50 pods running: the daemon's VmRSS and VmHWM (and its anon / file-backed split, Pss,
// threads), its CPU over 10 idle seconds (utime+stime, as % of one core; reaped children
// separately), and the RSS and Pss of the 50 conmon monitors (cmdline names the daemon's data
// dir). Where moor's time goes: CPU seconds per round (daemon, its children, the conmons with
// their `runc create`, the watching curl; the anchor's runc and ip) and per-pod stages from the
// daemon's debug log (stored, sandbox ready, container created, container started, seen). Pods are deleted (and waited for) between rounds; everything the
// anchor made is removed after each round and on every exit path (SIGINT/SIGTERM included), and
// MoorNode::Clean removes whatever the daemon made.
//
// Usage: pod_start [--daemon-log FILE] [N...]
//   N: pod counts (default 1 10 50); RSS and idle CPU are measured at the largest.
//   --daemon-log: keep a copy of the daemon's debug log (for a closer look at where time goes).
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "moor/api/kubeconfig.h"
#include "moor/common/clock.h"
#include "moor/common/command.h"
#include "moor/common/files.h"
#include "moor/common/log.h"
#include "moor/runtime/cni/config.h"
#include "moor/runtime/image_store.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"
#include "moor/testing/test_registry.h"
#include "moor_node.h"
#include "pod_watch.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using moor::Status;
using moor::StatusOr;
using nlohmann::json;
using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kMoorWorkers = 4;  // NodeAgentOptions::workers, the daemon's default
constexpr milliseconds kRoundTimeout{300000};
constexpr char kImage[] = "busybox:1.36";

std::atomic<bool> g_interrupted{false};
extern "C" void OnSignal(int) { g_interrupted = true; }

// A command for moor's CommandRunner.
moor::CommandSpec Cmd(std::vector<std::string> argv, milliseconds timeout = milliseconds(30000)) {
  moor::CommandSpec spec;
  spec.argv = std::move(argv);
  spec.timeout = timeout;
  return spec;
}

double Ms(Steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Polls `condition` every `interval` until true; false on timeout or SIGINT/SIGTERM.
bool Poll(const std::function<bool()>& condition, milliseconds timeout, milliseconds interval) {
  auto deadline = Steady::now() + timeout;
  while (!g_interrupted) {
    if (condition()) return true;
    if (Steady::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// /proc readings.

std::string ReadProc(const std::string& path) {
  auto text = moor::ReadFileLimited(path, 1 << 20);
  return text.ok() ? *text : std::string();
}

// The "<key>: <n> kB" line of /proc/<pid>/<file> in kB, or -1: "status" (VmRSS, VmHWM, RssAnon,
// Threads, ...) or "smaps_rollup" (Pss: shared pages split between their users).
long ProcKb(pid_t pid, const std::string& file, const std::string& key) {
  std::istringstream in(ReadProc("/proc/" + std::to_string(pid) + "/" + file));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
  }
  return -1;
}
long StatusKb(pid_t pid, const std::string& key) { return ProcKb(pid, "status", key); }
long RollupKb(pid_t pid, const std::string& key) { return ProcKb(pid, "smaps_rollup", key); }

struct CpuTicks {
  long self = 0;      // utime + stime
  long children = 0;  // cutime + cstime (reaped children: runc, CNI plugins, ...)
};

std::optional<CpuTicks> ReadCpu(pid_t pid) {
  std::string stat = ReadProc("/proc/" + std::to_string(pid) + "/stat");
  auto paren = stat.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream in(stat.substr(paren + 2));
  std::vector<std::string> f;  // f[0] is field 3 (state)
  std::string tok;
  while (in >> tok) f.push_back(tok);
  if (f.size() < 15) return std::nullopt;
  return CpuTicks{std::stol(f[11]) + std::stol(f[12]), std::stol(f[13]) + std::stol(f[14])};
}

// argv of a process, NUL-separated fields split.
std::vector<std::string> Cmdline(pid_t pid) {
  std::string raw = ReadProc("/proc/" + std::to_string(pid) + "/cmdline");
  std::vector<std::string> args;
  std::string cur;
  for (char c : raw) {
    if (c == '\0') {
      args.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) args.push_back(cur);
  return args;
}

double Seconds(long ticks) { return static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK)); }

// CPU seconds of this process's reaped children (runc, ip, the moor CLI).
double ChildrenCpuSeconds() {
  struct rusage ru {};
  ::getrusage(RUSAGE_CHILDREN, &ru);
  auto s = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

std::vector<pid_t> AllPids() {
  std::vector<pid_t> pids;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    std::string name = e.path().filename().string();
    if (!name.empty() && std::all_of(name.begin(), name.end(), ::isdigit)) pids.push_back(std::stoi(name));
  }
  return pids;
}

// The `moor server --config <config_path>` of this MoorNode.
pid_t DaemonPid(const moor::e2e::MoorNode& node) {
  std::string config = node.config_path().string();
  for (pid_t pid : AllPids()) {
    auto args = Cmdline(pid);
    if (args.size() >= 4 && args[1] == "server" && std::find(args.begin(), args.end(), config) != args.end()) return pid;
  }
  return 0;
}

// conmon processes whose command line names the daemon's data dir.
std::vector<pid_t> ConmonPids(const moor::e2e::MoorNode& node) {
  std::string data = node.data_dir().string();
  std::vector<pid_t> out;
  for (pid_t pid : AllPids()) {
    auto args = Cmdline(pid);
    if (args.empty() || fs::path(args[0]).filename() != "conmon") continue;
    bool ours = std::any_of(args.begin(), args.end(), [&](const std::string& a) { return a.find(data) != std::string::npos; });
    if (ours) out.push_back(pid);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// moor side.

std::string PodsYaml(const std::string& base, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + base + "-" + std::to_string(i) +
           "\n  labels: {app: " + base + "}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n"
           "  - name: web\n    image: " + kImage + "\n"
           "    command: [\"httpd\", \"-f\", \"-p\", \"8000\", \"-h\", \"/www\"]\n"
           "    ports:\n    - {containerPort: 8000}\n---\n";
  }
  return out;
}

// `moor get pods -o json` items; nullopt if the CLI failed.
std::optional<json> ListPods(moor::e2e::MoorNode& node) {
  auto r = node.Moor({"get", "pods", "-o", "json"});
  if (r.exit_code != 0) return std::nullopt;
  json list = json::parse(r.out, nullptr, false);
  if (!list.is_object() || !list.contains("items") || !list["items"].is_array()) return std::nullopt;
  return list["items"];
}

std::string PodName(const json& pod) {
  return pod.contains("metadata") && pod["metadata"].is_object() ? pod["metadata"].value("name", "") : "";
}

// Phase Running and every container's state is `running` (started, for a container without
// probes).
bool StartedRunning(const json& pod) {
  if (!pod.contains("status") || !pod["status"].is_object()) return false;
  const json& status = pod["status"];
  if (status.value("phase", "") != "Running") return false;
  if (!status.contains("containerStatuses") || !status["containerStatuses"].is_array() ||
      status["containerStatuses"].empty()) {
    return false;
  }
  for (const json& c : status["containerStatuses"]) {
    if (!c.contains("state") || !c["state"].is_object() || !c["state"].contains("running")) return false;
    if (c.contains("started") && c["started"].is_boolean() && !c["started"].get<bool>()) return false;
  }
  return true;
}

// CPU seconds spent while a round of N pods started.
struct RoundCpu {
  double daemon = 0;           // the moor server itself (utime+stime)
  double daemon_children = 0;  // what it ran and reaped: CNI plugins, runc state/start, ...
  double conmons = 0;          // the new pods' conmons incl. the `runc create` each one runs
  double watch = 0;            // the curl process following the API's pod watch
};

struct MoorRound {
  double total_ms = 0;
  RoundCpu cpu;
  std::map<std::string, double> seen_running_ms;  // pod -> first watch event that showed it running
  std::chrono::system_clock::time_point written;   // wall clock of the write, for the daemon log
};

// Writes one file with N pods and waits until the API's pod watch has reported all of them
// running.
StatusOr<MoorRound> StartPodsThroughMoor(moor::e2e::MoorNode& node, moor::bench::PodWatch& watch, pid_t daemon,
                                         const std::string& base, int n) {
  MoorRound round;
  std::string yaml = PodsYaml(base, n);
  watch.Drain([](const std::string&, const json&) {});  // events from before this round
  auto cpu0 = ReadCpu(daemon);
  auto watch0 = ReadCpu(watch.pid());
  round.written = std::chrono::system_clock::now();
  auto t0 = Steady::now();
  node.WriteManifest(base + ".yaml", yaml);
  bool watching = true;
  bool all = Poll(
      [&] {
        watching = watch.Drain([&](const std::string& type, const json& pod) {
          std::string name = PodName(pod);
          if (type == "DELETED" || name.rfind(base + "-", 0) != 0 || round.seen_running_ms.count(name)) return;
          if (StartedRunning(pod)) round.seen_running_ms[name] = Ms(Steady::now() - t0);
        });
        return static_cast<int>(round.seen_running_ms.size()) == n || !watching;
      },
      kRoundTimeout, milliseconds(2));
  if (!watching) return moor::UnavailableError("the pod watch ended: " + watch.error());
  if (!all) {
    return moor::DeadlineExceededError(std::to_string(round.seen_running_ms.size()) + " of " + std::to_string(n) +
                                       " pods running after " + std::to_string(kRoundTimeout.count() / 1000) +
                                       " s" + (g_interrupted ? " (interrupted)" : ""));
  }
  for (const auto& [name, ms] : round.seen_running_ms) round.total_ms = std::max(round.total_ms, ms);
  auto cpu1 = ReadCpu(daemon);
  if (cpu0 && cpu1) {
    round.cpu.daemon = Seconds(cpu1->self - cpu0->self);
    round.cpu.daemon_children = Seconds(cpu1->children - cpu0->children);
  }
  if (auto watch1 = ReadCpu(watch.pid()); watch0 && watch1) round.cpu.watch = Seconds(watch1->self - watch0->self);
  for (pid_t pid : ConmonPids(node)) {  // only this round's pods run now
    if (auto c = ReadCpu(pid)) round.cpu.conmons += Seconds(c->self + c->children);
  }
  return round;
}

// Removes the file and waits until the pods, their runc containers and netns are gone.
Status DeletePods(moor::e2e::MoorNode& node, const std::string& base) {
  node.RemoveManifest(base + ".yaml");
  bool gone = Poll(
      [&] {
        auto pods = ListPods(node);
        if (!pods) return false;
        for (const json& pod : *pods) {
          if (PodName(pod).rfind(base + "-", 0) == 0) return false;
        }
        return node.RuncContainerIds().empty() && node.NetnsWithPrefix().empty();
      },
      milliseconds(120000), milliseconds(100));
  if (!gone) return moor::DeadlineExceededError("pods " + base + "-* not gone after 120 s");
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Where moor's time goes: the daemon's logfmt lines (ts=... msg="..." pod=... id=...).

struct LogLine {
  std::chrono::system_clock::time_point ts;
  std::string msg, pod, id, file;
};

std::string Field(const std::string& line, const std::string& key) {
  std::string needle = " " + key + "=";
  auto at = line.find(needle);
  if (at == std::string::npos) {
    if (line.rfind(key + "=", 0) != 0) return "";
    at = 0;
  } else {
    at += 1;
  }
  at += key.size() + 1;
  if (at < line.size() && line[at] == '"') {
    auto end = line.find('"', at + 1);
    return line.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
  }
  auto end = line.find(' ', at);
  return line.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

std::vector<LogLine> ReadDaemonLog(const moor::e2e::MoorNode& node) {
  std::vector<LogLine> out;
  std::ifstream in(node.first_server_log());
  std::string line;
  while (std::getline(in, line)) {
    auto ts = moor::ParseRfc3339(Field(line, "ts"));
    if (!ts.ok()) continue;
    out.push_back(LogLine{*ts, Field(line, "msg"), Field(line, "pod"), Field(line, "id"), Field(line, "file")});
  }
  return out;
}

// Per pod, in ms: write -> file synced into the store ("synced file"), stored -> "sandbox
// ready", sandbox -> "container created" (debug), created -> "container started", started ->
// first watch event that showed it running.
struct Stages {
  std::vector<double> stored, sandbox, created, started, seen;
  double last_started = 0;  // ms after the write of the last "container started": moor without status write and watch
};

Stages StagesFromLog(const moor::e2e::MoorNode& node, const MoorRound& round, const std::string& base) {
  auto after = [&](std::chrono::system_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(t - round.written).count();
  };
  std::map<std::string, std::string> pod_of_id;
  std::map<std::string, double> sandbox, created, started;
  auto lines = ReadDaemonLog(node);
  std::optional<double> stored;
  for (const LogLine& l : lines) {
    if (l.ts < round.written) continue;
    if (l.msg == "synced file" && !stored && fs::path(l.file).filename() == base + ".yaml") stored = after(l.ts);
    std::string pod = l.pod.substr(l.pod.find('/') + 1);
    if (l.msg == "container started" && pod.rfind(base + "-", 0) == 0) {
      pod_of_id[l.id] = pod;
      started.emplace(pod, after(l.ts));
    }
    if (l.msg == "sandbox ready" && pod.rfind(base + "-", 0) == 0) sandbox.emplace(pod, after(l.ts));
  }
  for (const LogLine& l : lines) {
    if (l.ts < round.written || (l.msg != "container created" && l.msg != "container created and started")) continue;
    auto it = pod_of_id.find(l.id);
    if (it != pod_of_id.end()) created.emplace(it->second, after(l.ts));
  }
  Stages s;
  for (const auto& [pod, ms] : round.seen_running_ms) {
    if (!stored || !sandbox.count(pod) || !created.count(pod) || !started.count(pod)) continue;
    s.stored.push_back(*stored);
    s.sandbox.push_back(sandbox[pod] - *stored);
    s.created.push_back(created[pod] - sandbox[pod]);
    s.started.push_back(started[pod] - created[pod]);
    s.seen.push_back(ms - started[pod]);
    s.last_started = std::max(s.last_started, started[pod]);
  }
  return s;
}

std::string MedianMax(std::vector<double> v) {
  if (v.empty()) return "      n/a";
  std::sort(v.begin(), v.end());
  char buf[64];
  std::snprintf(buf, sizeof buf, "%6.0f / %-6.0f", v[v.size() / 2], v.back());
  return buf;
}

// ---------------------------------------------------------------------------------------------
// The anchor: raw runc.

// Runs argv to completion with stdin from /dev/null and stdout+stderr appended to `log`. Not
// CommandRunner: `runc run -d` hands its own stdio to the container, so a pipe would stay open
// (and the runner wait) as long as the container runs. Returns the exit status, or -1.
int SpawnAndWait(const std::vector<std::string>& argv, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The pod network the second anchor sets up by hand: the bridge plugin (with host-local IPAM)
// configured as moor's own conflist configures it (cni::BuildConflist), on a bridge and /24 of
// its own.
struct AnchorNetwork {
  std::string bridge;  // at most 15 characters
  std::string subnet;  // a free /24 of 10.42.0.0/16 (moor's unreachable route covers it)
  fs::path state_dir;  // host-local's leases go to <state_dir>/ipam
};

// Containers <prefix>-<round>-<i> with bundles under `dir`, netns <prefix>-<round>-<i>, cgroups
// under /<prefix>/, state under <dir>/runc-root. With an AnchorNetwork, each netns also gets its
// eth0 from the CNI bridge plugin (ADD), as moor's pods do. Everything it made is in made_, so
// Clean() removes exactly that (also after a partial start): CNI DEL, then the netns; the bridge
// and the IPAM dir last.
class RuncAnchor {
 public:
  RuncAnchor(std::string prefix, fs::path dir, std::vector<std::string> layers_bottom_first,
             std::optional<AnchorNetwork> network = std::nullopt)
      : prefix_(std::move(prefix)), dir_(std::move(dir)), layers_(std::move(layers_bottom_first)),
        network_(std::move(network)) {
    if (!network_) return;
    moor::runtime::CniNetworkOptions options;
    options.name_prefix = prefix_;
    options.bridge = network_->bridge;
    options.pod_subnet = network_->subnet;
    options.state_dir = network_->state_dir.string();
    json conflist = moor::runtime::cni::BuildConflist(options);
    bridge_config_ = conflist["plugins"][0];  // the bridge plugin (portmap runs only for host ports)
    bridge_config_["cniVersion"] = conflist["cniVersion"];
    bridge_config_["name"] = conflist["name"];
  }
  ~RuncAnchor() { Clean(); }

  // `runc spec` once: the template every container's config.json is made from.
  Status Prepare() {
    fs::create_directories(dir_ / "spec");
    MOOR_ASSIGN_OR_RETURN(auto r, moor::RunChecked(moor::SystemCommandRunner(),
                                                   Cmd({"runc", "spec", "--bundle", (dir_ / "spec").string()})));
    (void)r;
    MOOR_ASSIGN_OR_RETURN(std::string text, moor::ReadFileLimited(dir_ / "spec" / "config.json", 1 << 20));
    spec_ = json::parse(text, nullptr, false);
    if (!spec_.is_object()) return moor::InternalError("runc spec wrote unreadable JSON");
    return Status::Ok();
  }

  // Starts n containers, `parallel` at a time; returns the wall time until every `runc run -d`
  // returned. Fails if one fails or any is not running afterwards.
  StatusOr<double> Start(const std::string& round, int n, int parallel) {
    double cpu0 = ChildrenCpuSeconds();
    std::atomic<int> next{0};
    std::mutex mu;
    Status first_error = Status::Ok();
    auto t0 = Steady::now();
    std::vector<std::thread> threads;
    for (int w = 0; w < parallel; ++w) {
      threads.emplace_back([&] {
        for (int i = next++; i < n && !g_interrupted; i = next++) {
          Status st = StartOne(prefix_ + "-" + round + "-" + std::to_string(i));
          if (!st.ok()) {
            std::lock_guard<std::mutex> lock(mu);
            if (first_error.ok()) first_error = st;
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    double ms = Ms(Steady::now() - t0);
    last_cpu_seconds_ = ChildrenCpuSeconds() - cpu0;
    MOOR_RETURN_IF_ERROR(first_error);
    if (g_interrupted) return moor::UnavailableError("interrupted");
    int running = CountRunning();
    if (running != n) return moor::InternalError(std::to_string(running) + " of " + std::to_string(n) + " runc containers running");
    return ms;
  }

  // CPU seconds of the runc and ip processes of the last Start (the bench's own work, mounts
  // and file writes, is not included; it is small).
  double last_cpu_seconds() const { return last_cpu_seconds_; }

  // Removes every container, mount, netns, bundle and cgroup it made. Safe to call again.
  void Clean() {
    std::vector<Made> made;
    {
      std::lock_guard<std::mutex> lock(mu_);
      made.swap(made_);
    }
    for (const Made& m : made) {
      if (m.runc) Run({"runc", "--root", Root(), "delete", "--force", m.id});
      if (m.mounted) ::umount2((Bundle(m.id) / "rootfs").c_str(), MNT_DETACH);
      if (m.cni) {
        auto r = moor::SystemCommandRunner().Run(CniCommand("DEL", m.id));
        (void)r;  // best effort, like the rest of Clean
      }
      if (m.netns) Run({"ip", "netns", "delete", m.id});
      std::error_code ec;
      fs::remove_all(Bundle(m.id), ec);
    }
    moor::e2e::RemoveCgroupDirs(prefix_);
    if (network_) {
      std::error_code ec;
      if (fs::exists("/sys/class/net/" + network_->bridge, ec)) Run({"ip", "link", "delete", network_->bridge});
      fs::remove_all(network_->state_dir, ec);
    }
  }

 private:
  struct Made {
    std::string id;
    bool mounted = false, netns = false, cni = false, runc = false;
  };

  // The bridge plugin (which runs host-local) for netns `id`: CNI_COMMAND ADD or DEL.
  moor::CommandSpec CniCommand(const std::string& command, const std::string& id) const {
    moor::CommandSpec spec = Cmd({"/usr/lib/cni/bridge"});
    spec.env = {{"CNI_COMMAND", command},
                {"CNI_CONTAINERID", id},
                {"CNI_NETNS", "/var/run/netns/" + id},
                {"CNI_IFNAME", "eth0"},
                {"CNI_PATH", "/usr/lib/cni"}};
    spec.input = bridge_config_.dump();
    return spec;
  }

  std::string Root() const { return (dir_ / "runc-root").string(); }
  fs::path Bundle(const std::string& id) const { return dir_ / "bundles" / id; }

  static void Run(const std::vector<std::string>& argv) {
    auto r = moor::SystemCommandRunner().Run(Cmd(argv));
    (void)r;  // clean-up is best effort; MoorNode-style checks below report leftovers
  }

  Made& Record(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    made_.push_back(Made{id});
    return made_.back();
  }
  void Mark(const std::string& id, bool Made::*flag) {
    std::lock_guard<std::mutex> lock(mu_);
    for (Made& m : made_) {
      if (m.id == id) m.*flag = true;
    }
  }

  // What a minimal runtime does for one container.
  Status StartOne(const std::string& id) {
    Record(id);
    fs::path bundle = Bundle(id);
    for (const char* d : {"rootfs", "upper", "work"}) fs::create_directories(bundle / d);
    std::string lower;
    for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) lower += (lower.empty() ? "" : ":") + *it;
    std::string data = "lowerdir=" + lower + ",upperdir=" + (bundle / "upper").string() + ",workdir=" + (bundle / "work").string();
    if (::mount("overlay", (bundle / "rootfs").c_str(), "overlay", 0, data.c_str()) != 0) {
      return moor::UnavailableError("mount overlay for " + id + ": " + std::strerror(errno));
    }
    Mark(id, &Made::mounted);
    MOOR_ASSIGN_OR_RETURN(auto netns, moor::RunChecked(moor::SystemCommandRunner(), Cmd({"ip", "netns", "add", id})));
    (void)netns;
    Mark(id, &Made::netns);
    if (network_) {
      Mark(id, &Made::cni);  // DEL is safe after a failed ADD
      auto added = moor::SystemCommandRunner().Run(CniCommand("ADD", id));
      if (!added.ok()) return added.status();
      if (added->exit_code != 0) {
        return moor::UnavailableError("CNI ADD for " + id + " exited " + std::to_string(added->exit_code) + ": " +
                                      added->out + added->err);
      }
    }
    json config = spec_;
    config["process"]["terminal"] = false;
    config["process"]["args"] = {"httpd", "-f", "-p", "8000", "-h", "/www"};
    config["root"] = {{"path", "rootfs"}, {"readonly", false}};
    config["hostname"] = id;
    config["linux"]["cgroupsPath"] = "/" + prefix_ + "/" + id;
    for (json& ns : config["linux"]["namespaces"]) {
      if (ns.value("type", "") == "network") ns["path"] = "/var/run/netns/" + id;
    }
    MOOR_RETURN_IF_ERROR(moor::WriteFileAtomic((bundle / "config.json").string(), config.dump()));
    Mark(id, &Made::runc);  // from here on a half-created container may exist
    int rc = SpawnAndWait({"runc", "--root", Root(), "run", "-d", "--bundle", bundle.string(), id},
                          (bundle / "runc.log").string());
    if (rc != 0) {
      auto log = moor::ReadFileLimited(bundle / "runc.log", 4096);
      return moor::UnavailableError("runc run -d " + id + " exited " + std::to_string(rc) + ": " + (log.ok() ? *log : ""));
    }
    return Status::Ok();
  }

  int CountRunning() {
    auto r = moor::SystemCommandRunner().Run(Cmd({"runc", "--root", Root(), "list", "--format", "json"}));
    if (!r.ok() || r->exit_code != 0) return -1;
    json list = json::parse(r->out, nullptr, false);
    int running = 0;
    if (list.is_array()) {
      for (const json& c : list) running += c.value("status", "") == "running" ? 1 : 0;
    }
    return running;
  }

  std::string prefix_;
  fs::path dir_;
  std::vector<std::string> layers_;
  std::optional<AnchorNetwork> network_;
  json bridge_config_;  // with network_: the bridge plugin's stdin config
  json spec_;
  double last_cpu_seconds_ = 0;
  std::mutex mu_;
  std::vector<Made> made_;  // GUARDED_BY(mu_)
};

// The layer dirs the daemon unpacked for the image (its store under <data>/images).
StatusOr<std::vector<std::string>> DaemonLayers(const moor::e2e::MoorNode& node) {
  moor::runtime::ImageStoreOptions options;
  options.root = (node.data_dir() / "images").string();
  MOOR_ASSIGN_OR_RETURN(auto store, moor::runtime::OpenImageStore(options));
  MOOR_ASSIGN_OR_RETURN(moor::runtime::Image image, store->Get(kImage));
  return store->LayerPaths(image);
}

// ---------------------------------------------------------------------------------------------

struct Footprint {
  long rss_kb = -1, hwm_kb = -1, pss_kb = -1, anon_kb = -1, threads = -1;
  double idle_self_pct = -1, idle_children_pct = -1, conmon_idle_pct = -1;
  long conmon_rss_kb = 0, conmon_pss_kb = 0;
  int conmons = 0;
};

Footprint MeasureFootprint(const moor::e2e::MoorNode& node, pid_t daemon) {
  Footprint f;
  auto conmons = ConmonPids(node);
  f.conmons = static_cast<int>(conmons.size());
  for (pid_t pid : conmons) {
    f.conmon_rss_kb += std::max(0L, StatusKb(pid, "VmRSS"));
    f.conmon_pss_kb += std::max(0L, RollupKb(pid, "Pss"));
  }
  // Idle: nothing talks to the daemon for 10 s.
  const long hz = ::sysconf(_SC_CLK_TCK);
  auto cpu0 = ReadCpu(daemon);
  long conmon0 = 0;
  for (pid_t pid : conmons) conmon0 += ReadCpu(pid) ? ReadCpu(pid)->self : 0;
  auto t0 = Steady::now();
  Poll([] { return false; }, milliseconds(10000), milliseconds(100));
  double seconds = Ms(Steady::now() - t0) / 1000.0;
  auto cpu1 = ReadCpu(daemon);
  long conmon1 = 0;
  for (pid_t pid : conmons) conmon1 += ReadCpu(pid) ? ReadCpu(pid)->self : 0;
  if (cpu0 && cpu1) {
    f.idle_self_pct = 100.0 * static_cast<double>(cpu1->self - cpu0->self) / static_cast<double>(hz) / seconds;
    f.idle_children_pct = 100.0 * static_cast<double>(cpu1->children - cpu0->children) / static_cast<double>(hz) / seconds;
  }
  f.conmon_idle_pct = 100.0 * static_cast<double>(conmon1 - conmon0) / static_cast<double>(hz) / seconds;
  f.rss_kb = StatusKb(daemon, "VmRSS");
  f.hwm_kb = StatusKb(daemon, "VmHWM");
  f.threads = StatusKb(daemon, "Threads");
  f.pss_kb = RollupKb(daemon, "Pss");
  f.anon_kb = StatusKb(daemon, "RssAnon");
  return f;
}

struct Row {
  int n = 0;
  double moor_ms = 0, runc_parallel_ms = 0, runc_sequential_ms = 0;
  RoundCpu moor_cpu;
  double runc_cpu = 0;  // the parallel anchor's runc + ip processes
  double runc_cni_ms = 0, runc_cni_cpu = 0;  // the second anchor: + the CNI plugins, 4 at a time
  Stages stages;
};

int Run(const std::vector<int>& counts, const std::string& daemon_log_copy) {
  if (std::string missing = moor::e2e::MissingPrerequisites(); !missing.empty()) {
    std::fprintf(stderr, "pod_start: %s\n", missing.c_str());
    return 2;
  }
  auto registry = moor::testing::TestRegistry::Start();
  if (!registry.ok()) {
    std::fprintf(stderr, "pod_start: test registry: %s\n", registry.status().ToString().c_str());
    return 1;
  }
  moor::testing::TempDir work("bench-pod-start");
  auto layout = moor::testing::BuildBusyboxImageLayout(work / "oci", "1.36");
  Status pushed = layout.ok() ? (*registry)->Push(work / "oci", "1.36", "library/busybox:1.36") : layout.status();
  if (!pushed.ok()) {
    std::fprintf(stderr, "pod_start: busybox image: %s\n", pushed.ToString().c_str());
    return 1;
  }
  moor::e2e::MoorNode node((*registry)->MirrorConfig("docker.io"));
  if (std::string error = node.Start(); !error.empty()) {
    std::fprintf(stderr, "pod_start: %s\n", error.c_str());
    return 1;
  }
  // On every way out of Run (before MoorNode removes its dir): the daemon's log, if asked for.
  struct LogCopy {
    const moor::e2e::MoorNode& node;
    const std::string& to;
    ~LogCopy() {
      std::error_code ec;
      if (!to.empty()) fs::copy_file(node.first_server_log(), to, fs::copy_options::overwrite_existing, ec);
    }
  } log_copy{node, daemon_log_copy};
  auto fail = [&](const std::string& what, const Status& st) {
    std::fprintf(stderr, "pod_start: %s: %s\n--- end of the daemon's log ---\n%s\n", what.c_str(), st.ToString().c_str(),
                 node.ServerLog().c_str());
    return 1;
  };

  pid_t daemon = DaemonPid(node);
  if (daemon == 0) return fail("finding the daemon's pid", moor::NotFoundError("no moor server process"));
  auto watch = moor::bench::PodWatch::Start(moor::api::DefaultKubeconfigPath(node.data_dir()), work.path());
  if (!watch.ok()) return fail("starting the pod watch", watch.status());
  // Warm-up: pulls and unpacks the image, and warms the CNI plugins and page cache.
  auto warm = StartPodsThroughMoor(node, **watch, daemon, "warm", 1);
  if (!warm.ok()) return fail("warm-up pod", warm.status());
  if (Status st = DeletePods(node, "warm"); !st.ok()) return fail("deleting the warm-up pod", st);
  long idle_rss_kb = StatusKb(daemon, "VmRSS");  // no pod running, image pulled
  long idle_threads = StatusKb(daemon, "Threads");
  auto layers = DaemonLayers(node);
  if (!layers.ok()) return fail("the daemon's image layers", layers.status());
  RuncAnchor anchor(node.prefix() + "r", work / "anchor", *layers);
  if (Status st = anchor.Prepare(); !st.ok()) return fail("runc spec", st);
  RuncAnchor cni_anchor(node.prefix() + "c", work / "anchor-cni", *layers,
                        AnchorNetwork{node.prefix() + "cbr", moor::e2e::FreePodSubnet(), work / "anchor-cni-state"});
  if (Status st = cni_anchor.Prepare(); !st.ok()) return fail("runc spec", st);

  std::vector<Row> rows;
  std::optional<Footprint> footprint;
  int footprint_n = *std::max_element(counts.begin(), counts.end());
  for (int n : counts) {
    Row row;
    row.n = n;
    std::string base = "bench-" + std::to_string(n);
    auto round = StartPodsThroughMoor(node, **watch, daemon, base, n);
    if (!round.ok()) return fail("starting " + std::to_string(n) + " pods", round.status());
    row.moor_ms = round->total_ms;
    row.moor_cpu = round->cpu;
    row.stages = StagesFromLog(node, *round, base);
    if (n == footprint_n) {
      footprint = MeasureFootprint(node, daemon);
    }
    if (Status st = DeletePods(node, base); !st.ok()) return fail("deleting " + base, st);

    auto parallel = anchor.Start("p" + std::to_string(n), n, kMoorWorkers);
    row.runc_cpu = anchor.last_cpu_seconds();
    anchor.Clean();
    if (!parallel.ok()) return fail("runc anchor (parallel)", parallel.status());
    auto sequential = anchor.Start("s" + std::to_string(n), n, 1);
    anchor.Clean();
    if (!sequential.ok()) return fail("runc anchor (sequential)", sequential.status());
    auto with_cni = cni_anchor.Start("p" + std::to_string(n), n, kMoorWorkers);
    row.runc_cni_cpu = cni_anchor.last_cpu_seconds();
    cni_anchor.Clean();
    if (!with_cni.ok()) return fail("runc + CNI anchor", with_cni.status());
    row.runc_parallel_ms = *parallel;
    row.runc_sequential_ms = *sequential;
    row.runc_cni_ms = *with_cni;
    rows.push_back(row);
    std::fprintf(stderr, "pod_start: N=%d done (moor %.0f ms, runc %.0f ms, runc+CNI %.0f ms)\n", n, row.moor_ms,
                 row.runc_parallel_ms, row.runc_cni_ms);
  }

  std::printf("pod_start: busybox httpd pods; image pulled beforehand; moor: %d agent workers, one manifest file with N "
              "Pod documents, until the API's pod watch reports all Running\n",
              kMoorWorkers);
  std::printf("  anchor: raw runc (overlay of the daemon's layer dirs, runc-spec config, `ip netns add`, `runc run -d`), "
              "%d at a time like moor's workers (ratio) and one at a time\n",
              kMoorWorkers);
  std::printf("     N    moor ms   runc ms (%d at a time)   runc ms (sequential)    ratio   target <= 1.25x   |  "
              "moor ms to the last \"container started\" in its log (no status write, no watch), ratio\n", kMoorWorkers);
  for (const Row& r : rows) {
    double ratio = r.moor_ms / r.runc_parallel_ms;
    std::printf("  %4d  %9.0f  %22.0f  %21.0f  %6.2fx   %-15s   |  %9.0f  %6.2fx\n", r.n, r.moor_ms, r.runc_parallel_ms,
                r.runc_sequential_ms, ratio, ratio <= 1.25 ? "met" : "MISSED", r.stages.last_started,
                r.stages.last_started / r.runc_parallel_ms);
  }
  std::printf("  informational, not the target's anchor: raw runc as above plus the CNI plugins moor runs for a pod "
              "(bridge with host-local IPAM, moor's settings, own bridge and /24), %d at a time; what is left is moor's own "
              "cost (daemon, conmon, status)\n",
              kMoorWorkers);
  std::printf("     N    moor ms   runc+CNI ms   moor / (runc+CNI)\n");
  for (const Row& r : rows) {
    std::printf("  %4d  %9.0f  %12.0f   %16.2fx\n", r.n, r.moor_ms, r.runc_cni_ms, r.moor_ms / r.runc_cni_ms);
  }
  if (footprint) {
    const Footprint& f = *footprint;
    double rss_mb = static_cast<double>(f.rss_kb) * 1024 / 1e6, hwm_mb = static_cast<double>(f.hwm_kb) * 1024 / 1e6;
    std::printf("  daemon with %d pods running: VmRSS %.1f MB (%.1f MiB), VmHWM %.1f MB (%.1f MiB)   target <= 30 MB: %s\n",
                footprint_n, rss_mb, f.rss_kb / 1024.0, hwm_mb, f.hwm_kb / 1024.0, rss_mb <= 30 ? "met" : "MISSED");
    std::printf("  idle CPU over 10 s with %d pods: daemon %.2f%% of one core (utime+stime), its reaped children %.2f%%, "
                "all conmons %.2f%%\n",
                footprint_n, f.idle_self_pct, f.idle_children_pct, f.conmon_idle_pct);
    std::printf("  daemon memory split: RssAnon %.1f MiB (heap: malloc arenas of its threads), file-backed %.1f MiB "
                "(binary and shared libraries); Pss %.1f MiB\n",
                f.anon_kb / 1024.0, (f.rss_kb - f.anon_kb) / 1024.0, f.pss_kb / 1024.0);
    std::printf("  for comparison, with no pod running (after the warm-up pod): VmRSS %.1f MB (%.1f MiB); threads %ld "
                "with no pod, %ld with %d pods\n",
                static_cast<double>(idle_rss_kb) * 1024 / 1e6, idle_rss_kb / 1024.0, idle_threads, f.threads, footprint_n);
    std::printf("  conmon monitors: %d, VmRSS sum %.1f MiB (%.0f KiB each), Pss sum %.1f MiB (%.0f KiB each)\n", f.conmons,
                f.conmon_rss_kb / 1024.0, f.conmons > 0 ? static_cast<double>(f.conmon_rss_kb) / f.conmons : 0.0,
                f.conmon_pss_kb / 1024.0, f.conmons > 0 ? static_cast<double>(f.conmon_pss_kb) / f.conmons : 0.0);
  }
  std::printf("  CPU seconds while the pods started (2 cores shared by everything):\n");
  std::printf("     N   moor daemon   its children (CNI, runc)   conmons (incl. runc create)   watch (curl)   "
              "|  runc anchor (%d at a time)   runc+CNI anchor\n", kMoorWorkers);
  for (const Row& r : rows) {
    std::printf("  %4d   %11.2f   %24.2f   %27.2f   %12.2f   |  %24.2f   %15.2f\n", r.n, r.moor_cpu.daemon,
                r.moor_cpu.daemon_children, r.moor_cpu.conmons, r.moor_cpu.watch, r.runc_cpu, r.runc_cni_cpu);
  }
  std::printf("  where moor's time goes (daemon log; ms, median / max over pods):\n");
  std::printf("     N   write->stored     stored->sandbox ready   sandbox->container created   created->started   "
              "started->seen Running\n");
  for (const Row& r : rows) {
    std::printf("  %4d   %13s   %21s   %26s   %16s   %21s\n", r.n, MedianMax(r.stages.stored).c_str(),
                MedianMax(r.stages.sandbox).c_str(),
                MedianMax(r.stages.created).c_str(), MedianMax(r.stages.started).c_str(), MedianMax(r.stages.seen).c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  moor::SetLogLevel(moor::LogLevel::kWarn);
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  std::vector<int> counts;
  std::string daemon_log_copy;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--daemon-log" && i + 1 < argc) {
      daemon_log_copy = argv[++i];
    } else {
      counts.push_back(std::atoi(argv[i]));
    }
  }
  if (counts.empty()) counts = {1, 10, 50};
  if (std::any_of(counts.begin(), counts.end(), [](int n) { return n < 1 || n > 200; })) {
    std::fprintf(stderr, "usage: pod_start [--daemon-log FILE] [N...]   (each N 1..200; default 1 10 50)\n");
    return 2;
  }
  try {
    return Run(counts, daemon_log_copy);
  } catch (const std::exception& e) {  // filesystem errors; destructors have cleaned up
    std::fprintf(stderr, "pod_start: %s\n", e.what());
    return 1;
  }
}
