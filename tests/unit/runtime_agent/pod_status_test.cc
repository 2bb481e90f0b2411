#include "pod_status.h"

#include <functional>
#include <string>

#include <gtest/gtest.h>

namespace moor::runtime {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const WallTime kNow = WallTime(seconds(1800000000));  // 2027-01-15T08:00:00Z
const std::string kNowText = FormatRfc3339(kNow);

Object MakePod(const std::string& restart_policy, bool with_init = false) {
  Object pod = Object::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web", "namespace": "shop", "uid": "0123-4567"},
    "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "busybox:1"}]}
  })");
  if (!restart_policy.empty()) pod["spec"]["restartPolicy"] = restart_policy;
  if (with_init) pod["spec"]["initContainers"] = Object::parse(R"([{"name": "init", "image": "busybox:init"}])");
  return pod;
}

PodObservation Observation() {
  PodObservation obs;
  obs.sandbox_ready = true;
  obs.pod_ip = "10.42.0.9";
  obs.sandbox_created = kNow - minutes(2);
  obs.now = kNow;
  return obs;
}

ContainerInstance Running(const std::string& name, int attempt) {
  ContainerInstance c;
  c.id = name + "-id-" + std::to_string(attempt);
  c.name = name;
  c.init = name == "init";
  c.attempt = attempt;
  c.state = ContainerState::kRunning;
  c.started_at = kNow - seconds(30);
  c.image = "busybox:1";
  c.image_id = "sha256:1111";
  return c;
}

ContainerInstance Exited(const std::string& name, int attempt, int exit_code, bool oom = false) {
  ContainerInstance c = Running(name, attempt);
  c.state = ContainerState::kExited;
  c.exit_code = exit_code;
  c.oom_killed = oom;
  c.finished_at = kNow - seconds(10);
  return c;
}

void Add(PodObservation& obs, ContainerInstance c) { obs.containers[c.name].push_back(std::move(c)); }

const Object& ConditionOf(const Object& status, const std::string& type) {
  for (const Object& c : status["conditions"]) {
    if (c["type"] == type) return c;
  }
  static const Object kNone;
  ADD_FAILURE() << "no condition " << type << " in " << status.dump();
  return kNone;
}

std::string ConditionStatus(const Object& status, const std::string& type) {
  const Object& c = ConditionOf(status, type);
  return c.is_object() ? c["status"].get<std::string>() : "";
}

TEST(PodStatusTest, Phases) {
  struct Case {
    const char* name;
    std::string restart_policy;
    bool with_init;
    std::function<void(PodObservation&)> observe;
    const char* want_phase;
  } cases[] = {
      {"no sandbox yet", "Always", false, [](PodObservation& o) { o.sandbox_ready = false; }, "Pending"},
      {"sandbox, container not created", "Always", false, [](PodObservation&) {}, "Pending"},
      {"created, never started", "Always", false,
       [](PodObservation& o) {
         ContainerInstance c = Running("app", 0);
         c.state = ContainerState::kCreated;
         c.started_at.reset();
         Add(o, c);
       },
       "Pending"},
      {"running", "Always", false, [](PodObservation& o) { Add(o, Running("app", 0)); }, "Running"},
      {"Always: exited 0 is restarting, still Running", "Always", false,
       [](PodObservation& o) { Add(o, Exited("app", 0, 0)); }, "Running"},
      {"OnFailure: exited 1 is restarting, still Running", "OnFailure", false,
       [](PodObservation& o) { Add(o, Exited("app", 0, 1)); }, "Running"},
      {"OnFailure: exited 0", "OnFailure", false, [](PodObservation& o) { Add(o, Exited("app", 0, 0)); },
       "Succeeded"},
      {"Never: exited 0", "Never", false, [](PodObservation& o) { Add(o, Exited("app", 0, 0)); }, "Succeeded"},
      {"Never: exited 1", "Never", false, [](PodObservation& o) { Add(o, Exited("app", 0, 1)); }, "Failed"},
      {"Never: OOM killed", "Never", false, [](PodObservation& o) { Add(o, Exited("app", 0, 137, true)); },
       "Failed"},
      {"init running", "Always", true, [](PodObservation& o) { Add(o, Running("init", 0)); }, "Pending"},
      {"init failed, Never", "Never", true, [](PodObservation& o) { Add(o, Exited("init", 0, 1)); }, "Failed"},
      {"init failed, OnFailure: retried, Pending", "OnFailure", true,
       [](PodObservation& o) { Add(o, Exited("init", 0, 1)); }, "Pending"},
      {"init done, app not started", "Always", true, [](PodObservation& o) { Add(o, Exited("init", 0, 0)); },
       "Pending"},
      {"init done, app running", "Always", true,
       [](PodObservation& o) {
         Add(o, Exited("init", 0, 0));
         Add(o, Running("app", 0));
       },
       "Running"},
      {"init done, app succeeded (Never)", "Never", true,
       [](PodObservation& o) {
         Add(o, Exited("init", 0, 0));
         Add(o, Exited("app", 0, 0));
       },
       "Succeeded"},
  };
  for (const Case& c : cases) {
    PodObservation obs = Observation();
    c.observe(obs);
    Object status = BuildPodStatus(MakePod(c.restart_policy, c.with_init), obs, Object(), "192.168.1.5");
    EXPECT_EQ(status["phase"], c.want_phase) << c.name << ": " << status.dump();
  }
}

