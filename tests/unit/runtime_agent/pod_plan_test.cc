#include "pod_plan.h"

#include <climits>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "container_config.h"

namespace moor::runtime {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using Type = PodAction::Type;

const WallTime kNow = WallTime(seconds(1800000000));

// A pod with regular containers `app` and `side` and, if `with_init`, initContainers `init-a`
// and `init-b`.
Object MakePod(const std::string& restart_policy, bool with_init) {
  Object pod = Object::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web", "namespace": "default", "uid": "0123-4567"},
    "spec": {"containers": [
      {"name": "app", "image": "busybox:1", "command": ["sleep", "3600"]},
      {"name": "side", "image": "busybox:1", "args": ["httpd", "-f"]}
    ]}
  })");
  if (!restart_policy.empty()) pod["spec"]["restartPolicy"] = restart_policy;
  if (with_init) {
    pod["spec"]["initContainers"] = Object::parse(R"([
      {"name": "init-a", "image": "busybox:1", "command": ["true"]},
      {"name": "init-b", "image": "busybox:1", "command": ["true"]}
    ])");
  }
  return pod;
}

const Object& ContainerOf(const Object& pod, const std::string& name) {
  for (const char* list : {"initContainers", "containers"}) {
    if (!pod["spec"].contains(list)) continue;
    for (const Object& c : pod["spec"][list]) {
      if (c["name"] == name) return c;
    }
  }
  static const Object kNone;
  ADD_FAILURE() << "no container " << name;
  return kNone;
}

// An instance whose spec hash matches the pod's container (unchanged spec).
ContainerInstance Instance(const Object& pod, const std::string& name, int attempt, ContainerState state,
                           int exit_code = 0) {
  ContainerInstance c;
  c.id = name + "-" + std::to_string(attempt);
  c.name = name;
  c.init = name.rfind("init-", 0) == 0;
  c.attempt = attempt;
  c.state = state;
  c.exit_code = exit_code;
  c.image = "busybox:1";
  c.image_id = "sha256:abc";
  c.spec_hash = ContainerSpecHash(ContainerOf(pod, name));
  if (state == ContainerState::kRunning || state == ContainerState::kExited) c.started_at = kNow - seconds(30);
  if (state == ContainerState::kExited) c.finished_at = kNow - seconds(20);
  return c;
}

PodObservation ReadyObservation() {
  PodObservation obs;
  obs.sandbox_ready = true;
  obs.pod_ip = "10.42.0.7";
  obs.sandbox_created = kNow - minutes(1);
  obs.now = kNow;
  return obs;
}

PodAction Start(const std::string& name, int attempt, bool init = false) {
  return PodAction{Type::kStartContainer, name, init, attempt, "", ""};
}
PodAction Kill(const std::string& name, int attempt, const std::string& reason) {
  return PodAction{Type::kKillContainer, name, false, attempt, name + "-" + std::to_string(attempt), reason};
}
PodAction Remove(const std::string& name, int attempt, const std::string& reason, bool init = false) {
  return PodAction{Type::kRemoveContainer, name, init, attempt, name + "-" + std::to_string(attempt), reason};
}

std::string Describe(const std::vector<PodAction>& actions) {
  std::string out;
  for (const PodAction& a : actions) {
    static const char* kNames[] = {"CreateSandbox", "Start", "Kill", "Remove"};
    out += std::string(kNames[static_cast<int>(a.type)]) + "(" + a.container_name + ",init=" +
           (a.init ? "1" : "0") + ",attempt=" + std::to_string(a.attempt) + ",id=" + a.container_id +
           ",reason=" + a.reason + ") ";
  }
  return out.empty() ? "(none)" : out;
}

struct PlanCase {
  const char* name;
  std::string restart_policy;
  bool with_init = false;
  // Fills the observation (sandbox ready, now = kNow, nothing else) for the pod.
  std::function<void(const Object& pod, PodObservation&)> observe;
  std::vector<PodAction> want;
  std::optional<milliseconds> want_requeue;
};

