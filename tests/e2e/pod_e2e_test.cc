// Pods on real parts, as a user meets them: YAML dropped into the watched folder of a real
// `moor server` becomes runc containers in a CNI network namespace, with an image pulled from a
// real registry on 127.0.0.1 (built by the test from busybox-static). Needs root; every piece
// of host state is removed by MoorNode, also when a test fails.
#include <signal.h>

#include <regex>
#include <set>
#include <thread>
#include <string>

#include <gtest/gtest.h>

#include "moor/common/files.h"
#include "moor/testing/test_registry.h"
#include "e2e_fixture.h"

namespace moor::e2e {
namespace {

using testing::ChildProcess;
using testing::WaitFor;
using std::chrono::seconds;

class PodE2eTest : public E2eTest {};

TEST_F(PodE2eTest, HelloPodFromTheFolderAnswersOnItsIpAndLogsFollow) {
  node_->WriteManifest("hello-pod.yaml", kHelloPod);
  nlohmann::json pod = WaitRunningReady("hello-pod");
  std::string ip = pod["status"].value("podIP", "");
  ASSERT_TRUE(std::regex_match(ip, std::regex(R"Y(10\.42\.\d+\.\d+)Y"))) << ip;
  EXPECT_EQ(HttpGet("http://" + ip + ":8000/"), "hello from moor\n");
  EXPECT_EQ(pod["spec"].value("nodeName", ""), pod["status"].value("hostIP", "").empty() ? "" : pod["spec"]["nodeName"]);

  auto wide = node_->Moor({"get", "pods", "-o", "wide"});
  ASSERT_EQ(wide.exit_code, 0) << wide.err;
  EXPECT_NE(wide.out.find(ip), std::string::npos) << wide.out;
  EXPECT_NE(wide.out.find("1/1"), std::string::npos) << wide.out;
  EXPECT_NE(wide.out.find(pod["spec"].value("nodeName", "?")), std::string::npos) << wide.out;

  // `moor logs -f` follows: a request made after it started shows up in its output.
  testing::TempDir out_dir("e2e-logs");
  ChildProcess follow({MOOR_BINARY, "--kubeconfig", (node_->data_dir() / "moor.kubeconfig").string(), "logs", "-f",
                       "hello-pod"},
                      (out_dir / "follow.log").string());
  auto follow_log = [&] {
    auto text = ReadFileLimited(out_dir / "follow.log", 1 << 20);
    return text.ok() ? *text : std::string();
  };
  ASSERT_TRUE(WaitFor([&] { return follow_log().find("response:200") != std::string::npos; }, seconds(10)))
      << follow_log();
  auto lines = [&] {
    std::string text = follow_log();
    return std::count(text.begin(), text.end(), '\n');
  };
  auto before = lines();
  HttpGet("http://" + ip + ":8000/missing");  // a 404, logged by httpd -v
  EXPECT_TRUE(WaitFor([&] { return follow_log().find("response:404") != std::string::npos && lines() > before; },
                      seconds(10)))
      << follow_log();
  EXPECT_TRUE(follow.Running()) << "moor logs -f exited early";
  follow.Stop(SIGTERM);

  auto logs = node_->Moor({"logs", "hello-pod", "--tail", "1"});
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_EQ(std::count(logs.out.begin(), logs.out.end(), '\n'), 1) << logs.out;
}

TEST_F(PodE2eTest, ConfigMapEnvAndMountedSecretAreVisibleInsideAndSecretUpdatesFollow) {
  node_->WriteManifest("config.yaml", R"Y(apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {GREETING: "hi there", color: blue}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: s3cret}
)Y");
  node_->WriteManifest("pod.yaml", R"Y(apiVersion: v1
kind: Pod
metadata: {name: envpod}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox:1.36
    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
    env:
    - name: GREETING
      valueFrom: {configMapKeyRef: {name: settings, key: GREETING}}
    - name: POD_NAME
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    - name: MESSAGE
      value: "$(GREETING) from $(POD_NAME)"
    envFrom:
    - prefix: CFG_
      configMapRef: {name: settings}
    volumeMounts:
    - {name: creds, mountPath: /etc/creds}
  volumes:
  - name: creds
    secret: {secretName: creds}
)Y");
  WaitRunningReady("envpod");
  auto env = node_->Moor({"exec", "envpod", "--", "sh", "-c", "echo $MESSAGE; echo $CFG_color; cat /etc/creds/password"});
  ASSERT_EQ(env.exit_code, 0) << env.out << env.err;
  EXPECT_EQ(env.out, "hi there from envpod\nblue\ns3cret");

  // The Secret changes in the folder: the mounted file follows (env does not, as in Kubernetes).
  node_->WriteManifest("config.yaml", R"Y(apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {GREETING: "hi there", color: blue}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: rotated}
)Y");
  EXPECT_TRUE(WaitFor(
      [&] { return node_->Moor({"exec", "envpod", "--", "cat", "/etc/creds/password"}).out == "rotated"; }, seconds(20)));
}

TEST_F(PodE2eTest, KilledContainerIsRestartedAndRestartCountRises) {
  node_->WriteManifest("hello-pod.yaml", kHelloPod);
  nlohmann::json pod = WaitRunningReady("hello-pod");
  std::string first = ContainerId(pod);
  int pid = node_->RuncPid(first);
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  ASSERT_TRUE(WaitFor(
      [&] {
        pod = Pod("hello-pod");
        return pod.is_object() && pod["status"]["containerStatuses"][0].value("restartCount", 0) == 1 &&
               Ready(pod) == "True";
      },
      seconds(30)))
      << pod.dump(2);
  const auto& status = pod["status"]["containerStatuses"][0];
  EXPECT_NE(ContainerId(pod), first);
  EXPECT_EQ(status["lastState"]["terminated"].value("exitCode", 0), 137);
  EXPECT_EQ(status["lastState"]["terminated"].value("reason", ""), "Error");
  EXPECT_EQ(HttpGet("http://" + pod["status"].value("podIP", "") + ":8000/"), "hello from moor\n");
  auto previous = node_->Moor({"logs", "hello-pod", "--previous"});
  EXPECT_EQ(previous.exit_code, 0) << previous.err;
}

TEST_F(PodE2eTest, FailingReadinessProbeMakesThePodNotReadyAndLivenessRestarts) {
  node_->WriteManifest("probe.yaml", R"Y(apiVersion: v1
kind: Pod
metadata: {name: probed}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox:1.36
    command: ["sh", "-c", "touch /tmp/ready /tmp/alive; trap 'exit 0' TERM; while :; do sleep 1; done"]
    readinessProbe:
      exec: {command: ["cat", "/tmp/ready"]}
      periodSeconds: 1
      failureThreshold: 1
    livenessProbe:
      exec: {command: ["cat", "/tmp/alive"]}
      periodSeconds: 1
      failureThreshold: 2
)Y");
  WaitRunningReady("probed");
  ASSERT_EQ(node_->Moor({"exec", "probed", "--", "rm", "/tmp/ready"}).exit_code, 0);
  nlohmann::json pod;
  EXPECT_TRUE(WaitFor([&] { pod = Pod("probed"); return Ready(pod) == "False"; }, seconds(20))) << pod.dump(2);
  EXPECT_EQ(pod["status"].value("phase", ""), "Running");
  EXPECT_EQ(pod["status"]["containerStatuses"][0].value("restartCount", -1), 0);

  ASSERT_EQ(node_->Moor({"exec", "probed", "--", "rm", "/tmp/alive"}).exit_code, 0);
  EXPECT_TRUE(WaitFor(
      [&] {
        pod = Pod("probed");
        return pod.is_object() && pod["status"]["containerStatuses"][0].value("restartCount", 0) >= 1 &&
               Ready(pod) == "True";
      },
      seconds(40)))
      << pod.dump(2);
}

TEST_F(PodE2eTest, KillNineOfTheDaemonLeavesContainersRunningAndRestartAdoptsThem) {
  node_->WriteManifest("hello-pod.yaml", kHelloPod);
  nlohmann::json pod = WaitRunningReady("hello-pod");
  std::string ip = pod["status"].value("podIP", "");
  std::string id = ContainerId(pod);
  std::vector<std::string> before = node_->RuncContainerIds();
  ASSERT_EQ(before, std::vector<std::string>{id});

  node_->Kill9();
  EXPECT_EQ(HttpGet("http://" + ip + ":8000/"), "hello from moor\n") << "the pod stopped answering with the daemon";
  EXPECT_GT(node_->RuncPid(id), 0);

  std::string error = node_->Start();
  ASSERT_TRUE(error.empty()) << error;
  ASSERT_TRUE(WaitFor([&] { return node_->ServerLog().find("adopted_pods=1") != std::string::npos; }, seconds(10)));
  // Give the agent a few sync rounds to do anything wrong.
  std::this_thread::sleep_for(seconds(2));
  pod = WaitRunningReady("hello-pod");
  EXPECT_EQ(ContainerId(pod), id);
  EXPECT_EQ(pod["status"]["containerStatuses"][0].value("restartCount", -1), 0);
  EXPECT_EQ(node_->RuncContainerIds(), before) << "no duplicates, no replacements";
  EXPECT_EQ(pod["status"].value("podIP", ""), ip);
  EXPECT_EQ(HttpGet("http://" + ip + ":8000/"), "hello from moor\n");
}

TEST_F(PodE2eTest, DeletingThePodLeavesNoNetnsMountCgroupOrRuncState) {
  node_->WriteManifest("hello-pod.yaml", kHelloPod);
  nlohmann::json pod = WaitRunningReady("hello-pod");
  ASSERT_EQ(node_->NetnsWithPrefix().size(), 1u);
  ASSERT_FALSE(node_->MountsUnderDataDir().empty());
  ASSERT_FALSE(node_->ContainerCgroupDirs().empty());

  node_->RemoveManifest("hello-pod.yaml");
  EXPECT_TRUE(WaitFor([&] { return node_->RuncContainerIds().empty(); }, seconds(30)));
  EXPECT_TRUE(WaitFor([&] { return node_->NetnsWithPrefix().empty(); }, seconds(10)));
  // The pod's directory goes last, after its network.
  EXPECT_TRUE(WaitFor([&] { return std::filesystem::is_empty(node_->data_dir() / "pods"); }, seconds(10)));
  EXPECT_TRUE(node_->MountsUnderDataDir().empty()) << ::testing::PrintToString(node_->MountsUnderDataDir());
  EXPECT_TRUE(node_->ContainerCgroupDirs().empty()) << ::testing::PrintToString(node_->ContainerCgroupDirs());
  // No container directory (the runtime's own runc-run.sh wrapper stays).
  std::vector<std::string> container_dirs;
  for (const auto& e : std::filesystem::directory_iterator(node_->data_dir() / "containers")) {
    if (e.is_directory()) container_dirs.push_back(e.path().filename().string());
  }
  EXPECT_TRUE(container_dirs.empty()) << ::testing::PrintToString(container_dirs);
  EXPECT_FALSE(Pod("hello-pod").is_object());
}

TEST_F(PodE2eTest, InitContainersRunFirstAndARunToCompletionPodSucceeds) {
  node_->WriteManifest("job-pod.yaml", R"Y(apiVersion: v1
kind: Pod
metadata: {name: once}
spec:
  restartPolicy: Never
  initContainers:
  - name: prepare
    image: busybox:1.36
    command: ["sh", "-c", "echo prepared > /work/state"]
    volumeMounts: [{name: work, mountPath: /work}]
  containers:
  - name: main
    image: busybox:1.36
    command: ["sh", "-c", "cat /work/state; exit 0"]
    volumeMounts: [{name: work, mountPath: /work}]
  volumes:
  - name: work
    emptyDir: {}
)Y");
  nlohmann::json pod;
  ASSERT_TRUE(WaitFor([&] { pod = Pod("once"); return StatusOf(pod).value("phase", "") == "Succeeded"; },
                      seconds(60)))
      << pod.dump(2);
  EXPECT_EQ(pod["status"]["containerStatuses"][0]["state"]["terminated"].value("reason", ""), "Completed");
  auto logs = node_->Moor({"logs", "once"});
  EXPECT_EQ(logs.out, "prepared\n") << logs.err;
  // --since: the line is in the last hour, and (two seconds later) not in the last second.
  EXPECT_EQ(node_->Moor({"logs", "once", "--since", "1h"}).out, "prepared\n");
  std::this_thread::sleep_for(seconds(2));
  auto recent = node_->Moor({"logs", "once", "--since", "1s"});
  EXPECT_EQ(recent.exit_code, 0) << recent.err;
  EXPECT_EQ(recent.out, "");
}

TEST_F(PodE2eTest, AMissingImageShowsErrImagePullWithTheRegistrysMessageThenBacksOff) {
  node_->WriteManifest("bad.yaml", R"Y(apiVersion: v1
kind: Pod
metadata: {name: badimage}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox:does-not-exist
)Y");
  std::set<std::string> reasons;
  nlohmann::json waiting;
  EXPECT_TRUE(WaitFor(
      [&] {
        nlohmann::json pod = Pod("badimage");
        const auto& statuses = StatusOf(pod).value("containerStatuses", nlohmann::json::array());
        if (statuses.empty()) return false;
        waiting = statuses[0]["state"].value("waiting", nlohmann::json::object());
        reasons.insert(waiting.value("reason", ""));
        return reasons.count("ErrImagePull") && reasons.count("ImagePullBackOff");
      },
      seconds(30)))
      << ::testing::PrintToString(reasons) << " " << waiting.dump();
  EXPECT_NE(waiting.value("message", "").find("busybox:does-not-exist"), std::string::npos) << waiting.dump();
  EXPECT_NE(waiting.value("message", "").find("manifest unknown"), std::string::npos) << waiting.dump();
  auto table = node_->Moor({"get", "pods"});
  EXPECT_TRUE(table.out.find("ErrImagePull") != std::string::npos ||
              table.out.find("ImagePullBackOff") != std::string::npos)
      << table.out;
}

TEST_F(PodE2eTest, ResourcesAndSecurityContextReachTheContainer) {
  node_->WriteManifest("limits.yaml", R"Y(apiVersion: v1
kind: Pod
metadata: {name: limited}
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {runAsUser: 1000, runAsGroup: 1000}
  containers:
  - name: main
    image: busybox:1.36
    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
    resources:
      requests: {cpu: 250m, memory: 32Mi}
      limits: {cpu: 500m, memory: 64Mi}
    securityContext:
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
)Y");
  nlohmann::json pod = WaitRunningReady("limited");
  EXPECT_EQ(StatusOf(pod).value("qosClass", ""), "Burstable");
  auto id = node_->Moor({"exec", "limited", "--", "id"});
  EXPECT_EQ(id.out, "uid=1000 gid=1000\n") << id.err;
  auto write = node_->Moor({"exec", "limited", "--", "touch", "/x"});
  EXPECT_NE(write.exit_code, 0) << "the root filesystem is read-only";
  auto caps = node_->Moor({"exec", "limited", "--", "grep", "CapEff", "/proc/self/status"});
  EXPECT_NE(caps.out.find("0000000000000000"), std::string::npos) << caps.out;
  // The memory limit is the container's cgroup limit (cgroup v1 here, v2 elsewhere).
  std::string cid = ContainerId(pod);
  auto v1 = ReadFileLimited("/sys/fs/cgroup/memory/" + node_->prefix() + "/" + cid + "/memory.limit_in_bytes", 64);
  auto v2 = ReadFileLimited("/sys/fs/cgroup/" + node_->prefix() + "/" + cid + "/memory.max", 64);
  std::string limit = v1.ok() ? *v1 : (v2.ok() ? *v2 : "");
  EXPECT_EQ(limit, "67108864\n");
}

TEST_F(PodE2eTest, TheNodeIsRegisteredReadyWithTheMachinesCapacity) {
  auto nodes = node_->Moor({"get", "nodes", "-o", "json"});
  ASSERT_EQ(nodes.exit_code, 0) << nodes.err;
  auto list = nlohmann::json::parse(nodes.out, nullptr, false);
  ASSERT_TRUE(list.is_object() && list["items"].size() == 1) << nodes.out << nodes.err;
  const auto& node = list["items"][0];
  std::string ready;
  for (const auto& c : node["status"]["conditions"]) {
    if (c.value("type", "") == "Ready") ready = c.value("status", "");
  }
  EXPECT_EQ(ready, "True");
  EXPECT_EQ(node["status"]["capacity"].value("cpu", ""), std::to_string(std::thread::hardware_concurrency()));
  EXPECT_FALSE(node["metadata"]["annotations"].value("moor.dev/runc-root", "").empty());
}

TEST_F(PodE2eTest, AnHttpReadinessProbeFollowsARestartedContainer) {
  node_->WriteManifest("ready.yaml", R"Y(apiVersion: v1
kind: Pod
metadata: {name: webready}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox:1.36
    command: ["httpd", "-f", "-p", "8000", "-h", "/www"]
    ports: [{name: http, containerPort: 8000}]
    readinessProbe:
      httpGet: {path: /, port: http}
      periodSeconds: 5
)Y");
  nlohmann::json pod = WaitRunningReady("webready");
  int pid = node_->RuncPid(ContainerId(pod));
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  ASSERT_TRUE(WaitFor(
      [&] {
        pod = Pod("webready");
        return StatusOf(pod).value("containerStatuses", nlohmann::json::array()).size() == 1 &&
               pod["status"]["containerStatuses"][0].value("restartCount", 0) == 1;
      },
      seconds(30)));
  WaitRunningReady("webready", seconds(20));
}

TEST_F(PodE2eTest, ExecWithATerminalGetsAPty) {
  node_->WriteManifest("hello-pod.yaml", kHelloPod);
  WaitRunningReady("hello-pod");
  // `script` gives `moor exec -it` a terminal, as a user's shell would.
  std::string command = std::string(MOOR_BINARY) + " --kubeconfig " + (node_->data_dir() / "moor.kubeconfig").string() +
                        " exec -it hello-pod -- sh -c 'tty; echo cols=$(stty size)'";
  auto r = testing::RunCommand({"script", "-qec", command, "/dev/null"}, {}, "", seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("/dev/pts/"), std::string::npos) << r.out;
  auto plain = node_->Moor({"exec", "hello-pod", "--", "sh", "-c", "tty || true"});
  EXPECT_NE(plain.out.find("not a tty"), std::string::npos) << plain.out;
}

TEST_F(PodE2eTest, AHostPortReachesThePodFromLoopback) {
  int host_port = testing::FreeLoopbackPort();
  node_->WriteManifest("hostport.yaml", std::string(R"Y(apiVersion: v1
kind: Pod
metadata: {name: hostport}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox:1.36
    command: ["httpd", "-f", "-p", "8000", "-h", "/www"]
    ports:
    - containerPort: 8000
      hostPort: )Y") + std::to_string(host_port) + "\n");
  WaitRunningReady("hostport");
  EXPECT_EQ(HttpGet("http://127.0.0.1:" + std::to_string(host_port) + "/"), "hello from moor\n");
  node_->RemoveManifest("hostport.yaml");
  ASSERT_TRUE(WaitFor([&] { return node_->RuncContainerIds().empty(); }, seconds(30)));
  EXPECT_EQ(HttpGet("http://127.0.0.1:" + std::to_string(host_port) + "/"), "") << "the mapping outlived the pod";
}

// Graceful deletion as a kubectl user sees it: a pod whose shell traps SIGTERM and goes on for
// two more seconds (grace 3 s) is Terminating meanwhile (still running, out of its Service's
// Endpoints), and then it and every trace of it on the host are gone; `kubectl delete` without
// --wait=false (and `moor delete`) returns only once it is gone.
TEST_F(PodE2eTest, KubectlDeleteShowsTerminatingUntilTheTrapExitsThenEverythingIsGone) {
  const std::string kubectl = "/usr/bin/kubectl";
  ASSERT_TRUE(std::filesystem::exists(kubectl)) << kubectl << " is missing: this test needs the real kubectl";
  testing::TempDir dir("e2e-grace");
  auto run_kubectl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), kubectl);
    return testing::RunCommand(args, {{"KUBECONFIG", (node_->data_dir() / "moor.kubeconfig").string()},
                                      {"HOME", dir.path().string()}},
                               "", seconds(60));
  };
  // Created through the API (not the watched folder, which would bring it back).
  testing::WriteFile(dir / "grace.yaml", R"Y(apiVersion: v1
kind: Pod
metadata: {name: grace, labels: {app: grace}}
spec:
  terminationGracePeriodSeconds: 3
  containers:
  - name: main
    image: busybox:1.36
    command: ["sh", "-c", "trap 'sleep 2; exit 0' TERM; while :; do sleep 1 & wait; done"]
---
apiVersion: v1
kind: Service
metadata: {name: grace}
spec:
  selector: {app: grace}
  ports: [{port: 80, targetPort: 8000}]
)Y");
  auto applied = node_->Moor({"apply", "-f", (dir / "grace.yaml").string()});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  nlohmann::json pod = WaitRunningReady("grace");
  std::string ip = pod["status"].value("podIP", "");
  ASSERT_FALSE(ip.empty());
  auto endpoints = [&] { return node_->Get("endpoints", "grace").dump(); };
  ASSERT_TRUE(WaitFor([&] { return endpoints().find(ip) != std::string::npos; }, seconds(10))) << endpoints();