TEST(PodStatusTest, RunningContainerStatus) {
  PodObservation obs = Observation();
  Add(obs, Exited("app", 0, 137, true));
  Add(obs, Running("app", 1));
  obs.probes["app-id-1"] = ProbeState{true, true, false};
  Object status = BuildPodStatus(MakePod("Always"), obs, Object(), "192.168.1.5");
  ASSERT_EQ(status["containerStatuses"].size(), 1u);
  const Object& cs = status["containerStatuses"][0];
  EXPECT_EQ(cs["name"], "app");
  EXPECT_EQ(cs["image"], "busybox:1");
  EXPECT_EQ(cs["imageID"], "sha256:1111");
  EXPECT_EQ(cs["containerID"], "runc://app-id-1");
  EXPECT_EQ(cs["restartCount"], 1);
  EXPECT_EQ(cs["ready"], true);
  EXPECT_EQ(cs["started"], true);
  EXPECT_EQ(cs["state"], Object::parse(R"({"running": {"startedAt": ")" + FormatRfc3339(kNow - seconds(30)) +
                                       R"("}})"));
  const Object& last = cs["lastState"]["terminated"];
  EXPECT_EQ(last["exitCode"], 137);
  EXPECT_EQ(last["reason"], "OOMKilled");
  EXPECT_EQ(last["containerID"], "runc://app-id-0");
  EXPECT_EQ(last["startedAt"], FormatRfc3339(kNow - seconds(30)));
  EXPECT_EQ(last["finishedAt"], FormatRfc3339(kNow - seconds(10)));
  EXPECT_FALSE(status.contains("initContainerStatuses"));
  EXPECT_EQ(status["phase"], "Running");
  EXPECT_EQ(ConditionStatus(status, "Ready"), "True");
  EXPECT_EQ(ConditionStatus(status, "ContainersReady"), "True");
  EXPECT_EQ(ConditionStatus(status, "Initialized"), "True");
  EXPECT_EQ(ConditionStatus(status, "PodScheduled"), "True");
  EXPECT_EQ(ConditionStatus(status, "PodReadyToStartContainers"), "True");
  EXPECT_EQ(status["podIP"], "10.42.0.9");
  EXPECT_EQ(status["podIPs"], Object::parse(R"([{"ip": "10.42.0.9"}])"));
  EXPECT_EQ(status["hostIP"], "192.168.1.5");
  EXPECT_EQ(status["hostIPs"], Object::parse(R"([{"ip": "192.168.1.5"}])"));
  EXPECT_EQ(status["startTime"], FormatRfc3339(kNow - minutes(2)));
  EXPECT_EQ(status["qosClass"], "BestEffort");
}

TEST(PodStatusTest, ReadinessAndStartupDriveReady) {
  struct Case {
    ProbeState probes;
    bool want_ready;
    bool want_started;
  } cases[] = {
      {{true, true, false}, true, true},
      {{false, true, false}, false, true},
      {{true, false, false}, false, false},  // startup probe not passed yet
  };
  for (const Case& c : cases) {
    PodObservation obs = Observation();
    Add(obs, Running("app", 0));
    obs.probes["app-id-0"] = c.probes;
    Object status = BuildPodStatus(MakePod("Always"), obs, Object(), "");
    const Object& cs = status["containerStatuses"][0];
    EXPECT_EQ(cs["ready"], c.want_ready) << status.dump();
    EXPECT_EQ(cs["started"], c.want_started) << status.dump();
    EXPECT_EQ(ConditionStatus(status, "Ready"), c.want_ready ? "True" : "False");
    EXPECT_EQ(ConditionStatus(status, "ContainersReady"), c.want_ready ? "True" : "False");
    if (!c.want_ready) {
      EXPECT_EQ(ConditionOf(status, "Ready")["reason"], "ContainersNotReady");
    }
    EXPECT_EQ(status["phase"], "Running");
    // No host IP given: none reported.
    EXPECT_FALSE(status.contains("hostIP"));
  }
}