void RunCases(const std::vector<PlanCase>& cases) {
  for (const PlanCase& c : cases) {
    SCOPED_TRACE(c.name);
    Object pod = MakePod(c.restart_policy, c.with_init);
    PodObservation obs = ReadyObservation();
    c.observe(pod, obs);
    PodPlan plan = PlanPod(pod, obs);
    EXPECT_EQ(plan.actions, c.want) << "got " << Describe(plan.actions) << "\nwant " << Describe(c.want);
    EXPECT_EQ(plan.requeue_after, c.want_requeue)
        << "got " << (plan.requeue_after ? std::to_string(plan.requeue_after->count()) + "ms" : "none");
    // Level-triggered: the same observation plans the same steps.
    PodPlan again = PlanPod(pod, obs);
    EXPECT_EQ(again.actions, plan.actions);
    EXPECT_EQ(again.requeue_after, plan.requeue_after);
  }
}

void Add(PodObservation& obs, ContainerInstance c) { obs.containers[c.name].push_back(std::move(c)); }

TEST(PodPlanTest, SandboxAndFirstStart) {
  RunCases({
      {"sandbox missing: create it and nothing else", "Always", true,
       [](const Object& pod, PodObservation& obs) {
         obs.sandbox_ready = false;
         // Even leftovers of an earlier sandbox wait for the new one.
         Add(obs, Instance(pod, "app", 0, ContainerState::kExited, 1));
       },
       {PodAction{Type::kCreateSandbox, "", false, 0, "", ""}},
       std::nullopt},
      {"first start of every container", "", false, [](const Object&, PodObservation&) {},
       {Start("app", 0), Start("side", 0)}, std::nullopt},
      {"one running, one still to start", "Always", false,
       [](const Object& pod, PodObservation& obs) { Add(obs, Instance(pod, "app", 0, ContainerState::kRunning)); },
       {Start("side", 0)}, std::nullopt},
      {"everything running: nothing to do", "Always", false,
       [](const Object& pod, PodObservation& obs) {
         Add(obs, Instance(pod, "app", 0, ContainerState::kRunning));
         Add(obs, Instance(pod, "side", 0, ContainerState::kRunning));
       },
       {}, std::nullopt},
  });
}

TEST(PodPlanTest, InitContainersRunInOrder) {
  RunCases({
      {"only the first init container starts", "Always", true, [](const Object&, PodObservation&) {},
       {Start("init-a", 0, true)}, std::nullopt},
      {"first init running: wait", "Always", true,
       [](const Object& pod, PodObservation& obs) { Add(obs, Instance(pod, "init-a", 0, ContainerState::kRunning)); },
       {}, std::nullopt},
      {"first init done: second starts", "Always", true,
       [](const Object& pod, PodObservation& obs) { Add(obs, Instance(pod, "init-a", 0, ContainerState::kExited, 0)); },
       {Start("init-b", 0, true)}, std::nullopt},
      {"all init done: regular containers start", "Never", true,
       [](const Object& pod, PodObservation& obs) {
         Add(obs, Instance(pod, "init-a", 0, ContainerState::kExited, 0));
         Add(obs, Instance(pod, "init-b", 0, ContainerState::kExited, 0));
       },
       {Start("app", 0), Start("side", 0)}, std::nullopt},
      {"failed init, restartPolicy Never: the pod stops there", "Never", true,
       [](const Object& pod, PodObservation& obs) { Add(obs, Instance(pod, "init-a", 0, ContainerState::kExited, 1)); },
       {}, std::nullopt},
      {"failed init, restartPolicy OnFailure: retried", "OnFailure", true,
       [](const Object& pod, PodObservation& obs) { Add(obs, Instance(pod, "init-a", 0, ContainerState::kExited, 1)); },
       {Start("init-a", 1, true)}, std::nullopt},
      {"failed init, restartPolicy Always: retried like OnFailure", "Always", true,
       [](const Object& pod, PodObservation& obs) { Add(obs, Instance(pod, "init-a", 0, ContainerState::kExited, 2)); },
       {Start("init-a", 1, true)}, std::nullopt},
      {"failed second init waits for its backoff; regular containers wait too", "Always", true,
       [](const Object& pod, PodObservation& obs) {
         Add(obs, Instance(pod, "init-a", 0, ContainerState::kExited, 0));
         ContainerInstance b = Instance(pod, "init-b", 2, ContainerState::kExited, 1);
         b.finished_at = kNow - seconds(1);  // attempt 2: 2 s backoff, 1 s left
         Add(obs, b);
       },
       {}, milliseconds(1000)},
  });
}

