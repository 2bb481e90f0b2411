#include "moor_node.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <sstream>

#include "moor/common/files.h"
#include "moor/common/mounts.h"
#include "moor/runtime/cni_network.h"

namespace moor::e2e {
namespace fs = std::filesystem;
using testing::RunCommand;

namespace {

// Where the daemon's cgroup parent `prefix` can be: /sys/fs/cgroup/<prefix> (cgroup v2) and
// /sys/fs/cgroup/<controller>/<prefix> for every v1 controller.
std::vector<fs::path> CgroupParents(const std::string& prefix) {
  std::vector<fs::path> parents = {fs::path("/sys/fs/cgroup") / prefix};
  std::error_code ec;
  for (const auto& controller : fs::directory_iterator("/sys/fs/cgroup", ec)) {
    parents.push_back(controller.path() / prefix);
  }
  return parents;
}

std::string Hex(int n) { return RandomHex(static_cast<std::size_t>((n + 1) / 2)).substr(0, static_cast<std::size_t>(n)); }

}  // namespace

std::string FreePodSubnet() {
  std::mt19937 rng(std::random_device{}());
  for (int i = 0; i < 100; ++i) {
    int third = 100 + static_cast<int>(rng() % 100);
    std::string subnet = "10.42." + std::to_string(third) + ".0/24";
    auto routes = RunCommand({"ip", "-4", "route", "show", "table", "all", "to", "match", "10.42." + std::to_string(third) + ".1"});
    // Only the unreachable covering routes may match.
    bool used = false;
    std::istringstream lines(routes.out);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.find("unreachable") == std::string::npos && line.find("10.42." + std::to_string(third)) != std::string::npos) {
        used = true;
      }
    }
    if (!used) return subnet;
  }
  return "10.42.199.0/24";
}

std::string MissingPrerequisites() {
  if (::geteuid() != 0) return "the e2e tests need root (runc, network namespaces, mounts, cgroups)";
  for (const char* tool : {"/usr/sbin/runc", "/usr/bin/conmon", "/usr/lib/cni/bridge", "/usr/lib/cni/host-local",
                           "/usr/lib/cni/portmap", "/usr/sbin/nft", "/bin/busybox", "/usr/bin/docker-registry",
                           "/usr/bin/skopeo", "/usr/bin/curl"}) {
    if (::access(tool, X_OK) != 0) {
      return std::string("the e2e tests need ") + tool + " (make check installs it: runc conmon containernetworking-plugins "
             "nftables busybox-static docker-registry skopeo curl)";
    }
  }
  return "";
}

std::string HttpGet(const std::string& url) {
  auto r = RunCommand({"curl", "-s", "-f", "-m", "5", "--noproxy", "*", url}, {}, "", std::chrono::seconds(10));
  return r.exit_code == 0 ? r.out : "";
}

MoorNode::MoorNode(nlohmann::json registries) {
  data_ = dir_ / "data";
  manifests_ = dir_ / "manifests";
  config_ = dir_ / "config.yaml";
  fs::create_directories(manifests_);
  prefix_ = "e" + Hex(6);
  bridge_ = prefix_ + "br";
  subnet_ = FreePodSubnet();
  // The Services' /24 has the pod subnet's third number: tests running at once never share a ClusterIP.
  std::string third = subnet_.substr(6, subnet_.find(".0/24") - 6);
  service_cidr_ = "10.43." + third + ".0/24";
  // ... and its own 20 node ports (the third number is 100-199): 30000-31999 in slices.
  int first_node_port = 30000 + (std::stoi(third) % 100) * 20;
  node_port_range_ = std::to_string(first_node_port) + "-" + std::to_string(first_node_port + 19);
  port_ = testing::FreeLoopbackPort();
  route_metric_ = 1000 + static_cast<int>(std::random_device{}() % 50000);
  nlohmann::json config = {{"dataDir", data_.string()},
                           {"manifests", manifests_.string()},
                           {"listen", "127.0.0.1:" + std::to_string(port_)},
                           {"bridge", bridge_},
                           {"namePrefix", prefix_},
                           {"podSubnet", subnet_},
                           {"serviceCIDR", service_cidr_},
                           {"serviceNodePortRange", node_port_range_},
                           // The cluster DNS answers cluster names only: no query leaves the machine.
                           {"dnsUpstreams", nlohmann::json::array()},
                           // ... and no pod gets a route off the machine.
                           {"podEgress", false},
                           // ... and the host's iptables FORWARD chain is left alone.
                           {"podForwardAccept", false},
                           {"routeMetric", route_metric_},
                           {"logLevel", "debug"},
                           {"registries", registries},
                           // Nothing may leave the machine: mirrored registries only via the mirror.
                           {"disableDefaultRegistryEndpoint", true}};
  testing::WriteFile(config_, config.dump(2));  // JSON is YAML
}

MoorNode::~MoorNode() { Clean(); }