TEST(PodStatusTest, TerminatedReasons) {
  struct Case {
    int exit_code;
    bool oom;
    const char* want_reason;
  } cases[] = {{0, false, "Completed"}, {1, false, "Error"}, {137, false, "Error"}, {137, true, "OOMKilled"}};
  for (const Case& c : cases) {
    PodObservation obs = Observation();
    Add(obs, Exited("app", 0, c.exit_code, c.oom));
    Object status = BuildPodStatus(MakePod("Never"), obs, Object(), "");
    const Object& cs = status["containerStatuses"][0];
    const Object& t = cs["state"]["terminated"];
    EXPECT_EQ(t["reason"], c.want_reason) << cs.dump();
    EXPECT_EQ(t["exitCode"], c.exit_code);
    EXPECT_EQ(t["containerID"], "runc://app-id-0");
    EXPECT_EQ(cs["lastState"], Object::object());
    EXPECT_EQ(cs["ready"], false);
    EXPECT_EQ(cs["restartCount"], 0);
    EXPECT_EQ(ConditionStatus(status, "Ready"), "False");
  }
}

TEST(PodStatusTest, WaitingReasons) {
  struct Case {
    const char* name;
    std::string restart_policy;
    bool with_init;
    std::function<void(PodObservation&)> observe;
    const char* container;  // "app" or "init"
    const char* want_reason;
    const char* want_message;  // a piece of the message; "" = no message
  } cases[] = {
      {"not created yet", "Always", false, [](PodObservation&) {}, "app", "ContainerCreating", ""},
      {"sandbox failing", "Always", false,
       [](PodObservation& o) {
         o.sandbox_ready = false;
         o.sandbox_error = "cni: no IP addresses available";
       },
       "app", "ContainerCreating", "cni: no IP addresses available"},
      {"init container not created yet", "Always", true, [](PodObservation&) {}, "init", "PodInitializing", ""},
      {"app while init runs", "Always", true, [](PodObservation& o) { Add(o, Running("init", 0)); }, "app",
       "PodInitializing", ""},
      {"crash loop", "Always", false, [](PodObservation& o) { Add(o, Exited("app", 3, 1)); }, "app",
       "CrashLoopBackOff", "restarting failed container app in pod web_shop"},
      {"first pull failure", "Always", false,
       [](PodObservation& o) {
         o.start_failures["app"] = StartFailure{"ErrImagePull", "manifest unknown", kNow + seconds(1), 1};
       },
       "app", "ErrImagePull", "manifest unknown"},
      {"pull failing again, waiting: back-off", "Always", false,
       [](PodObservation& o) {
         o.start_failures["app"] = StartFailure{"ErrImagePull", "manifest unknown", kNow + seconds(4), 2};
       },
       "app", "ImagePullBackOff", "manifest unknown"},
      {"pull failing again, retry due: trying again", "Always", false,
       [](PodObservation& o) {
         o.start_failures["app"] = StartFailure{"ErrImagePull", "manifest unknown", kNow, 3};
       },
       "app", "ErrImagePull", "manifest unknown"},
      {"config error", "Always", false,
       [](PodObservation& o) {
         o.start_failures["app"] =
             StartFailure{"CreateContainerConfigError", "configmap \"cfg\" not found", kNow + seconds(8), 4};
       },
       "app", "CreateContainerConfigError", "configmap \"cfg\" not found"},
      {"restart failing: the failure wins over CrashLoopBackOff", "Always", false,
       [](PodObservation& o) {
         Add(o, Exited("app", 1, 1));
         o.start_failures["app"] = StartFailure{"CreateContainerError", "no space left", kNow + seconds(2), 1};
       },
       "app", "CreateContainerError", "no space left"},
      {"init pull failure", "Always", true,
       [](PodObservation& o) {
         o.start_failures["init"] = StartFailure{"ErrImagePull", "denied", kNow + seconds(2), 2};
       },
       "init", "ImagePullBackOff", "denied"},
  };
  for (const Case& c : cases) {
    PodObservation obs = Observation();
    c.observe(obs);
    Object status = BuildPodStatus(MakePod(c.restart_policy, c.with_init), obs, Object(), "");
    const char* list = std::string(c.container) == "init" ? "initContainerStatuses" : "containerStatuses";
    ASSERT_TRUE(status.contains(list)) << c.name << ": " << status.dump();
    const Object& waiting = status[list][0]["state"]["waiting"];
    EXPECT_EQ(waiting["reason"], c.want_reason) << c.name << ": " << status.dump();
    if (std::string(c.want_message).empty()) {
      EXPECT_FALSE(waiting.contains("message")) << c.name << ": " << waiting.dump();
    } else {
      ASSERT_TRUE(waiting.contains("message")) << c.name << ": " << waiting.dump();
      EXPECT_NE(waiting["message"].get<std::string>().find(c.want_message), std::string::npos)
          << c.name << ": " << waiting.dump();
    }
  }
}

