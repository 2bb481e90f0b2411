// The daemon and the CLI as a user meets them: a real `moor server` process on a temp data dir
// and folder, the real `moor` client verbs, the real kubectl, kill -9 and restart.
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace moor {
namespace {

using testing::ChildProcess;
using testing::CommandResult;
using testing::RunCommand;
using testing::WaitFor;

constexpr char kWeb[] = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: busybox:1.36
        ports:
        - containerPort: 8000
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8000
)";

class MoorCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    manifests_ = dir_ / "manifests";
    data_ = dir_ / "data";
    std::filesystem::create_directories(manifests_);
    testing::WriteFile(manifests_ / "web.yaml", kWeb);
    port_ = testing::FreeLoopbackPort();
  }

  void StartServer() {
    server_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{MOOR_BINARY, "server", "--data-dir", data_.string(), "--manifests",
                                 manifests_.string(), "--listen", "127.0.0.1:" + std::to_string(port_),
                                 "--disable-agent"},
        (dir_ / "server.log").string());
    ASSERT_TRUE(WaitFor([&] { return Moor({"version"}).exit_code == 0; }, std::chrono::seconds(20)))
        << ServerLog();
  }

  CommandResult Moor(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {MOOR_BINARY, "--kubeconfig", Kubeconfig()});
    return RunCommand(args, {}, input);
  }
  nlohmann::json GetJson(const std::string& kind, const std::string& name) {
    CommandResult r = Moor({"get", kind, name, "-o", "json"});
    if (r.exit_code != 0) return nullptr;
    return nlohmann::json::parse(r.out, nullptr, false);
  }
  std::string Kubeconfig() const { return (data_ / "moor.kubeconfig").string(); }
  std::string ServerLog() const {
    std::ifstream in(dir_ / "server.log");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  testing::TempDir dir_{"cli"};
  std::filesystem::path manifests_;
  std::filesystem::path data_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> server_;
};

