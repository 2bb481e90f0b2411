// The Pod columns of the Table as kubectl's printPod computes them (Kubernetes 1.32).
#include <gtest/gtest.h>

#include "moor/api/table.h"

namespace moor::api {
namespace {

const WallTime kNow = WallTime(std::chrono::seconds(1800000000));  // 2027-01-15T08:00:00Z
const char* kCreated = "2027-01-15T07:55:00Z";                     // 5m before kNow

Object Pod(const std::string& spec, const std::string& status, const std::string& extra_meta = "") {
  std::string meta = R"({"name": "p", "namespace": "default", "creationTimestamp": ")" + std::string(kCreated) +
                     "\"" + (extra_meta.empty() ? "" : ", " + extra_meta) + "}";
  return Object::parse(R"({"apiVersion": "v1", "kind": "Pod", "metadata": )" + meta + R"(, "spec": )" + spec +
                       R"(, "status": )" + status + "}");
}

const char* kOne = R"({"containers": [{"name": "a"}]})";
const char* kTwo = R"({"containers": [{"name": "a"}, {"name": "b"}]})";
const char* kInit = R"({"initContainers": [{"name": "i1"}, {"name": "i2"}], "containers": [{"name": "a"}]})";

TEST(PodTableTest, ColumnsAsKubectl) {
  std::vector<std::string> normal, wide;
  for (const auto& c : TableColumnsFor("Pod")) {
    wide.push_back(c.name);
    if (c.priority == 0) normal.push_back(c.name);
  }
  EXPECT_EQ(normal, (std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age"}));
  EXPECT_EQ(wide, (std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age", "IP", "Node",
                                            "Nominated Node", "Readiness Gates"}));
}

TEST(PodTableTest, ReadyStatusRestarts) {
  struct Case {
    std::string what;
    Object pod;
    std::string ready, status, restarts;
  };
  const std::vector<Case> cases = {
      {"new pod, no status yet", Pod(kOne, "{}"), "0/1", "Pending", "0"},
      {"being created", Pod(kOne, R"({"phase": "Pending", "containerStatuses": [
          {"name": "a", "ready": false, "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}}]})"),
       "0/1", "ContainerCreating", "0"},
      {"running and ready", Pod(kTwo, R"({"phase": "Running", "containerStatuses": [
          {"name": "a", "ready": true, "restartCount": 0, "state": {"running": {}}},
          {"name": "b", "ready": true, "restartCount": 0, "state": {"running": {}}}]})"),
       "2/2", "Running", "0"},
      {"running, not ready", Pod(kOne, R"({"phase": "Running", "containerStatuses": [
          {"name": "a", "ready": false, "restartCount": 0, "state": {"running": {}}}]})"),
       "0/1", "Running", "0"},
      {"ready but not running counts as not ready", Pod(kOne, R"({"phase": "Running", "containerStatuses": [
          {"name": "a", "ready": true, "restartCount": 0, "state": {"waiting": {}}}]})"),
       "0/1", "Running", "0"},
      {"crash loop with the last restart's age", Pod(kTwo, R"({"phase": "Running", "containerStatuses": [
          {"name": "a", "ready": true, "restartCount": 2, "state": {"running": {}},
           "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2027-01-15T07:58:00Z"}}},
          {"name": "b", "ready": false, "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
           "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2027-01-15T07:59:55Z"}}}]})"),
       "1/2", "CrashLoopBackOff", "5 (5s ago)"},
      {"restarts without a finish time", Pod(kOne, R"({"phase": "Running", "containerStatuses": [
          {"name": "a", "ready": true, "restartCount": 4, "state": {"running": {}}}]})"),
       "1/1", "Running", "4"},
      {"image pull failure", Pod(kOne, R"({"phase": "Pending", "containerStatuses": [
          {"name": "a", "ready": false, "restartCount": 0,
           "state": {"waiting": {"reason": "ErrImagePull", "message": "manifest unknown"}}}]})"),
       "0/1", "ErrImagePull", "0"},
      {"image pull backoff", Pod(kOne, R"({"phase": "Pending", "containerStatuses": [
          {"name": "a", "ready": false, "restartCount": 0, "state": {"waiting": {"reason": "ImagePullBackOff"}}}]})"),
       "0/1", "ImagePullBackOff", "0"},
      {"completed", Pod(kOne, R"({"phase": "Succeeded", "containerStatuses": [
          {"name": "a", "ready": false, "restartCount": 0,
           "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]})"),
       "0/1", "Completed", "0"},
      {"failed with a reason", Pod(kOne, R"({"phase": "Failed", "containerStatuses": [
          {"name": "a", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]})"),
       "0/1", "OOMKilled", "0"},
      {"terminated without a reason", Pod(kOne, R"({"phase": "Failed", "containerStatuses": [
          {"name": "a", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 2}}}]})"),
       "0/1", "ExitCode:2", "0"},
      {"killed by a signal", Pod(kOne, R"({"phase": "Failed", "containerStatuses": [
          {"name": "a", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 137, "signal": 9}}}]})"),
       "0/1", "Signal:9", "0"},
      {"one completed, one still running and the pod ready", Pod(kTwo, R"({"phase": "Running",
          "conditions": [{"type": "Ready", "status": "True"}], "containerStatuses": [
          {"name": "a", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
          {"name": "b", "ready": true, "restartCount": 0, "state": {"running": {}}}]})"),
       "1/2", "Running", "0"},
      {"one completed, one still running, pod not ready", Pod(kTwo, R"({"phase": "Running",
          "conditions": [{"type": "Ready", "status": "False"}], "containerStatuses": [
          {"name": "a", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
          {"name": "b", "ready": true, "restartCount": 0, "state": {"running": {}}}]})"),
       "1/2", "NotReady", "0"},
      {"being deleted", Pod(kOne, R"({"phase": "Running", "containerStatuses": [
          {"name": "a", "ready": true, "restartCount": 0, "state": {"running": {}}}]})",
                             R"("deletionTimestamp": "2027-01-15T07:59:00Z")"),
       "1/1", "Terminating", "0"},
      {"a finished pod being deleted keeps its status", Pod(kOne, R"({"phase": "Succeeded", "containerStatuses": [
          {"name": "a", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]})",
                             R"("deletionTimestamp": "2027-01-15T07:59:00Z")"),
       "0/1", "Completed", "0"},
      {"node lost", Pod(kOne, R"({"phase": "Running", "reason": "NodeLost"})",
                        R"("deletionTimestamp": "2027-01-15T07:59:00Z")"),
       "0/1", "Unknown", "0"},
      {"evicted", Pod(kOne, R"({"phase": "Failed", "reason": "Evicted"})"), "0/1", "Evicted", "0"},
      {"scheduling gated", Pod(kOne, R"({"phase": "Pending",
          "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]})"),
       "0/1", "SchedulingGated", "0"},
      {"first init container running", Pod(kInit, R"({"phase": "Pending", "initContainerStatuses": [
          {"name": "i1", "ready": false, "restartCount": 0, "state": {"running": {}}},
          {"name": "i2", "ready": false, "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}}],
          "containerStatuses": [{"name": "a", "ready": false, "restartCount": 0,
                                 "state": {"waiting": {"reason": "PodInitializing"}}}]})"),
       "0/1", "Init:0/2", "0"},
      {"second init container running", Pod(kInit, R"({"phase": "Pending", "initContainerStatuses": [
          {"name": "i1", "ready": true, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
          {"name": "i2", "ready": false, "restartCount": 0, "state": {"running": {}}}]})"),
       "0/1", "Init:1/2", "0"},
      {"init container crash loop counts its restarts", Pod(kInit, R"({"phase": "Pending", "initContainerStatuses": [
          {"name": "i1", "ready": false, "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
           "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": "2027-01-15T07:58:00Z"}}}],
          "containerStatuses": [{"name": "a", "ready": false, "restartCount": 0,
                                 "state": {"waiting": {"reason": "PodInitializing"}}}]})"),
       "0/1", "Init:CrashLoopBackOff", "3 (2m ago)"},
      {"init container failed", Pod(kInit, R"({"phase": "Failed", "initContainerStatuses": [
          {"name": "i1", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}]})"),
       "0/1", "Init:Error", "0"},
      {"init container exit code", Pod(kInit, R"({"phase": "Failed", "initContainerStatuses": [
          {"name": "i1", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 3}}}]})"),
       "0/1", "Init:ExitCode:3", "0"},
      {"sidecar init container counts as a container",
       Pod(R"({"initContainers": [{"name": "side", "restartPolicy": "Always"}], "containers": [{"name": "a"}]})",
           R"({"phase": "Running", "conditions": [{"type": "Initialized", "status": "True"}],
               "initContainerStatuses": [{"name": "side", "ready": true, "started": true, "restartCount": 1,
                                          "state": {"running": {}}}],
               "containerStatuses": [{"name": "a", "ready": true, "restartCount": 0, "state": {"running": {}}}]})"),
       "2/2", "Running", "1"},
  };
  for (const Case& c : cases) {
    auto cells = TableCellsFor(c.pod, kNow);
    ASSERT_EQ(cells.size(), 9u) << c.what;
    EXPECT_EQ(cells[0], "p") << c.what;
    EXPECT_EQ(cells[1], c.ready) << c.what;
    EXPECT_EQ(cells[2], c.status) << c.what;
    EXPECT_EQ(cells[3], c.restarts) << c.what;
    EXPECT_EQ(cells[4], "5m") << c.what;
  }
}