TEST(PodStatusTest, CrashLoopShowsTheExitAsLastState) {
  PodObservation obs = Observation();
  Add(obs, Exited("app", 2, 0));
  Add(obs, Exited("app", 3, 2));
  Object status = BuildPodStatus(MakePod("Always"), obs, Object(), "");
  const Object& cs = status["containerStatuses"][0];
  EXPECT_EQ(cs["restartCount"], 3);
  EXPECT_EQ(cs["containerID"], "runc://app-id-3");
  EXPECT_EQ(cs["lastState"]["terminated"]["exitCode"], 2);
  EXPECT_EQ(cs["lastState"]["terminated"]["reason"], "Error");
  EXPECT_EQ(cs["lastState"]["terminated"]["containerID"], "runc://app-id-3");
  EXPECT_EQ(cs["ready"], false);
}

TEST(PodStatusTest, InitContainerStatuses) {
  PodObservation obs = Observation();
  Add(obs, Exited("init", 0, 0));
  Add(obs, Running("app", 0));
  obs.probes["app-id-0"] = ProbeState{true, true, false};
  Object status = BuildPodStatus(MakePod("Always", true), obs, Object(), "");
  ASSERT_EQ(status["initContainerStatuses"].size(), 1u);
  const Object& init = status["initContainerStatuses"][0];
  EXPECT_EQ(init["name"], "init");
  EXPECT_EQ(init["image"], "busybox:init");
  EXPECT_EQ(init["ready"], true);
  EXPECT_EQ(init["state"]["terminated"]["reason"], "Completed");
  EXPECT_EQ(ConditionStatus(status, "Initialized"), "True");
  EXPECT_EQ(ConditionStatus(status, "Ready"), "True");

  PodObservation running_init = Observation();
  Add(running_init, Running("init", 0));
  Object pending = BuildPodStatus(MakePod("Always", true), running_init, Object(), "");
  EXPECT_EQ(pending["initContainerStatuses"][0]["ready"], false);
  EXPECT_TRUE(pending["initContainerStatuses"][0]["state"].contains("running"));
  EXPECT_EQ(ConditionStatus(pending, "Initialized"), "False");
  EXPECT_EQ(ConditionOf(pending, "Initialized")["reason"], "ContainersNotInitialized");
  EXPECT_EQ(ConditionStatus(pending, "Ready"), "False");
}

TEST(PodStatusTest, ConditionTransitionTimesAreKept) {
  const std::string earlier = FormatRfc3339(kNow - minutes(30));
  // Previously: Ready True, ContainersReady False, Initialized True, PodScheduled True, all since `earlier`.
  Object previous = Object::parse(R"({"phase": "Running", "startTime": "2020-01-01T00:00:00Z", "conditions": [
      {"type": "Ready", "status": "True", "lastTransitionTime": ")" + earlier + R"("},
      {"type": "ContainersReady", "status": "False", "lastTransitionTime": ")" + earlier + R"("},
      {"type": "Initialized", "status": "True", "lastTransitionTime": ")" + earlier + R"("},
      {"type": "PodScheduled", "status": "True", "lastTransitionTime": ")" + earlier + R"("}]})");
  PodObservation obs = Observation();
  Add(obs, Running("app", 0));
  obs.probes["app-id-0"] = ProbeState{true, true, false};
  Object status = BuildPodStatus(MakePod("Always"), obs, previous, "");
  EXPECT_EQ(ConditionOf(status, "Ready")["lastTransitionTime"], earlier);            // unchanged
  EXPECT_EQ(ConditionOf(status, "ContainersReady")["lastTransitionTime"], kNowText);  // False -> True
  EXPECT_EQ(ConditionOf(status, "Initialized")["lastTransitionTime"], earlier);
  EXPECT_EQ(ConditionOf(status, "PodScheduled")["lastTransitionTime"], earlier);
  EXPECT_EQ(ConditionOf(status, "PodReadyToStartContainers")["lastTransitionTime"], kNowText);  // new
  // startTime is set once and kept.
  EXPECT_EQ(status["startTime"], "2020-01-01T00:00:00Z");

  // Readiness lost: Ready flips with a new time.
  obs.probes["app-id-0"].ready = false;
  Object not_ready = BuildPodStatus(MakePod("Always"), obs, status, "");
  EXPECT_EQ(ConditionStatus(not_ready, "Ready"), "False");
  EXPECT_EQ(ConditionOf(not_ready, "Ready")["lastTransitionTime"], kNowText);
  EXPECT_EQ(ConditionOf(not_ready, "Initialized")["lastTransitionTime"], earlier);
}

