#include "moor/runtime/oci_spec.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace moor::runtime {
namespace {

using nlohmann::json;

// Index = capability number (linux/capability.h).
const std::vector<std::string>& CapabilityTable() {
  static const std::vector<std::string> kTable = {
      "CAP_CHOWN",           "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
      "CAP_FSETID",          "CAP_KILL",           "CAP_SETGID",          "CAP_SETUID",
      "CAP_SETPCAP",         "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
      "CAP_NET_ADMIN",       "CAP_NET_RAW",        "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
      "CAP_SYS_MODULE",      "CAP_SYS_RAWIO",      "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
      "CAP_SYS_PACCT",       "CAP_SYS_ADMIN",      "CAP_SYS_BOOT",        "CAP_SYS_NICE",
      "CAP_SYS_RESOURCE",    "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
      "CAP_LEASE",           "CAP_AUDIT_WRITE",    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
      "CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",      "CAP_SYSLOG",          "CAP_WAKE_ALARM",
      "CAP_BLOCK_SUSPEND",   "CAP_AUDIT_READ",     "CAP_PERFMON",         "CAP_BPF",
      "CAP_CHECKPOINT_RESTORE",
  };
  return kTable;
}

// "net_admin" / "CAP_NET_ADMIN" -> its number; -1 if unknown.
int CapabilityNumber(std::string_view name) {
  std::string upper;
  for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper.rfind("CAP_", 0) != 0) upper = "CAP_" + upper;
  const auto& table = CapabilityTable();
  auto it = std::find(table.begin(), table.end(), upper);
  return it == table.end() ? -1 : static_cast<int>(it - table.begin());
}

bool IsAll(std::string_view name) {
  std::string upper;
  for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper == "ALL" || upper == "CAP_ALL";
}

bool HasAll(const std::vector<std::string>& names) { return std::any_of(names.begin(), names.end(), IsAll); }

bool HasEnv(const std::vector<std::string>& env, std::string_view key) {
  return std::any_of(env.begin(), env.end(), [&](const std::string& e) {
    return e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=';
  });
}

json Mount(std::string destination, std::string type, std::string source, std::vector<std::string> options) {
  return json{{"destination", std::move(destination)},
              {"type", std::move(type)},
              {"source", std::move(source)},
              {"options", std::move(options)}};
}

