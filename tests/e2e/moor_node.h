#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace moor::e2e {

// hello-pod: busybox httpd on port 8000 (the image's /www says "hello from moor"), the pod most
// tests run.
inline constexpr char kHelloPod[] = R"Y(apiVersion: v1
kind: Pod
metadata:
  name: hello-pod
  labels: {app: hello}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox:1.36
    command: ["httpd", "-f", "-v", "-p", "8000", "-h", "/www"]
    ports:
    - {name: http, containerPort: 8000}
)Y";

// A real `moor server` with its node agent, isolated for one test: its own data dir and
// watched folder, a unique name prefix (network namespaces, cgroup parent), its own bridge, a
// free /24 inside 10.42.0.0/16 (and the matching /24 of 10.43.0.0/16 for its Services) and its
// own metric for the unreachable safety routes. Clean() (also run by the destructor) removes
// every piece of host state the daemon may have made: containers, mounts, namespaces, the
// bridge, the routes, the cgroup dirs, the service proxy's nftables table, the DNS route.
class MoorNode {
 public:
  // `registries`: the config's registries section (mirrors to a test registry).
  explicit MoorNode(nlohmann::json registries);
  ~MoorNode();

  // Starts the daemon and waits until the CLI reaches it. Returns "" or what went wrong.
  std::string Start();
  void Kill9();
  // SIGTERM and wait: the agent stops, the pods keep running.
  void Stop();
  bool Running();

  testing::CommandResult Moor(std::vector<std::string> args);
  // `moor get <kind> <name> -o json`, or null if it fails.
  nlohmann::json Get(const std::string& kind, const std::string& name);
  void WriteManifest(const std::string& file, const std::string& yaml);
  void RemoveManifest(const std::string& file);

  // Host-side facts about what the daemon runs.
  std::vector<std::string> RuncContainerIds();        // `runc --root <data>/runc list`
  std::vector<std::string> NetnsWithPrefix();         // /var/run/netns/<prefix>-*
  std::vector<std::string> MountsUnderDataDir();      // from /proc/self/mountinfo
  std::vector<std::string> ContainerCgroupDirs();     // /sys/fs/cgroup/<ctrl>/<prefix>/*
  int RuncPid(const std::string& container_id);       // 0 if not running

  std::string ServerLog() const;
  const std::filesystem::path& data_dir() const { return data_; }
  // The config file the daemon is started with (`--config`).
  const std::filesystem::path& config_path() const { return config_; }
  // The log of the daemon's first start (Start() after a Stop/Kill9 writes server-<n>.log).
  std::filesystem::path first_server_log() const { return dir_.path() / "server-0.log"; }
  const std::filesystem::path& manifests_dir() const { return manifests_; }
  const std::string& prefix() const { return prefix_; }
  // The node's service range (`serviceCIDR`): a /24 of 10.43.0.0/16 of its own.
  const std::string& service_cidr() const { return service_cidr_; }
  // The node's pod subnet (`podSubnet`, "10.42.<n>.0/24"); its first address is the bridge gateway.
  const std::string& pod_subnet() const { return subnet_; }
  // The node's NodePort range (`serviceNodePortRange`): 20 ports of its own in 30000-31999.
  const std::string& node_port_range() const { return node_port_range_; }
  // The cluster DNS address of the node (the pods' resolv.conf nameserver).
  std::string cluster_dns() const { return service_cidr_.substr(0, service_cidr_.rfind('.')) + ".10"; }

  // Removes everything (see class comment). Safe to call more than once.
  void Clean();

 private:
  testing::TempDir dir_{"e2e"};
  std::filesystem::path data_, manifests_, config_;
  std::string prefix_, bridge_, subnet_, service_cidr_, node_port_range_;
  int port_ = 0;
  int route_metric_ = 0;
  std::unique_ptr<testing::ChildProcess> server_;
  int restarts_ = 0;
};

// Removes /sys/fs/cgroup/<controller>/<prefix> and the (empty) container cgroups below it, in
// every hierarchy (cgroup v1 controllers, or the v2 unified tree).
void RemoveCgroupDirs(const std::string& prefix);

// A /24 of 10.42.100-199.x that no route or address on this host uses yet (the unreachable
// covering routes aside), e.g. "10.42.137.0/24".
std::string FreePodSubnet();

// A plain HTTP GET with curl (loopback or pod IPs only); returns the body or "" on failure.
std::string HttpGet(const std::string& url);

// Fails (as a string) unless the machine can run the e2e tests: root, runc, conmon, CNI plugins,
// busybox-static, docker-registry, skopeo, curl.
std::string MissingPrerequisites();

}  // namespace moor::e2e
