// The package on this machine, as the unit runs it: dpkg -i, the unit's ExecStart command (no
// systemd here) with an isolated test config (MoorNode's prefix, bridge, /24, route metric and
// data dir; the package's /var/lib/moor/manifests as the watched folder), a pod from a test
// registry answering on its IP; then an upgrade done the way moor.service does it
// (KillMode=process: the daemon alone is stopped; dpkg -i of a newer package; the daemon
// started again): the pod keeps its container and restart count and still answers. Afterwards
// the pod is deleted, the daemon stopped and the package purged; MoorNode removes the network
// state. Everything is undone also when the test fails.
#include <signal.h>


#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "deb_files.h"
#include "host_package.h"
#include "moor/common/files.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"
#include "moor/testing/test_registry.h"
#include "moor_node.h"

namespace moor::package_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;
using testing::RunCommand;
using testing::WaitFor;

constexpr char kWatched[] = "/var/lib/moor/manifests";

// The installed /usr/bin/moor started with the unit's ExecStart plus --config, and its client.
class InstalledDaemon {
 public:
  InstalledDaemon(fs::path config, fs::path kubeconfig, fs::path log_dir)
      : config_(std::move(config)), kubeconfig_(std::move(kubeconfig)), log_dir_(std::move(log_dir)) {}

  std::string Start() {
    std::vector<std::string> argv = UnitExecStart("/lib/systemd/system/moor.service");
    if (argv.empty()) return "no ExecStart= in /lib/systemd/system/moor.service";
    argv.insert(argv.end(), {"--config", config_.string()});
    log_ = log_dir_ / ("server-" + std::to_string(starts_++) + ".log");
    process_ = std::make_unique<testing::ChildProcess>(argv, log_.string());
    bool up = WaitFor([&] { return process_->Running() && Moor({"version"}).exit_code == 0; }, seconds(30));
    return up ? "" : "the installed moor server did not come up:\n" + Log();
  }

  // SIGTERM to the daemon alone, as systemd does with KillMode=process. Returns its exit status.
  int Stop() { return process_ ? process_->Stop(SIGTERM, seconds(20)) : 0; }

  testing::CommandResult Moor(std::vector<std::string> args) {
    args.insert(args.begin(), {"/usr/bin/moor", "--kubeconfig", kubeconfig_.string()});
    return RunCommand(args, {}, "", seconds(30));
  }

  json Pod(const std::string& name) {
    auto r = Moor({"get", "pod", name, "-o", "json"});
    return r.exit_code == 0 ? json::parse(r.out, nullptr, false) : json();
  }

  std::string Log() const {
    auto text = ReadFileLimited(log_, 1 << 20);
    return text.ok() ? text->substr(text->size() > 8000 ? text->size() - 8000 : 0) : "";
  }

 private:
  fs::path config_, kubeconfig_, log_dir_, log_;
  std::unique_ptr<testing::ChildProcess> process_;
  int starts_ = 0;
};

struct PodFacts {
  std::string phase, ip, container_id;
  int restarts = -1;
};

PodFacts FactsOf(const json& pod) {
  PodFacts f;
  if (!pod.is_object() || !pod.contains("status")) return f;
  const json& status = pod["status"];
  f.phase = status.value("phase", "");
  f.ip = status.value("podIP", "");
  if (status.contains("containerStatuses") && !status["containerStatuses"].empty()) {
    f.container_id = status["containerStatuses"][0].value("containerID", "");
    f.restarts = status["containerStatuses"][0].value("restartCount", -1);
  }
  return f;
}

