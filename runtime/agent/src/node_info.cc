#include "node_info.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace moor::runtime {
namespace {

std::string ReadOsImage() {
  std::ifstream in("/etc/os-release");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PRETTY_NAME=", 0) == 0) {
      std::string v = line.substr(12);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
  }
  return "Linux";
}

std::string FirstHostAddress() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return "";
  std::string found;
  for (ifaddrs* a = list; a != nullptr && found.empty(); a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    if (a->ifa_flags & IFF_LOOPBACK) continue;
    std::string name = a->ifa_name;
    // Skip bridges and veths that pod networks make.
    if (name.rfind("moor", 0) == 0 || name.rfind("veth", 0) == 0 || name.rfind("cni", 0) == 0 ||
        name.rfind("docker", 0) == 0 || name.rfind("br-", 0) == 0) {
      continue;
    }
    char buf[INET_ADDRSTRLEN];
    auto* in = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
    if (::inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf)) != nullptr) found = buf;
  }
  ::freeifaddrs(list);
  return found.empty() ? "127.0.0.1" : found;
}

manifests::Object Quantities(const HostFacts& facts, int max_pods) {
  return {{"cpu", std::to_string(facts.cpus)},
          {"memory", std::to_string(facts.memory_bytes / 1024) + "Ki"},
          {"pods", std::to_string(max_pods)},
          {"ephemeral-storage", std::to_string(facts.ephemeral_storage_bytes / 1024) + "Ki"}};
}

}  // namespace

HostFacts ReadHostFacts(const std::string& data_dir) {
  HostFacts facts;
  char host[256] = {0};
  if (::gethostname(host, sizeof(host) - 1) == 0) facts.hostname = host;
  long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  facts.cpus = cpus > 0 ? static_cast<int>(cpus) : 1;
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::int64_t kb = 0;
  std::string unit;
  while (meminfo >> key >> kb >> unit) {
    if (key == "MemTotal:") {
      facts.memory_bytes = kb * 1024;
      break;
    }
  }
  struct statvfs vfs {};
  if (::statvfs(data_dir.c_str(), &vfs) == 0) {
    facts.ephemeral_storage_bytes = static_cast<std::int64_t>(vfs.f_blocks) * static_cast<std::int64_t>(vfs.f_frsize);
  }
  struct utsname uts {};
  if (::uname(&uts) == 0) {
    facts.kernel_version = uts.release;
    std::string machine = uts.machine;
    facts.architecture = machine == "x86_64" ? "amd64" : (machine == "aarch64" ? "arm64" : machine);
  }
  facts.os_image = ReadOsImage();
  facts.internal_ip = FirstHostAddress();
  return facts;
}

manifests::Object BuildNodeObject(const NodeDescription& node, const HostFacts& facts) {
  manifests::Object labels = {{"kubernetes.io/hostname", node.name},
                              {"kubernetes.io/os", "linux"},
                              {"kubernetes.io/arch", facts.architecture},
                              {"node-role.kubernetes.io/control-plane", "true"}};
  manifests::Object annotations = manifests::Object::object();
  for (const auto& [k, v] : node.annotations) annotations[k] = v;
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", node.name}, {"labels", labels}, {"annotations", annotations}}},
          {"spec", {{"podCIDR", node.pod_cidr}, {"podCIDRs", manifests::Object::array({node.pod_cidr})}}}};
}

manifests::Object BuildNodeStatus(const NodeDescription& node, const HostFacts& facts, const manifests::Object& previous,
                                  WallTime now) {
  std::string heartbeat = FormatRfc3339(now);
  auto condition = [&](const std::string& type, const std::string& status, const std::string& reason,
                       const std::string& message) {
    std::string since = heartbeat;
    if (previous.is_object() && previous.contains("conditions") && previous["conditions"].is_array()) {
      for (const auto& c : previous["conditions"]) {
        if (c.value("type", "") == type && c.value("status", "") == status) {
          since = c.value("lastTransitionTime", heartbeat);
        }
      }
    }
    return manifests::Object{{"type", type},       {"status", status},           {"reason", reason},
                             {"message", message}, {"lastHeartbeatTime", heartbeat}, {"lastTransitionTime", since}};
  };
  manifests::Object quantities = Quantities(facts, node.max_pods);
  return {{"capacity", quantities},
          {"allocatable", quantities},
          {"conditions", manifests::Object::array({
                             condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                                       "moor has sufficient memory available"),
                             condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "moor has no disk pressure"),
                             condition("PIDPressure", "False", "KubeletHasSufficientPID",
                                       "moor has sufficient PID available"),
                             condition("Ready", "True", "KubeletReady", "moor node agent is posting ready status"),
                         })},
          {"addresses", manifests::Object::array({{{"type", "InternalIP"}, {"address", facts.internal_ip}},
                                                  {{"type", "Hostname"}, {"address", facts.hostname}}})},
          {"nodeInfo",
           {{"architecture", facts.architecture},
            {"operatingSystem", "linux"},
            {"osImage", facts.os_image},
            {"kernelVersion", facts.kernel_version},
            {"containerRuntimeVersion", node.runtime_version},
            {"kubeletVersion", "v1.32.0-moor"},
            {"kubeProxyVersion", "v1.32.0-moor"},
            {"machineID", ""},
            {"systemUUID", ""},
            {"bootID", ""}}},
          {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", 0}}}}}};
}

}  // namespace moor::runtime