// Docker's (moby oci/defaults.go) default mounts; sysfs is read-write only when privileged.
std::vector<json> DefaultMounts(bool privileged) {
  std::vector<std::string> sys_options = {"nosuid", "noexec", "nodev"};
  if (!privileged) sys_options.push_back("ro");
  return {
      Mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
      Mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      Mount("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      Mount("/sys", "sysfs", "sysfs", sys_options),
      Mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
      Mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      Mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
  };
}

std::size_t PathDepth(const std::string& path) {
  return static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
}

std::string NormalizePath(const std::string& path) {
  std::string out = path;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

const std::vector<std::string> kMaskedPaths = {
    "/proc/asound",        "/proc/acpi",        "/proc/kcore",        "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list",  "/proc/timer_stats",  "/proc/sched_debug",
    "/proc/scsi",          "/sys/firmware",     "/sys/devices/virtual/powercap",
};
const std::vector<std::string> kReadonlyPaths = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

}  // namespace

const std::vector<std::string>& DefaultCapabilities() {
  static const std::vector<std::string> kDefault = {
      "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",     "CAP_MKNOD",
      "CAP_NET_RAW", "CAP_SETGID",      "CAP_SETUID",           "CAP_SETFCAP",    "CAP_SETPCAP",
      "CAP_NET_BIND_SERVICE",           "CAP_SYS_CHROOT",       "CAP_KILL",       "CAP_AUDIT_WRITE",
  };
  return kDefault;
}

const std::vector<std::string>& AllCapabilities() { return CapabilityTable(); }

StatusOr<std::vector<std::string>> ComputeCapabilities(const SecurityOptions& security, std::uint64_t available) {
  std::set<int> caps;
  auto insert_all = [&] {
    for (std::size_t i = 0; i < CapabilityTable().size(); ++i) {
      if (available & (std::uint64_t{1} << i)) caps.insert(static_cast<int>(i));
    }
  };
  if (security.privileged) {
    insert_all();
  } else {
    for (const auto& name : DefaultCapabilities()) caps.insert(CapabilityNumber(name));
    if (HasAll(security.capabilities_add)) insert_all();
    if (HasAll(security.capabilities_drop)) caps.clear();
    for (const auto& name : security.capabilities_add) {
      if (IsAll(name)) continue;
      int n = CapabilityNumber(name);
      if (n < 0) return InvalidArgumentError("unknown capability \"" + name + "\" in capabilities.add");
      caps.insert(n);
    }
    for (const auto& name : security.capabilities_drop) {
      if (IsAll(name)) continue;
      int n = CapabilityNumber(name);
      if (n < 0) return InvalidArgumentError("unknown capability \"" + name + "\" in capabilities.drop");
      caps.erase(n);
    }
  }
  std::vector<std::string> out;
  for (int n : caps) out.push_back(CapabilityTable()[static_cast<std::size_t>(n)]);
  return out;
}

StatusOr<json> BuildOciSpec(const ContainerSpec& spec, const OciSpecContext& context) {
  if (spec.args.empty()) return InvalidArgumentError("container " + spec.name + ": no command to run (args is empty)");
  if (spec.id.empty()) return InvalidArgumentError("container " + spec.name + ": empty id");
  MOOR_ASSIGN_OR_RETURN(std::vector<std::string> caps,
                        ComputeCapabilities(spec.security, context.available_capabilities));
  const bool privileged = spec.security.privileged;

  std::vector<std::string> env = spec.env;
  if (!HasEnv(env, "PATH")) env.insert(env.begin(), "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  if (!spec.hostname.empty() && !HasEnv(env, "HOSTNAME")) env.push_back("HOSTNAME=" + spec.hostname);

  json user = {{"uid", context.user.uid}, {"gid", context.user.gid}};
  if (!context.user.additional_gids.empty()) user["additionalGids"] = context.user.additional_gids;

  json process = {
      {"terminal", spec.tty},
      {"user", user},
      {"args", spec.args},
      {"env", env},
      {"cwd", spec.working_dir.empty() ? "/" : spec.working_dir},
      {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
      {"rlimits",
       json::array({{{"type", "RLIMIT_NOFILE"}, {"hard", context.nofile_limit}, {"soft", context.nofile_limit}}})},
      {"noNewPrivileges", spec.security.no_new_privileges},
  };
  if (process["cwd"].get<std::string>().front() != '/') {
    return InvalidArgumentError("container " + spec.name + ": workingDir \"" + spec.working_dir + "\" is not absolute");
  }
  if (spec.resources.oom_score_adj) process["oomScoreAdj"] = *spec.resources.oom_score_adj;

  // Mounts: defaults unless the spec mounts something at the same place, then the spec's,
  // parents before children.
  std::set<std::string> spec_destinations;
  for (const auto& m : spec.mounts) {
    if (m.destination.empty() || m.destination.front() != '/') {
      return InvalidArgumentError("container " + spec.name + ": mount destination \"" + m.destination +
                                  "\" is not an absolute path");
    }
    spec_destinations.insert(NormalizePath(m.destination));
  }
  json mounts = json::array();
  for (auto& m : DefaultMounts(privileged)) {
    if (!spec_destinations.count(m["destination"].get<std::string>())) mounts.push_back(std::move(m));
  }
  std::vector<const MountSpec*> ordered;
  for (const auto& m : spec.mounts) ordered.push_back(&m);
  std::stable_sort(ordered.begin(), ordered.end(), [](const MountSpec* a, const MountSpec* b) {
    return PathDepth(NormalizePath(a->destination)) < PathDepth(NormalizePath(b->destination));
  });
  for (const MountSpec* m : ordered) {
    std::vector<std::string> options;
    if (m->type == "bind") options = {"rbind", "rprivate"};
    if (m->read_only) options.push_back("ro");
    for (const auto& o : m->extra_options) options.push_back(o);
    mounts.push_back(Mount(NormalizePath(m->destination), m->type, m->source, options));
  }

  json namespaces = json::array({{{"type", "pid"}}, {{"type", "ipc"}}, {{"type", "uts"}}, {{"type", "mount"}}});
  if (spec.netns_path.empty()) namespaces.push_back({{"type", "network"}});
  else namespaces.push_back({{"type", "network"}, {"path", spec.netns_path}});
  if (context.cgroup_v2) namespaces.push_back({{"type", "cgroup"}});

  json resources = json::object();
  resources["devices"] = json::array({{{"allow", privileged}, {"access", "rwm"}}});
  json cpu = json::object();
  if (spec.resources.cpu_shares) cpu["shares"] = *spec.resources.cpu_shares;
  if (spec.resources.cpu_quota_us) {
    cpu["quota"] = *spec.resources.cpu_quota_us;
    cpu["period"] = spec.resources.cpu_period_us;
  }
  if (!cpu.empty()) resources["cpu"] = cpu;
  if (spec.resources.memory_limit_bytes) {
    json memory = {{"limit", *spec.resources.memory_limit_bytes}};
    if (context.memory_swap_supported) memory["swap"] = *spec.resources.memory_limit_bytes;
    resources["memory"] = memory;
  }
  if (spec.resources.pids_limit) resources["pids"] = {{"limit", *spec.resources.pids_limit}};

  json linux_section = {
      {"namespaces", namespaces},
      {"cgroupsPath", "/" + context.cgroup_parent + "/" + spec.id},
      {"resources", resources},
  };
  if (!privileged) {
    linux_section["maskedPaths"] = kMaskedPaths;
    linux_section["readonlyPaths"] = kReadonlyPaths;
  }

  json config = {
      {"ociVersion", "1.0.2"},
      {"process", process},
      {"root", {{"path", context.rootfs_path}, {"readonly", spec.security.read_only_rootfs}}},
      {"mounts", mounts},
      {"linux", linux_section},
  };
  if (!spec.hostname.empty()) config["hostname"] = spec.hostname;
  return config;
}

}  // namespace moor::runtime