TEST(PodPlanTest, RestartPolicyAndExitCode) {
  auto exited = [](int exit_code) {
    return [exit_code](const Object& pod, PodObservation& obs) {
      Add(obs, Instance(pod, "app", 0, ContainerState::kExited, exit_code));
      Add(obs, Instance(pod, "side", 0, ContainerState::kRunning));
    };
  };
  RunCases({
      {"Always restarts after success", "Always", false, exited(0), {Start("app", 1)}, std::nullopt},
      {"Always restarts after failure", "Always", false, exited(1), {Start("app", 1)}, std::nullopt},
      {"default policy is Always", "", false, exited(0), {Start("app", 1)}, std::nullopt},
      {"OnFailure leaves a success alone", "OnFailure", false, exited(0), {}, std::nullopt},
      {"OnFailure restarts a failure", "OnFailure", false, exited(137), {Start("app", 1)}, std::nullopt},
      {"Never leaves a failure alone", "Never", false, exited(1), {}, std::nullopt},
      {"Never leaves a success alone", "Never", false, exited(0), {}, std::nullopt},
  });
}

TEST(PodPlanTest, CrashLoopBackoff) {
  // Latest instance `attempt` ran 5 s and exited `ago` before now.
  auto crashed = [](int attempt, seconds ago) {
    return [attempt, ago](const Object& pod, PodObservation& obs) {
      for (int a = std::max(0, attempt - 1); a <= attempt; ++a) {
        ContainerInstance c = Instance(pod, "app", a, ContainerState::kExited, 1);
        c.finished_at = kNow - (a == attempt ? ago : seconds(3600));
        c.started_at = *c.finished_at - seconds(5);
        Add(obs, c);
      }
      Add(obs, Instance(pod, "side", 0, ContainerState::kRunning));
    };
  };
  RunCases({
      {"first crash restarts at once", "Always", false, crashed(0, seconds(0)), {Start("app", 1)}, std::nullopt},
      {"second crash: 1 s, not yet", "Always", false, crashed(1, seconds(0)), {}, milliseconds(1000)},
      {"second crash: 1 s passed", "Always", false, crashed(1, seconds(1)), {Start("app", 2)}, std::nullopt},
      {"attempt 3: 4 s, 1 s passed", "Always", false, crashed(3, seconds(1)), {}, milliseconds(3000)},
      {"attempt 3: 4 s passed", "Always", false, crashed(3, seconds(4)), {Start("app", 4)}, std::nullopt},
      {"attempt 20: capped at 5 min", "Always", false, crashed(20, seconds(60)), {}, milliseconds(240000)},
      {"attempt 20: 5 min passed", "Always", false, crashed(20, seconds(300)), {Start("app", 21)}, std::nullopt},
      {"backoff also applies to OnFailure", "OnFailure", false, crashed(2, seconds(0)), {}, milliseconds(2000)},
      {"ran 10 minutes: backoff reset", "Always", false,
       [](const Object& pod, PodObservation& obs) {
         ContainerInstance c = Instance(pod, "app", 7, ContainerState::kExited, 1);
         c.finished_at = kNow;
         c.started_at = kNow - minutes(10);
         Add(obs, c);
         Add(obs, Instance(pod, "side", 0, ContainerState::kRunning));
       },
       {Start("app", 8)}, std::nullopt},
      {"the earliest wait is the requeue", "Always", false,
       [](const Object& pod, PodObservation& obs) {
         ContainerInstance a = Instance(pod, "app", 3, ContainerState::kExited, 1);
         a.finished_at = kNow - seconds(1);  // 4 s backoff: 3 s left
         a.started_at = kNow - seconds(2);
         ContainerInstance s = Instance(pod, "side", 2, ContainerState::kExited, 1);
         s.finished_at = kNow - milliseconds(500);  // 2 s backoff: 1.5 s left
         s.started_at = kNow - seconds(2);
         Add(obs, a);
         Add(obs, s);
       },
       {}, milliseconds(1500)},
  });
}