TEST_F(MoorCliTest, FolderToStoreToCliAndKubectl) {
  StartServer();
  ASSERT_TRUE(WaitFor([&] { return GetJson("svc", "web") != nullptr; })) << ServerLog();

  // The kubeconfig holds a token: root only.
  struct stat st {};
  ASSERT_EQ(::stat(Kubeconfig().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // What Kubernetes would print for the same manifest, defaults included.
  CommandResult yaml = Moor({"get", "deploy", "web", "-o", "yaml"});
  ASSERT_EQ(yaml.exit_code, 0) << yaml.err;
  for (const char* expected : {"apiVersion: apps/v1", "kind: Deployment", "namespace: default", "replicas: 2",
                               "revisionHistoryLimit: 10", "progressDeadlineSeconds: 600", "maxSurge: 25%",
                               "maxUnavailable: 25%", "type: RollingUpdate", "imagePullPolicy: IfNotPresent",
                               "terminationGracePeriodSeconds: 30", "restartPolicy: Always", "protocol: TCP",
                               "dnsPolicy: ClusterFirst", "generation: 1", "uid: "}) {
    EXPECT_NE(yaml.out.find(expected), std::string::npos) << expected << " missing in:\n" << yaml.out;
  }

  // Table output as kubectl prints it.
  CommandResult table = Moor({"get", "deploy,svc"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_TRUE(std::regex_search(table.out, std::regex("NAME +READY +UP-TO-DATE +AVAILABLE +AGE")));
  EXPECT_NE(table.out.find("deployment.apps/web"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("service/web"), std::string::npos) << table.out;

  // A new file is picked up.
  testing::WriteFile(manifests_ / "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n");
  EXPECT_TRUE(WaitFor([&] { return GetJson("cm", "settings") != nullptr; }, std::chrono::seconds(5)));

  // A broken file next to good ones: reported with file and line, nothing else changes.
  std::string web_rv = GetJson("deploy", "web")["metadata"]["resourceVersion"];
  testing::WriteFile(manifests_ / "broken.yaml",
                     "apiVersion: v1\nkind: Pod\nmetadata:\n  name: broken\nspec:\n  containers:\n  - name: c\n"
                     "    image: busybox\n    ports:\n    - containerPort: http\n");
  EXPECT_TRUE(WaitFor([&] {
    CommandResult s = Moor({"status"});
    return s.out.find("broken.yaml:10:") != std::string::npos;
  })) << Moor({"status"}).out;
  CommandResult status = Moor({"status"});
  EXPECT_NE(status.out.find("containerPort"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("Failed"), std::string::npos) << status.out;
  EXPECT_EQ(GetJson("pod", "broken"), nullptr);

  // A good file turning bad keeps what it had applied.
  testing::WriteFile(manifests_ / "web.yaml", std::string(kWeb) + "---\nkind: Service\n");
  EXPECT_TRUE(WaitFor([&] { return Moor({"status"}).out.find("web.yaml:") != std::string::npos; }))
      << Moor({"status"}).out;
  EXPECT_EQ(GetJson("deploy", "web")["metadata"]["resourceVersion"], web_rv);
  EXPECT_NE(GetJson("svc", "web"), nullptr);

  // Deleting a file prunes exactly its objects; API-created objects stay.
  testing::WriteFile(dir_ / "api.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-api}\ndata: {x: z}\n");
  CommandResult applied = Moor({"apply", "-f", (dir_ / "api.yaml").string()});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  EXPECT_EQ(applied.out, "configmap/from-api created\n");
  EXPECT_EQ(Moor({"apply", "-f", (dir_ / "api.yaml").string()}).out, "configmap/from-api unchanged\n");
  std::filesystem::remove(manifests_ / "cm.yaml");
  EXPECT_TRUE(WaitFor([&] { return GetJson("cm", "settings") == nullptr; }, std::chrono::seconds(5)));
  EXPECT_NE(GetJson("cm", "from-api"), nullptr);

  // The real kubectl with moor's kubeconfig.
  CommandResult kubectl = RunCommand({"kubectl", "get", "deploy,svc,pods"}, {{"KUBECONFIG", Kubeconfig()}});
  ASSERT_EQ(kubectl.exit_code, 0) << "kubectl (needed by this test) failed: " << kubectl.err;
  EXPECT_NE(kubectl.out.find("deployment.apps/web"), std::string::npos) << kubectl.out;
  EXPECT_NE(kubectl.out.find("service/web"), std::string::npos) << kubectl.out;
}

TEST_F(MoorCliTest, SurvivesKillNineWithAConsistentStore) {
  StartServer();
  ASSERT_TRUE(WaitFor([&] { return GetJson("deploy", "web") != nullptr; })) << ServerLog();
  std::string uid = GetJson("deploy", "web")["metadata"]["uid"];

  // Keep the server busy writing while it is killed.
  for (int i = 0; i < 20; ++i) {
    testing::WriteFile(manifests_ / ("cm-" + std::to_string(i) + ".yaml"),
                       "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-" + std::to_string(i) +
                           "}\ndata: {i: \"" + std::to_string(i) + "\"}\n");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  server_->Stop(SIGKILL);
  StartServer();

  // Same object, same uid; every file ends up applied.
  EXPECT_EQ(GetJson("deploy", "web")["metadata"]["uid"], uid);
  EXPECT_TRUE(WaitFor([&] { return GetJson("cm", "cm-19") != nullptr && GetJson("cm", "cm-0") != nullptr; },
                      std::chrono::seconds(10)));
  CommandResult integrity = RunCommand({"sqlite3", (data_ / "state.db").string(), "PRAGMA integrity_check;"});
  EXPECT_EQ(integrity.out, "ok\n") << integrity.err;
  server_->Stop(SIGTERM);
}

TEST_F(MoorCliTest, ClientErrorsNameTheFileLineAndField) {
  StartServer();
  testing::WriteFile(dir_ / "bad.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: Bad_Name\nspec:\n"
                                        "  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: other}}\n"
                                        "    spec: {containers: [{name: c, image: i}]}\n");
  CommandResult r = Moor({"apply", "-f", (dir_ / "bad.yaml").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.yaml:4:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("metadata.name"), std::string::npos) << r.err;
  EXPECT_EQ(GetJson("deploy", "Bad_Name"), nullptr);

  CommandResult missing = Moor({"get", "deploy", "nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("deployments.apps \"nope\" not found"), std::string::npos) << missing.err;

  CommandResult unknown = Moor({"get", "widgets"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("doesn't have a resource type \"widgets\""), std::string::npos) << unknown.err;
}

}  // namespace
}  // namespace moor