TEST(HostInstallTest, UpgradeWhileAPodRunsKeepsThePodRunning) {
  std::string missing = e2e::MissingPrerequisites();
  ASSERT_TRUE(missing.empty()) << missing;
  std::string in_the_way = HostPackage::CheckMachineIsClean();
  ASSERT_TRUE(in_the_way.empty()) << in_the_way;
  auto deb = BuiltDeb();
  ASSERT_TRUE(deb.ok()) << deb.status().ToString();

  testing::TempDir work("pkg-host");
  auto newer = RepackWithVersion(*deb, DebField(*deb, "Version") + "+upgrade1", work.path());
  ASSERT_TRUE(newer.ok()) << newer.status().ToString();

  auto registry = testing::TestRegistry::Start();
  ASSERT_TRUE(registry.ok()) << registry.status().ToString();
  auto layout = testing::BuildBusyboxImageLayout(work / "oci", "1.36");
  ASSERT_TRUE(layout.ok()) << layout.status().ToString();
  Status pushed = (*registry)->Push(*layout, "1.36", "library/busybox:1.36");
  ASSERT_TRUE(pushed.ok()) << pushed.ToString();

  // Destroyed in reverse: the daemon first, then the package (purge), then the host state.
  e2e::MoorNode node((*registry)->MirrorConfig("docker.io"));
  HostPackage package;
  // MoorNode's isolated config (it writes it beside its data dir), watching the package's folder.
  auto node_config = ReadFileLimited(node.config_path(), 1 << 20);
  ASSERT_TRUE(node_config.ok()) << "MoorNode's config: " << node_config.status().ToString();
  json config = json::parse(*node_config);
  config["manifests"] = kWatched;
  testing::WriteFile(work / "config.yaml", config.dump(2));
  InstalledDaemon daemon(work / "config.yaml", node.data_dir() / "moor.kubeconfig", work.path());

  std::string error = package.Install(*deb);
  ASSERT_TRUE(error.empty()) << error;
  ASSERT_TRUE(fs::is_directory(kWatched)) << "postinst did not create " << kWatched;
  error = daemon.Start();
  ASSERT_TRUE(error.empty()) << error;

  // Written whole (a temp name the folder ignores, then rename), as MoorNode::WriteManifest does.
  ASSERT_TRUE(WriteFileAtomic(fs::path(kWatched) / "hello-pod.yaml", e2e::kHelloPod).ok());
  PodFacts before;
  bool running = WaitFor([&] {
    before = FactsOf(daemon.Pod("hello-pod"));
    return before.phase == "Running" && !before.ip.empty() && !before.container_id.empty();
  }, seconds(60));
  ASSERT_TRUE(running) << "hello-pod did not run:\n" << daemon.Log();
  EXPECT_EQ(e2e::HttpGet("http://" + before.ip + ":8000/"), "hello from moor\n");
  std::vector<std::string> containers = node.RuncContainerIds();
  ASSERT_FALSE(containers.empty());

  // The upgrade, as the unit does it: the daemon alone stops, the pod keeps answering.
  EXPECT_EQ(daemon.Stop(), 0) << daemon.Log();
  EXPECT_EQ(e2e::HttpGet("http://" + before.ip + ":8000/"), "hello from moor\n") << "the pod stopped with the daemon";
  error = package.Install(*newer);
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_EQ(HostPackage::InstalledVersion(), DebField(*newer, "Version"));
  error = daemon.Start();
  ASSERT_TRUE(error.empty()) << error;

  PodFacts after;
  bool adopted = WaitFor([&] {
    after = FactsOf(daemon.Pod("hello-pod"));
    return after.phase == "Running" && after.container_id == before.container_id;
  }, seconds(30));
  EXPECT_TRUE(adopted) << "after the upgrade: phase " << after.phase << ", container " << after.container_id
                       << " (before " << before.container_id << ")\n" << daemon.Log();
  EXPECT_EQ(after.restarts, before.restarts);
  EXPECT_EQ(after.ip, before.ip);
  EXPECT_EQ(node.RuncContainerIds(), containers);
  EXPECT_EQ(e2e::HttpGet("http://" + after.ip + ":8000/"), "hello from moor\n");

  // Done: the pod goes with its file, then the daemon and the package.
  fs::remove(fs::path(kWatched) / "hello-pod.yaml");
  EXPECT_TRUE(WaitFor([&] { return node.RuncContainerIds().empty(); }, seconds(60))) << daemon.Log();
  EXPECT_EQ(daemon.Stop(), 0);
  error = package.Purge();
  EXPECT_TRUE(error.empty()) << error;
  EXPECT_FALSE(fs::exists("/var/lib/moor"));
  EXPECT_FALSE(fs::exists("/etc/moor"));
  EXPECT_FALSE(fs::exists("/usr/bin/moor"));
}

}  // namespace
}  // namespace moor::package_test