TEST(PodPlanTest, StartFailures) {
  auto failure = [](seconds retry_in) {
    return [retry_in](const Object& pod, PodObservation& obs) {
      obs.start_failures["app"] = StartFailure{"ErrImagePull", "manifest unknown", kNow + retry_in, 2};
      Add(obs, Instance(pod, "side", 0, ContainerState::kRunning));
    };
  };
  RunCases({
      {"retry_at in the future: wait", "Always", false, failure(seconds(5)), {}, milliseconds(5000)},
      {"retry_at now: start again", "Always", false, failure(seconds(0)), {Start("app", 0)}, std::nullopt},
      {"retry_at passed: start again", "Always", false, failure(seconds(-5)), {Start("app", 0)}, std::nullopt},
      {"the later of backoff and retry_at wins", "Always", false,
       [](const Object& pod, PodObservation& obs) {
         ContainerInstance c = Instance(pod, "app", 1, ContainerState::kExited, 1);
         c.finished_at = kNow;  // 1 s backoff
         Add(obs, c);
         Add(obs, Instance(pod, "side", 0, ContainerState::kRunning));
         obs.start_failures["app"] = StartFailure{"CreateContainerError", "boom", kNow + seconds(7), 1};
       },
       {}, milliseconds(7000)},
      {"a waiting init container blocks the regular ones", "Always", true,
       [](const Object&, PodObservation& obs) {
         obs.start_failures["init-a"] = StartFailure{"ErrImagePull", "denied", kNow + seconds(10), 1};
       },
       {}, milliseconds(10000)},
  });
}

TEST(PodPlanTest, RunningContainers) {
  RunCases({
      {"liveness failed: kill as Unhealthy", "Always", false,
       [](const Object& pod, PodObservation& obs) {
         Add(obs, Instance(pod, "app", 2, ContainerState::kRunning));
         Add(obs, Instance(pod, "side", 0, ContainerState::kRunning));
         obs.probes["app-2"] = ProbeState{true, true, true};
         obs.probes["side-0"] = ProbeState{false, true, false};
       },
       {Kill("app", 2, "Unhealthy")}, std::nullopt},
      {"readiness failing alone: keep running", "Always", false,
       [](const Object& pod, PodObservation& obs) {
         Add(obs, Instance(pod, "app", 0, ContainerState::kRunning));
         Add(obs, Instance(pod, "side", 0, ContainerState::kRunning));
         obs.probes["app-0"] = ProbeState{false, false, false};
       },
       {}, std::nullopt},
      {"changed spec: kill", "Always", false,
       [](const Object& pod, PodObservation& obs) {
         ContainerInstance c = Instance(pod, "app", 0, ContainerState::kRunning);
         c.spec_hash = "0000000000000000";
         Add(obs, c);
         Add(obs, Instance(pod, "side", 0, ContainerState::kRunning));
       },
       {Kill("app", 0, "SpecChanged")}, std::nullopt},
      {"changed spec of an exited container: started again", "OnFailure", false,
       [](const Object& pod, PodObservation& obs) {
         ContainerInstance c = Instance(pod, "app", 0, ContainerState::kExited, 0);
         c.spec_hash = "0000000000000000";
         Add(obs, c);
         Add(obs, Instance(pod, "side", 0, ContainerState::kRunning));
       },
       {Start("app", 1)}, std::nullopt},
  });
}

TEST(PodPlanTest, CreatedOrUnknownInstancesAreReplaced) {
  for (ContainerState state : {ContainerState::kCreated, ContainerState::kUnknown}) {
    RunCases({
        {"never started: remove and start the same attempt", "Always", false,
         [state](const Object& pod, PodObservation& obs) {
           Add(obs, Instance(pod, "app", 0, ContainerState::kExited, 1));
           Add(obs, Instance(pod, "app", 1, state));
           Add(obs, Instance(pod, "side", 0, ContainerState::kRunning));
         },
         {Remove("app", 1, "never started"), Start("app", 1)}, std::nullopt},
        {"never started init container", "Never", true,
         [state](const Object& pod, PodObservation& obs) { Add(obs, Instance(pod, "init-a", 0, state)); },
         {Remove("init-a", 0, "never started", true), Start("init-a", 0, true)}, std::nullopt},
        {"replacement waits for a start failure's retry", "Always", false,
         [state](const Object& pod, PodObservation& obs) {
           Add(obs, Instance(pod, "app", 0, state));
           Add(obs, Instance(pod, "side", 0, ContainerState::kRunning));
           obs.start_failures["app"] = StartFailure{"CreateContainerError", "x", kNow + seconds(2), 1};
         },
         {Remove("app", 0, "never started")}, milliseconds(2000)},
    });
  }
}