  auto deleted = run_kubectl({"delete", "pod", "grace", "--wait=false"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.out << deleted.err;
  EXPECT_NE(deleted.out.find("pod \"grace\" deleted"), std::string::npos) << deleted.out;
  auto get = run_kubectl({"get", "pods"});
  EXPECT_NE(get.out.find("Terminating"), std::string::npos) << get.out << get.err;
  EXPECT_FALSE(node_->RuncContainerIds().empty()) << "the trap keeps the container running a while";
  EXPECT_TRUE(WaitFor([&] { return endpoints().find(ip) == std::string::npos; }, seconds(10)))
      << "the Terminating pod is still in the Endpoints: " << endpoints();

  ASSERT_TRUE(WaitFor([&] { return !Pod("grace").is_object(); }, seconds(30))) << "the pod was never removed";
  EXPECT_TRUE(node_->RuncContainerIds().empty()) << ::testing::PrintToString(node_->RuncContainerIds());
  EXPECT_TRUE(node_->NetnsWithPrefix().empty()) << ::testing::PrintToString(node_->NetnsWithPrefix());
  EXPECT_TRUE(node_->MountsUnderDataDir().empty()) << ::testing::PrintToString(node_->MountsUnderDataDir());
  EXPECT_TRUE(std::filesystem::is_empty(node_->data_dir() / "pods"));

  // The same pod again; now kubectl delete waits (its default) and returns once it is gone.
  applied = node_->Moor({"apply", "-f", (dir / "grace.yaml").string()});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  WaitRunningReady("grace");
  auto waited = run_kubectl({"delete", "pod", "grace"});
  ASSERT_EQ(waited.exit_code, 0) << waited.out << waited.err;
  EXPECT_FALSE(Pod("grace").is_object()) << "kubectl delete returned before the pod was gone";
  EXPECT_TRUE(node_->RuncContainerIds().empty()) << ::testing::PrintToString(node_->RuncContainerIds());
  EXPECT_TRUE(node_->NetnsWithPrefix().empty()) << ::testing::PrintToString(node_->NetnsWithPrefix());

  // `moor delete` waits the same way.
  applied = node_->Moor({"apply", "-f", (dir / "grace.yaml").string()});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  WaitRunningReady("grace");
  auto moor_deleted = node_->Moor({"delete", "pod", "grace"});
  ASSERT_EQ(moor_deleted.exit_code, 0) << moor_deleted.out << moor_deleted.err;
  EXPECT_EQ(moor_deleted.out, "pod \"grace\" deleted\n");
  EXPECT_FALSE(Pod("grace").is_object()) << "moor delete returned before the pod was gone";
  EXPECT_TRUE(node_->RuncContainerIds().empty()) << ::testing::PrintToString(node_->RuncContainerIds());
}

// A deleted namespace takes its pods with it: `kubectl delete namespace` (waiting, as by
// default) returns once the namespace is gone, and by then its pod was stopped (gracefully,
// through the node agent) and every trace of it on the host is gone, its ConfigMap too.
TEST_F(PodE2eTest, KubectlDeleteNamespaceStopsItsPodsAndLeavesNothingOnTheHost) {
  const std::string kubectl = "/usr/bin/kubectl";
  ASSERT_TRUE(std::filesystem::exists(kubectl)) << kubectl << " is missing: this test needs the real kubectl";
  testing::TempDir dir("e2e-ns");
  auto run_kubectl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), kubectl);
    return testing::RunCommand(args, {{"KUBECONFIG", (node_->data_dir() / "moor.kubeconfig").string()},
                                      {"HOME", dir.path().string()}},
                               "", seconds(60));
  };
  // Through the API (the watched folder would bring the pod back).
  testing::WriteFile(dir / "shop.yaml", R"Y(apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {a: "1"}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  terminationGracePeriodSeconds: 3
  containers:
  - name: main
    image: busybox:1.36
    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1 & wait; done"]
)Y");
  auto applied = node_->Moor({"apply", "-f", (dir / "shop.yaml").string()});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  auto shop_pod = [&] {
    auto r = node_->Moor({"get", "pod", "web", "-n", "shop", "-o", "json"});
    return r.exit_code == 0 ? nlohmann::json::parse(r.out, nullptr, false) : nlohmann::json();
  };
  ASSERT_TRUE(WaitFor([&] { return StatusOf(shop_pod()).value("phase", "") == "Running"; }, seconds(60)))
      << shop_pod().dump();
  ASSERT_EQ(node_->NetnsWithPrefix().size(), 1u);

  auto deleted = run_kubectl({"delete", "namespace", "shop"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.out << deleted.err;
  EXPECT_NE(deleted.out.find("namespace \"shop\" deleted"), std::string::npos) << deleted.out;
  auto gone = run_kubectl({"get", "namespace", "shop"});
  EXPECT_NE(gone.err.find("NotFound"), std::string::npos) << "kubectl delete returned before the namespace was gone";
  EXPECT_FALSE(shop_pod().is_object());
  EXPECT_NE(node_->Moor({"get", "configmap", "settings", "-n", "shop"}).exit_code, 0);
  EXPECT_TRUE(node_->RuncContainerIds().empty()) << ::testing::PrintToString(node_->RuncContainerIds());
  EXPECT_TRUE(node_->NetnsWithPrefix().empty()) << ::testing::PrintToString(node_->NetnsWithPrefix());
  EXPECT_TRUE(node_->MountsUnderDataDir().empty()) << ::testing::PrintToString(node_->MountsUnderDataDir());
  EXPECT_TRUE(std::filesystem::is_empty(node_->data_dir() / "pods"));
}

}  // namespace
}  // namespace moor::e2e
