// `moor logs`, `moor image` and `moor exec` as a user runs them: the real `moor` binary with a
// kubeconfig for a real ApiServer (in this process) whose node services are fakes.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "api_test_env.h"
#include "moor/testing/process.h"
#include "node_service_fakes.h"

namespace moor {
namespace {

using api::testenv::ApiTestEnv;
using api::testenv::FakeImageService;
using api::testenv::FakeLogSource;
using api::testenv::PodJson;
using testing::CommandResult;
using testing::RunCommand;
using testing::WaitFor;

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string LocalHostname() {
  char buf[256] = {};
  ::gethostname(buf, sizeof(buf) - 1);
  return buf;
}

class MoorNodeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.client().Create(PodJson("web", {"a"})).ok());
    ASSERT_TRUE(env_.client().Create(PodJson("two", {"a", "b"})).ok());
    logs_.Append("default", "web", "a", {"one", "two", "three"});
    logs_.Append("default", "two", "a", {"from a"});
    logs_.Append("default", "two", "b", {"from b"});
  }

  CommandResult Moor(std::vector<std::string> args) {
    args.insert(args.begin(), {MOOR_BINARY, "--kubeconfig", env_.kubeconfig_path().string()});
    return RunCommand(args);
  }

  FakeLogSource logs_;
  FakeImageService images_;
  ApiTestEnv env_{api::testenv::ApiTestEnvOptions{100000, &logs_, &images_}};
};