TEST(PodPlanTest, OldInstancesAreRemoved) {
  RunCases({
      {"two instances are kept", "Always", false,
       [](const Object& pod, PodObservation& obs) {
         Add(obs, Instance(pod, "app", 0, ContainerState::kExited, 1));
         Add(obs, Instance(pod, "app", 1, ContainerState::kRunning));
         Add(obs, Instance(pod, "side", 0, ContainerState::kRunning));
       },
       {}, std::nullopt},
      {"all but the newest two go", "Always", false,
       [](const Object& pod, PodObservation& obs) {
         for (int a = 0; a < 4; ++a) Add(obs, Instance(pod, "app", a, ContainerState::kExited, 1));
         Add(obs, Instance(pod, "app", 4, ContainerState::kRunning));
         Add(obs, Instance(pod, "side", 0, ContainerState::kRunning));
       },
       {Remove("app", 0, "superseded"), Remove("app", 1, "superseded"), Remove("app", 2, "superseded")},
       std::nullopt},
      {"an old instance still running is not removed", "Always", false,
       [](const Object& pod, PodObservation& obs) {
         Add(obs, Instance(pod, "app", 0, ContainerState::kRunning));
         Add(obs, Instance(pod, "app", 1, ContainerState::kExited, 1));
         Add(obs, Instance(pod, "app", 2, ContainerState::kExited, 1));
         Add(obs, Instance(pod, "app", 3, ContainerState::kRunning));
         Add(obs, Instance(pod, "side", 0, ContainerState::kRunning));
       },
       {Remove("app", 1, "superseded")}, std::nullopt},
      {"old init instances go too", "Always", true,
       [](const Object& pod, PodObservation& obs) {
         for (int a = 0; a < 3; ++a) Add(obs, Instance(pod, "init-a", a, ContainerState::kExited, 1));
         obs.containers["init-a"].back().finished_at = kNow - seconds(1);
         obs.containers["init-a"].back().started_at = kNow - seconds(2);
       },
       {Remove("init-a", 0, "superseded", true)}, milliseconds(1000)},
  });
}

TEST(PodPlanTest, RestartDelay) {
  struct Case {
    int attempt;
    std::optional<seconds> ran;  // started -> finished
    milliseconds want;
  } cases[] = {
      {0, std::nullopt, milliseconds(0)},
      {1, std::nullopt, seconds(1)},
      {2, seconds(3), seconds(2)},
      {3, seconds(3), seconds(4)},
      {4, seconds(3), seconds(8)},
      {8, seconds(3), seconds(128)},
      {9, seconds(3), seconds(256)},
      {10, seconds(3), seconds(300)},
      {50, seconds(3), seconds(300)},
      {INT_MAX, seconds(3), seconds(300)},
      {-1, std::nullopt, milliseconds(0)},
      {6, minutes(10) - seconds(1), seconds(32)},
      {6, minutes(10), milliseconds(0)},
      {6, minutes(60), milliseconds(0)},
  };
  for (const Case& c : cases) {
    std::optional<WallTime> started, finished;
    if (c.ran) {
      finished = kNow;
      started = kNow - *c.ran;
    }
    EXPECT_EQ(RestartDelay(c.attempt, started, finished), c.want)
        << "attempt " << c.attempt << " ran " << (c.ran ? c.ran->count() : -1) << "s";
  }
  // Only started (no finish recorded): no reset.
  EXPECT_EQ(RestartDelay(3, kNow - minutes(30), std::nullopt), seconds(4));
}

TEST(PodPlanTest, ShouldRestart) {
  struct Case {
    const char* policy;
    bool init;
    int exit_code;
    bool want;
  } cases[] = {
      {"Always", false, 0, true},    {"Always", false, 1, true},     {"", false, 0, true},
      {"OnFailure", false, 0, false}, {"OnFailure", false, 2, true},  {"Never", false, 0, false},
      {"Never", false, 1, false},    {"Always", true, 0, false},     {"Always", true, 1, true},
      {"OnFailure", true, 0, false}, {"OnFailure", true, 1, true},   {"Never", true, 1, false},
      {"Never", true, 0, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ShouldRestart(c.policy, c.init, c.exit_code), c.want)
        << c.policy << " init=" << c.init << " exit=" << c.exit_code;
  }
}

}  // namespace
}  // namespace moor::runtime