TEST(PodStatusTest, UnscheduledAndNoSandbox) {
  Object pod = MakePod("Always");
  pod["spec"].erase("nodeName");
  PodObservation obs = Observation();
  obs.sandbox_ready = false;
  obs.pod_ip.clear();
  obs.sandbox_created.reset();
  Object status = BuildPodStatus(pod, obs, Object(), "");
  EXPECT_EQ(ConditionStatus(status, "PodScheduled"), "False");
  EXPECT_EQ(ConditionStatus(status, "PodReadyToStartContainers"), "False");
  EXPECT_FALSE(status.contains("podIP"));
  EXPECT_FALSE(status.contains("podIPs"));
  EXPECT_FALSE(status.contains("startTime"));
  const Object& cs = status["containerStatuses"][0];
  EXPECT_EQ(cs["restartCount"], 0);
  EXPECT_EQ(cs["ready"], false);
  EXPECT_EQ(cs["started"], false);
  EXPECT_FALSE(cs.contains("containerID"));
}

TEST(PodStatusTest, QosClass) {
  struct Case {
    const char* name;
    const char* containers;  // JSON array
    const char* init_containers;  // JSON array or ""
    const char* want;
  } cases[] = {
      {"no resources", R"([{"name": "a"}])", "", "BestEffort"},
      {"empty resources", R"([{"name": "a", "resources": {}}])", "", "BestEffort"},
      {"requests only", R"([{"name": "a", "resources": {"requests": {"cpu": "100m"}}}])", "", "Burstable"},
      {"limits equal requests",
       R"([{"name": "a", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}}])",
       "", "Guaranteed"},
      {"limits only: requests default to them",
       R"([{"name": "a", "resources": {"limits": {"cpu": "500m", "memory": "64Mi"}}}])", "", "Guaranteed"},
      {"cpu limit only", R"([{"name": "a", "resources": {"limits": {"cpu": "500m"}}}])", "", "Burstable"},
      {"requests below limits",
       R"([{"name": "a", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "1", "memory": "64Mi"}}}])",
       "", "Burstable"},
      {"one guaranteed, one best effort",
       R"([{"name": "a", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}, {"name": "b"}])", "", "Burstable"},
      {"two guaranteed",
       R"([{"name": "a", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}},
           {"name": "b", "resources": {"limits": {"cpu": "2", "memory": "2Gi"}}}])",
       "", "Guaranteed"},
      {"same quantity written differently",
       R"([{"name": "a", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1000m", "memory": "1024Mi"}}}])",
       "", "Guaranteed"},
      {"a number and a string",
       R"([{"name": "a", "resources": {"requests": {"cpu": 1, "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "128Mi"}}}])",
       "", "Guaranteed"},
      {"zero requests count as none", R"([{"name": "a", "resources": {"requests": {"cpu": "0", "memory": "0"}}}])",
       "", "BestEffort"},
      {"other resources do not count",
       R"([{"name": "a", "resources": {"requests": {"ephemeral-storage": "1Gi"}, "limits": {"ephemeral-storage": "1Gi"}}}])",
       "", "BestEffort"},
      {"init container with requests", R"([{"name": "a"}])",
       R"([{"name": "i", "resources": {"requests": {"memory": "10Mi"}}}])", "Burstable"},
      {"init container not guaranteed",
       R"([{"name": "a", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}])", R"([{"name": "i"}])",
       "Burstable"},
  };
  for (const Case& c : cases) {
    Object pod = MakePod("Always");
    pod["spec"]["containers"] = Object::parse(c.containers);
    if (std::string(c.init_containers).size() > 0) pod["spec"]["initContainers"] = Object::parse(c.init_containers);
    EXPECT_EQ(QosClassOf(pod), c.want) << c.name;
  }
}

}  // namespace
}  // namespace moor::runtime
