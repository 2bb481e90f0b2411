#include "moor/testing/fake_container_runtime.h"

#include <signal.h>

#include <thread>

#include <gtest/gtest.h>

#include "moor/testing/fake_clock.h"

namespace moor::testing {
namespace {

using runtime::ContainerSpec;
using runtime::ContainerState;
using runtime::ExecResult;

ContainerSpec Spec(const std::string& id) {
  ContainerSpec spec;
  spec.id = id;
  spec.name = "c";
  spec.args = {"sleep", "1000"};
  spec.labels = {{"pod", "p"}};
  spec.log_path = "/logs/" + id + ".log";
  return spec;
}

TEST(FakeContainerRuntimeTest, Lifecycle) {
  FakeClock clock;
  FakeContainerRuntime rt(&clock);
  ASSERT_TRUE(rt.Create(Spec("a")).ok());
  EXPECT_EQ(rt.Create(Spec("a")).code(), StatusCode::kAlreadyExists);
  auto info = rt.Inspect("a");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state, ContainerState::kCreated);
  EXPECT_EQ(info->labels.at("pod"), "p");
  EXPECT_EQ(info->log_path, "/logs/a.log");

  clock.Advance(std::chrono::seconds(5));
  ASSERT_TRUE(rt.Start("a").ok());
  EXPECT_EQ(rt.Start("a").code(), StatusCode::kFailedPrecondition);
  info = rt.Inspect("a");
  EXPECT_EQ(info->state, ContainerState::kRunning);
  EXPECT_GT(info->pid, 0);
  EXPECT_NE(info->started_at, info->created_at);

  ASSERT_TRUE(rt.ExitContainer("a", 3).ok());
  info = rt.Inspect("a");
  EXPECT_EQ(info->state, ContainerState::kExited);
  EXPECT_EQ(info->exit_code, 3);
  EXPECT_FALSE(info->oom_killed);
  EXPECT_EQ(rt.ExitContainer("a", 1).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(rt.Kill("a", SIGKILL).ok());  // killing an exited container succeeds

  ASSERT_TRUE(rt.Remove("a").ok());
  EXPECT_TRUE(rt.Remove("a").ok());  // idempotent
  EXPECT_EQ(rt.Inspect("a").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(rt.removed_ids(), std::vector<std::string>{"a"});
  EXPECT_EQ(rt.created_count(), 1);
  EXPECT_EQ(rt.started_count(), 1);
  EXPECT_EQ(rt.Kill("a", SIGTERM).code(), StatusCode::kNotFound);
}

TEST(FakeContainerRuntimeTest, KillStopsWithStoppingSignalsOnly) {
  FakeContainerRuntime rt;
  ASSERT_TRUE(rt.Create(Spec("a")).ok());
  ASSERT_TRUE(rt.Start("a").ok());
  rt.SetStoppingSignals({SIGKILL});  // the process ignores SIGTERM
  ASSERT_TRUE(rt.Kill("a", SIGTERM).ok());
  EXPECT_EQ(rt.Inspect("a")->state, ContainerState::kRunning);
  ASSERT_TRUE(rt.Kill("a", SIGKILL).ok());
  EXPECT_EQ(rt.Inspect("a")->state, ContainerState::kExited);
  EXPECT_EQ(rt.Inspect("a")->exit_code, 137);
  EXPECT_EQ(rt.SignalsSent("a"), (std::vector<int>{SIGTERM, SIGKILL}));
  ASSERT_TRUE(rt.Remove("a").ok());
  EXPECT_EQ(rt.SignalsSent("a").size(), 2u);  // kept after removal
}

TEST(FakeContainerRuntimeTest, ExecResultsByProgramAndHandler) {
  FakeContainerRuntime rt;
  ASSERT_TRUE(rt.Create(Spec("a")).ok());
  EXPECT_EQ(rt.Exec("a", {"true"}, std::chrono::seconds(1)).status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(rt.Start("a").ok());
  ExecResult failing;
  failing.exit_code = 1;
  failing.err = "not ready";
  rt.SetExecResult("/bin/check", failing);
  auto r = rt.Exec("a", {"/bin/check", "--ready"}, std::chrono::seconds(1));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_EQ(r->err, "not ready");
  r = rt.Exec("a", {"cat", "/etc/hostname"}, std::chrono::seconds(1));
  EXPECT_EQ(r->exit_code, 0);

  rt.SetExecHandler([&rt](const std::string& id, const std::vector<std::string>& argv) -> StatusOr<ExecResult> {
    EXPECT_TRUE(rt.ExitContainer(id, 2).ok());  // may call back into the fake
    ExecResult out;
    out.out = argv.back();
    return out;
  });
  r = rt.Exec("a", {"echo", "hi"}, std::chrono::seconds(1));
  EXPECT_EQ(r->out, "hi");
  EXPECT_EQ(rt.Inspect("a")->exit_code, 2);
  EXPECT_EQ(rt.ExecCalls("a").size(), 3u);
  EXPECT_EQ(rt.InteractiveExecCommand("a", {"sh"}, true), (std::vector<std::string>{"fake-exec", "-t", "a", "sh"}));
}

TEST(FakeContainerRuntimeTest, InjectedFailuresAndAdoption) {
  FakeContainerRuntime rt;
  rt.FailNext("Create", UnavailableError("disk full"));
  EXPECT_EQ(rt.Create(Spec("a")).code(), StatusCode::kUnavailable);
  EXPECT_EQ(rt.Inspect("a").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(rt.Create(Spec("a")).ok());
  rt.FailNext("List", UnavailableError("runc list"));
  EXPECT_FALSE(rt.List().ok());
  rt.AddRunning(Spec("b"));
  auto all = rt.List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].id, "b");
  EXPECT_EQ((*all)[1].state, ContainerState::kRunning);
  EXPECT_EQ(rt.SpecOf("b")->args, (std::vector<std::string>{"sleep", "1000"}));
  EXPECT_FALSE(rt.SpecOf("zzz").has_value());
}

TEST(FakeContainerRuntimeTest, ThreadSafe) {
  FakeContainerRuntime rt;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&rt, t] {
      for (int i = 0; i < 50; ++i) {
        std::string id = "c" + std::to_string(t) + "-" + std::to_string(i);
        EXPECT_TRUE(rt.Create(Spec(id)).ok());
        EXPECT_TRUE(rt.Start(id).ok());
        EXPECT_TRUE(rt.List().ok());
        EXPECT_TRUE(rt.Kill(id, SIGTERM).ok());
        EXPECT_TRUE(rt.Remove(id).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(rt.created_count(), 200);
  EXPECT_TRUE(rt.List()->empty());
}

}  // namespace
}  // namespace moor::testing