std::string MoorNode::Start() {
  server_ = std::make_unique<testing::ChildProcess>(
      std::vector<std::string>{MOOR_BINARY, "server", "--config", config_.string()},
      (dir_ / ("server-" + std::to_string(restarts_++) + ".log")).string());
  bool up = testing::WaitFor([&] { return Running() && Moor({"version"}).exit_code == 0; }, std::chrono::seconds(30));
  if (!up) return "moor server did not come up:\n" + ServerLog();
  return "";
}

bool MoorNode::Running() { return server_ && server_->Running(); }

void MoorNode::Kill9() {
  if (server_) server_->Stop(SIGKILL);
}

void MoorNode::Stop() {
  if (server_) server_->Stop(SIGTERM, std::chrono::seconds(20));
}

testing::CommandResult MoorNode::Moor(std::vector<std::string> args) {
  args.insert(args.begin(), {MOOR_BINARY, "--kubeconfig", (data_ / "moor.kubeconfig").string()});
  return RunCommand(args, {}, "", std::chrono::seconds(30));
}

nlohmann::json MoorNode::Get(const std::string& kind, const std::string& name) {
  auto r = Moor({"get", kind, name, "-o", "json"});
  if (r.exit_code != 0) return nullptr;
  return nlohmann::json::parse(r.out, nullptr, false);
}

void MoorNode::WriteManifest(const std::string& file, const std::string& yaml) {
  // Written beside and renamed in, as editors and `git checkout` do.
  testing::WriteFile(manifests_ / ("." + file + ".tmp"), yaml);
  fs::rename(manifests_ / ("." + file + ".tmp"), manifests_ / file);
}

void MoorNode::RemoveManifest(const std::string& file) { fs::remove(manifests_ / file); }

std::vector<std::string> MoorNode::RuncContainerIds() {
  auto r = RunCommand({"runc", "--root", (data_ / "runc").string(), "list", "-q"});
  std::vector<std::string> ids;
  std::istringstream in(r.out);
  std::string id;
  while (in >> id) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

int MoorNode::RuncPid(const std::string& container_id) {
  auto r = RunCommand({"runc", "--root", (data_ / "runc").string(), "state", container_id});
  auto state = nlohmann::json::parse(r.out, nullptr, false);
  if (!state.is_object() || state.value("status", "") != "running") return 0;
  return state.value("pid", 0);
}

std::vector<std::string> MoorNode::NetnsWithPrefix() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/var/run/netns", ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind(prefix_ + "-", 0) == 0) out.push_back(name);
  }
  return out;
}

std::vector<std::string> MoorNode::MountsUnderDataDir() {
  return CurrentMountPointsUnder(fs::weakly_canonical(dir_.path()).string());
}

std::vector<std::string> MoorNode::ContainerCgroupDirs() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const fs::path& parent : CgroupParents(prefix_)) {
    if (!fs::is_directory(parent, ec)) continue;
    for (const auto& child : fs::directory_iterator(parent, ec)) {
      if (child.is_directory()) out.push_back(child.path().string());
    }
  }
  return out;
}

std::string MoorNode::ServerLog() const {
  std::string all;
  for (int i = 0; i < restarts_; ++i) {
    auto text = ReadFileLimited(dir_ / ("server-" + std::to_string(i) + ".log"), 1 << 22);
    if (text.ok()) all += *text;
  }
  return all.size() > 20000 ? all.substr(all.size() - 20000) : all;
}

void MoorNode::Clean() {
  if (server_) {
    server_->Stop(SIGKILL);
    server_.reset();
  }
  for (const std::string& id : RuncContainerIds()) {
    RunCommand({"runc", "--root", (data_ / "runc").string(), "delete", "--force", id});
  }
  Status unmounted = UnmountAllUnder(fs::weakly_canonical(dir_.path()).string());
  (void)unmounted;
  runtime::CniNetworkOptions net;
  net.name_prefix = prefix_;
  net.bridge = bridge_;
  net.pod_subnet = subnet_;
  net.service_cidr = service_cidr_;
  net.state_dir = (data_ / "network").string();
  net.route_metric = route_metric_;
  Status st = runtime::RemoveCniHostState(net);
  (void)st;
  for (const std::string& ns : NetnsWithPrefix()) RunCommand({"ip", "netns", "delete", ns});
  RemoveCgroupDirs(prefix_);
  // The service proxy's nftables table (named after the prefix); its /32 routes went with the
  // bridge. The cluster DNS's address route (the tenth address of the node's service /24).
  RunCommand({"nft", "delete", "table", "ip", prefix_});
  RunCommand({"ip", "route", "delete", "local", cluster_dns() + "/32", "dev", "lo", "table", "local"});
}

void RemoveCgroupDirs(const std::string& prefix) {
  std::error_code ec;
  for (const fs::path& parent : CgroupParents(prefix)) {
    if (!fs::is_directory(parent, ec)) continue;
    for (const auto& child : fs::directory_iterator(parent, ec)) {
      if (child.is_directory()) ::rmdir(child.path().c_str());
    }
    ::rmdir(parent.c_str());
  }
}

}  // namespace moor::e2e