TEST(PodTableTest, WideColumns) {
  Object pod = Pod(R"({"nodeName": "node1", "containers": [{"name": "a"}],
                       "readinessGates": [{"conditionType": "example.com/lb"}, {"conditionType": "example.com/dns"}]})",
                   R"({"phase": "Running", "podIP": "10.42.0.7", "podIPs": [{"ip": "10.42.0.7"}],
                       "nominatedNodeName": "node2",
                       "conditions": [{"type": "example.com/lb", "status": "True"},
                                      {"type": "example.com/dns", "status": "False"}]})");
  auto cells = TableCellsFor(pod, kNow);
  EXPECT_EQ(cells[5], "10.42.0.7");
  EXPECT_EQ(cells[6], "node1");
  EXPECT_EQ(cells[7], "node2");
  EXPECT_EQ(cells[8], "1/2");

  Object only_pod_ip = Pod(kOne, R"({"phase": "Running", "podIP": "10.42.0.9"})");
  EXPECT_EQ(TableCellsFor(only_pod_ip, kNow)[5], "10.42.0.9");

  Object bare = Pod(kOne, "{}");
  auto none = TableCellsFor(bare, kNow);
  EXPECT_EQ(none[5], "<none>");
  EXPECT_EQ(none[6], "<none>");
  EXPECT_EQ(none[7], "<none>");
  EXPECT_EQ(none[8], "<none>");
}

}  // namespace
}  // namespace moor::api