TEST_F(MoorNodeCliTest, Logs) {
  CommandResult all = Moor({"logs", "web"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out, "one\ntwo\nthree\n");

  CommandResult tail = Moor({"logs", "pod/web", "--tail", "1", "--timestamps"});
  ASSERT_EQ(tail.exit_code, 0) << tail.err;
  EXPECT_EQ(tail.out, "2027-01-15T08:00:00.000000000Z three\n");
  EXPECT_EQ(logs_.requests().back().tail_lines, 1);

  CommandResult b = Moor({"logs", "two", "-c", "b"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(b.out, "from b\n");

  CommandResult defaulted = Moor({"logs", "two"});
  ASSERT_EQ(defaulted.exit_code, 0) << defaulted.err;
  EXPECT_EQ(defaulted.out, "from a\n");
  EXPECT_EQ(defaulted.err, "Defaulted container \"a\" out of: a, b\n");

  logs_.SetPrevious("default", "web", "a", {"last words"});
  CommandResult previous = Moor({"logs", "web", "-p"});
  ASSERT_EQ(previous.exit_code, 0) << previous.err;
  EXPECT_EQ(previous.out, "last words\n");

  CommandResult missing = Moor({"logs", "ghost"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("pods \"ghost\" not found"), std::string::npos) << missing.err;

  CommandResult unknown = Moor({"logs", "two", "-c", "zz"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("container zz is not valid for pod two"), std::string::npos) << unknown.err;

  logs_.SetWaiting("default", "web", "a", "ContainerCreating");
  CommandResult waiting = Moor({"logs", "web"});
  EXPECT_EQ(waiting.exit_code, 1);
  EXPECT_NE(waiting.err.find("container \"a\" in pod \"web\" is waiting to start: ContainerCreating"),
            std::string::npos)
      << waiting.err;
}

TEST_F(MoorNodeCliTest, LogsFollow) {
  std::filesystem::path out = env_.dir() / "follow.out";
  auto follower = std::make_unique<testing::ChildProcess>(
      std::vector<std::string>{MOOR_BINARY, "--kubeconfig", env_.kubeconfig_path().string(), "logs", "-f", "web"},
      out.string());
  ASSERT_TRUE(WaitFor([&] { return ReadAll(out) == "one\ntwo\nthree\n"; })) << ReadAll(out);
  logs_.Append("default", "web", "a", {"four"});
  ASSERT_TRUE(WaitFor([&] { return ReadAll(out) == "one\ntwo\nthree\nfour\n"; })) << ReadAll(out);
  EXPECT_TRUE(follower->Running());

  follower->Stop(SIGINT);  // Ctrl-C
  int n = 0;
  EXPECT_TRUE(WaitFor([&] {
    logs_.Append("default", "web", "a", {"after " + std::to_string(n++)});
    return logs_.finished_follows() == 1;
  }));
}

TEST_F(MoorNodeCliTest, Images) {
  images_.Add({"sha256:b4a8c1e9e8b5f0e4d2b3c1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0",
               {"docker.io/library/busybox:1.36"}, 4300000, true});
  images_.Add({"sha256:0000aaaabbbbccccddddeeeeffff000011112222333344445555666677778888", {}, 100, false});
  CommandResult ls = Moor({"image", "ls"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_EQ(ls.out,
            "IMAGE                       TAG                 IMAGE ID            SIZE\n"
            "<none>                      <none>              0000aaaabbbbc       100B\n"
            "docker.io/library/busybox   1.36                b4a8c1e9e8b5f       4.3MB\n");

  CommandResult pulled = Moor({"image", "pull", "127.0.0.1:5000/app:v1"});
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err;
  EXPECT_EQ(pulled.out.rfind("Image is up to date for sha256:", 0), 0u) << pulled.out;
  EXPECT_NE(Moor({"image", "ls"}).out.find("127.0.0.1:5000/app   "), std::string::npos);

  images_.FailPull("nope:1", UnavailableError("pulling docker.io/library/nope:1: manifest unknown"));
  CommandResult failed = Moor({"image", "pull", "nope:1"});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.err.find("pulling docker.io/library/nope:1: manifest unknown"), std::string::npos) << failed.err;

  CommandResult rm = Moor({"image", "rm", "127.0.0.1:5000/app:v1", "docker.io/library/busybox:1.36"});
  EXPECT_EQ(rm.exit_code, 1);
  EXPECT_EQ(rm.out, "Deleted: 127.0.0.1:5000/app:v1\n");
  EXPECT_NE(rm.err.find("image docker.io/library/busybox:1.36 is in use by a container"), std::string::npos) << rm.err;

  std::filesystem::path archive = env_.dir() / "app.tar";
  images_.SetArchive(archive.string(), {{"sha256:3333333333333333333333333333333333333333333333333333333333333333",
                                         {"example.com/app:v2"}, 2000, false}});
  CommandResult imported =
      RunCommand({"/bin/sh", "-c",
                  "cd '" + env_.dir().path().string() + "' && exec '" + MOOR_BINARY + "' --kubeconfig '" +
                      env_.kubeconfig_path().string() + "' image import app.tar"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(imported.out, "Loaded image: example.com/app:v2\n");

  CommandResult pruned = Moor({"image", "prune"});
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_EQ(pruned.out, "Deleted: sha256:0000aaaabbbbccccddddeeeeffff000011112222333344445555666677778888\n");
}

TEST_F(MoorNodeCliTest, ExecChecksThePodAndTheNodeBeforeRunningRunc) {
  CommandResult not_running = Moor({"exec", "web", "--", "true"});
  EXPECT_EQ(not_running.exit_code, 1);
  EXPECT_EQ(not_running.err, "error: container \"a\" is not running: no status reported yet\n");

  CommandResult several = Moor({"exec", "two", "--", "true"});
  EXPECT_EQ(several.exit_code, 1);
  EXPECT_EQ(several.err, "error: pod \"two\" has several containers; choose one with -c: a, b\n");

  auto pod = env_.client().Get(*manifests::FindKindByKind("Pod"), "default", "web");
  ASSERT_TRUE(pod.ok());
  (*pod)["status"] = {{"phase", "Running"},
                      {"containerStatuses",
                       {{{"name", "a"}, {"containerID", "runc://moor-cli-test-none"},
                         {"state", {{"running", {{"startedAt", "2027-01-15T08:00:00Z"}}}}}}}}};
  ASSERT_TRUE(env_.client().UpdateStatus(*pod).ok());
  manifests::Object node = {{"apiVersion", "v1"},
                            {"kind", "Node"},
                            {"metadata",
                             {{"name", "node1"},
                              {"annotations",
                               {{"moor.dev/runc-root", (env_.dir() / "runc").string()}, {"moor.dev/host", "elsewhere"}}}}}};
  auto created = env_.client().Create(node);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  CommandResult remote = Moor({"exec", "web", "--", "true"});
  EXPECT_EQ(remote.exit_code, 1);
  EXPECT_NE(remote.err.find("exec into pods on node node1 is not supported from this host yet"), std::string::npos)
      << remote.err;

  // On this host, moor hands over to `runc exec`: here runc finds no such container.
  ASSERT_TRUE(std::filesystem::exists("/usr/sbin/runc") || std::filesystem::exists("/usr/bin/runc"))
      << "runc is missing: install the Debian package runc";
  (*created)["metadata"]["annotations"]["moor.dev/host"] = LocalHostname();
  ASSERT_TRUE(env_.client().Update(*created).ok());
  std::filesystem::create_directories(env_.dir() / "runc");
  CommandResult local = Moor({"exec", "web", "--", "true"});
  EXPECT_NE(local.exit_code, 0);
  EXPECT_NE(local.err.find("container does not exist"), std::string::npos) << local.err;  // runc's own error
  EXPECT_EQ(local.err.find("error: container"), std::string::npos) << local.err;
}

TEST_F(MoorNodeCliTest, GetPodsShowsKubectlsColumns) {
  auto pod = env_.client().Get(*manifests::FindKindByKind("Pod"), "default", "two");
  ASSERT_TRUE(pod.ok());
  (*pod)["status"] = manifests::Object::parse(R"({"phase": "Running", "podIP": "10.42.0.7",
      "podIPs": [{"ip": "10.42.0.7"}],
      "containerStatuses": [
        {"name": "a", "ready": true, "restartCount": 0, "state": {"running": {"startedAt": "2027-01-15T08:00:00Z"}}},
        {"name": "b", "ready": false, "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]})");
  ASSERT_TRUE(env_.client().UpdateStatus(*pod).ok());

  CommandResult table = Moor({"get", "pods"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  std::istringstream lines(table.out);
  std::string header, first, second;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_EQ(header, "NAME   READY   STATUS             RESTARTS   AGE") << table.out;
  // AGE follows.
  EXPECT_EQ(first.rfind("two    1/2     CrashLoopBackOff   3          ", 0), 0u) << table.out;
  EXPECT_EQ(second.rfind("web    0/1     Pending            0          ", 0), 0u) << table.out;

  CommandResult wide = Moor({"get", "pods", "-o", "wide"});
  ASSERT_EQ(wide.exit_code, 0) << wide.err;
  EXPECT_NE(wide.out.find("IP          NODE    NOMINATED NODE   READINESS GATES"), std::string::npos) << wide.out;
  EXPECT_NE(wide.out.find("10.42.0.7   node1   <none>           <none>"), std::string::npos) << wide.out;
}

TEST(MoorNodeCliWithoutAgentTest, SaysThereIsNoNodeAgent) {
  ApiTestEnv env;
  ASSERT_TRUE(env.client().Create(PodJson("web", {"a"})).ok());
  CommandResult ls = RunCommand({MOOR_BINARY, "--kubeconfig", env.kubeconfig_path().string(), "image", "ls"});
  EXPECT_EQ(ls.exit_code, 1);
  EXPECT_EQ(ls.err, "error: no node agent on this server\n");
  CommandResult logs = RunCommand({MOOR_BINARY, "--kubeconfig", env.kubeconfig_path().string(), "logs", "web"});
  EXPECT_EQ(logs.exit_code, 1);
  EXPECT_EQ(logs.err, "error: no node agent on this server\n");
}

}  // namespace
}  // namespace moor
