// The node agent's list+watch of Pods on a real SqliteStore (through StoreClusterClient): a pod
// created between the first list of a never-written store (resourceVersion 0, where a watch means
// "from now on") and the watch still runs, and a pod deleted while the watch fell behind the
// store's history (kGone) is torn down after the relist. Containers, the pod network and images
// are in-memory fakes; the resync and heartbeat are an hour, so only the watch can bring a change.
#include "moor/runtime/node_agent.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "moor/store/sqlite_store.h"
#include "moor/store/store_cluster_client.h"
#include "moor/testing/fake_container_runtime.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace moor::runtime {
namespace {

using manifests::Object;
using manifests::ObjectKey;
using moor::testing::TempDir;
using moor::testing::WaitFor;
using namespace std::chrono_literals;

// PodNetwork in memory: every sandbox gets the next address of 10.42.0.0/24.
class FakePodNetwork final : public PodNetwork {
 public:
  Status Init() override { return Status::Ok(); }
  StatusOr<SandboxNetwork> Setup(const std::string& id, const std::vector<PortMapping>&) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sandboxes_.find(id);
    if (it != sandboxes_.end()) return it->second;
    SandboxNetwork net{"/var/run/netns/fake-" + id, "10.42.0." + std::to_string(next_host_++), "10.42.0.1"};
    sandboxes_[id] = net;
    return net;
  }
  StatusOr<SandboxNetwork> Inspect(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sandboxes_.find(id);
    if (it == sandboxes_.end()) return NotFoundError("no sandbox " + id);
    return it->second;
  }
  Status Teardown(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    sandboxes_.erase(id);
    return Status::Ok();
  }
  StatusOr<std::vector<std::string>> List() override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> ids;
    for (const auto& [id, net] : sandboxes_) ids.push_back(id);
    return ids;
  }
  int sandbox_count() {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int>(sandboxes_.size());
  }

 private:
  std::mutex mu_;
  std::map<std::string, SandboxNetwork> sandboxes_;  // GUARDED_BY(mu_)
  int next_host_ = 2;                                // GUARDED_BY(mu_)
};

// ImageStore with one image (no layers) under every reference.
class FakeImageStore final : public ImageStore {
 public:
  StatusOr<Image> Pull(const std::string& reference, const PullOptions&) override { return Get(reference); }
  StatusOr<Image> Get(const std::string& reference) override {
    Image image;
    image.id = "sha256:feed";
    image.references = {reference};
    image.config = {{"config", {{"Env", {"PATH=/bin"}}, {"Cmd", {"sleep", "3600"}}}}};
    return image;
  }
  StatusOr<std::vector<Image>> List() override { return std::vector<Image>{}; }
  Status Remove(const std::string&) override { return Status::Ok(); }
  StatusOr<std::vector<Image>> Import(const std::string&) override { return InvalidArgumentError("no imports here"); }
  StatusOr<std::vector<std::string>> LayerPaths(const Image&) override { return std::vector<std::string>{}; }
  StatusOr<GcReport> CollectGarbage(const std::set<std::string>&) override { return GcReport{}; }
};

// FakeContainerRuntime whose running containers report this test's own pid: the agent checks
// pids for exits (kill(pid, 0)), and a made-up pid would look exited and re-sync the pod.
class LivePidRuntime final : public ContainerRuntime {
 public:
  explicit LivePidRuntime(testing::FakeContainerRuntime& inner) : inner_(inner) {}
  Status Create(const ContainerSpec& spec) override { return inner_.Create(spec); }
  Status Start(const std::string& id) override { return inner_.Start(id); }
  StatusOr<ContainerInfo> Inspect(const std::string& id) override {
    MOOR_ASSIGN_OR_RETURN(ContainerInfo info, inner_.Inspect(id));
    return Live(info);
  }
  StatusOr<std::vector<ContainerInfo>> List() override {
    MOOR_ASSIGN_OR_RETURN(std::vector<ContainerInfo> infos, inner_.List());
    for (ContainerInfo& info : infos) info = Live(info);
    return infos;
  }
  Status Kill(const std::string& id, int signal) override { return inner_.Kill(id, signal); }
  Status Remove(const std::string& id) override { return inner_.Remove(id); }
  StatusOr<ExecResult> Exec(const std::string& id, const std::vector<std::string>& argv,
                            std::chrono::milliseconds timeout) override {
    return inner_.Exec(id, argv, timeout);
  }
  std::vector<std::string> InteractiveExecCommand(const std::string& id, const std::vector<std::string>& argv,
                                                  bool tty) override {
    return inner_.InteractiveExecCommand(id, argv, tty);
  }

 private:
  static ContainerInfo Live(ContainerInfo info) {
    if (info.state == ContainerState::kRunning) info.pid = static_cast<int>(::getpid());
    return info;
  }
  testing::FakeContainerRuntime& inner_;
};

// A Pod watcher that, while `hold` is set, delivers nothing (an event that comes then is lost:
// the watch is falling behind), and returns kGone once after `expire` is set.
class HeldWatcher final : public store::Watcher {
 public:
  HeldWatcher(std::unique_ptr<store::Watcher> inner, std::atomic<bool>& hold, std::atomic<bool>& expire)
      : inner_(std::move(inner)), hold_(hold), expire_(expire) {}
  StatusOr<std::optional<store::WatchEvent>> Next(std::chrono::milliseconds timeout) override {
    if (expire_.exchange(false)) return GoneError("watch history expired (injected)");
    StatusOr<std::optional<store::WatchEvent>> next = inner_->Next(std::min(timeout, std::chrono::milliseconds(20)));
    if (hold_ && next.ok()) return std::optional<store::WatchEvent>();
    return next;
  }
  void Stop() override { inner_->Stop(); }

 private:
  std::unique_ptr<store::Watcher> inner_;
  std::atomic<bool>& hold_;
  std::atomic<bool>& expire_;
};

// The agent's view of the cluster: Nodes in a store of their own, everything else in the main
// store, so registering the Node does not write the store the pods are listed from (a Pod list
// of a never-written store is at resourceVersion 0). before_pod_watch runs before the n-th Pod
// Watch (from 1) is opened; Pod watchers can be held and expired (HeldWatcher).
class AgentClient final : public store::ClusterClient {
 public:
  AgentClient(store::Store& main, store::Store& nodes) : main_(main), nodes_(nodes) {}

  std::function<void(int n)> before_pod_watch = [](int) {};
  std::atomic<bool> hold_pod_watches{false};
  std::atomic<bool> expire_pod_watch{false};

  StatusOr<Object> Get(const ObjectKey& key) override { return For(key.kind).Get(key); }
  StatusOr<store::ObjectList> List(const std::string& kind, const std::optional<std::string>& ns) override {
    return For(kind).List(kind, ns);
  }
  StatusOr<std::unique_ptr<store::Watcher>> Watch(const std::string& kind, std::int64_t from_rv) override {
    if (kind == "Pod") before_pod_watch(++pod_watches_);
    MOOR_ASSIGN_OR_RETURN(std::unique_ptr<store::Watcher> watcher, For(kind).Watch(kind, from_rv));
    if (kind != "Pod") return watcher;
    return std::unique_ptr<store::Watcher>(
        std::make_unique<HeldWatcher>(std::move(watcher), hold_pod_watches, expire_pod_watch));
  }
  StatusOr<Object> Create(const Object& obj) override { return For(obj).Create(obj); }
  StatusOr<Object> Update(const Object& obj) override { return For(obj).Update(obj); }
  StatusOr<Object> UpdateStatus(const Object& obj) override { return For(obj).UpdateStatus(obj); }
  Status RecordEvent(const store::EventInput& event) override { return main_.RecordEvent(event); }
  StatusOr<Object> Delete(const ObjectKey& key, const store::DeleteOptions& options) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      deletes_.push_back(options);
    }
    before_delete(key, options);
    return For(key.kind).Delete(key, options);
  }

  // Runs before each Delete the agent sends is carried out.
  std::function<void(const ObjectKey&, const store::DeleteOptions&)> before_delete =
      [](const ObjectKey&, const store::DeleteOptions&) {};
  std::vector<store::DeleteOptions> deletes() {
    std::lock_guard<std::mutex> lock(mu_);
    return deletes_;
  }

 private:
  store::StoreClusterClient& For(const std::string& kind) { return kind == "Node" ? nodes_ : main_; }
  store::StoreClusterClient& For(const Object& obj) { return For(obj.value("kind", std::string())); }

  store::StoreClusterClient main_;
  store::StoreClusterClient nodes_;
  std::atomic<int> pod_watches_{0};
  std::mutex mu_;
  std::vector<store::DeleteOptions> deletes_;  // GUARDED_BY(mu_)
};

Object PodOn(const std::string& name, const std::string& node) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"spec",
           {{"nodeName", node},
            {"terminationGracePeriodSeconds", 1},
            {"containers", {{{"name", "c"}, {"image", "busybox"}, {"command", {"sleep", "3600"}}}}}}}};
}

class NodeAgentWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenStore("state.db");
    node_store_ = OpenStore("nodes.db");
    ASSERT_TRUE(store_ && node_store_);
    client_ = std::make_unique<AgentClient>(*store_, *node_store_);
  }

  void TearDown() override {
    agent_.reset();  // its threads end before what they use goes
    client_.reset();
  }

  std::unique_ptr<store::Store> OpenStore(const std::string& file) {
    store::SqliteStoreOptions options;
    options.path = dir_ / file;
    auto store = store::OpenSqliteStore(options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  void StartAgent() {
    NodeAgentOptions options;
    options.node_name = "n1";
    options.cluster = client_.get();
    options.runtime = &runtime_;
    options.network = &network_;
    options.images = &images_;
    options.data_dir = dir_.path().string();
    options.pods_dir = (dir_ / "pods").string();
    options.logs_dir = (dir_ / "logs").string();
    options.pvc_dir = (dir_ / "volumes").string();
    options.workers = 2;
    options.resync = std::chrono::hours(1);
    options.heartbeat = std::chrono::hours(1);
    auto agent = NodeAgent::Start(options);
    ASSERT_TRUE(agent.ok()) << agent.status().ToString();
    agent_ = std::move(*agent);
  }

  void Create(const Object& obj) {
    auto created = store_->Create(obj, store::SourceRef{});
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }

  std::string PhaseOf(const std::string& name) {
    auto pod = store_->Get(ObjectKey{"Pod", "default", name});
    if (!pod.ok()) return "";
    const Object& phase = manifests::FieldAt(pod->object, "status.phase");
    return phase.is_string() ? phase.get<std::string>() : "";
  }

  TempDir dir_{"agent-watch"};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::Store> node_store_;
  testing::FakeContainerRuntime fake_runtime_;
  LivePidRuntime runtime_{fake_runtime_};
  FakePodNetwork network_;
  FakeImageStore images_;
  std::unique_ptr<AgentClient> client_;
  std::unique_ptr<NodeAgent> agent_;  // last: stopped first
};

// The agent lists Pods of an empty store (resourceVersion 0) and then opens its watch; the pod
// is created in between, just before the watch opens. Watch(from 0) means "from now on", so
// only a list after the watch opened can see it.
TEST_F(NodeAgentWatchTest, RunsAPodCreatedBetweenTheFirstListOfAnEmptyStoreAndTheWatch) {
  ASSERT_EQ(store_->CurrentResourceVersion(), 0);
  client_->before_pod_watch = [this](int n) {
    if (n == 1) Create(PodOn("raced", "n1"));
  };
  StartAgent();
  EXPECT_TRUE(WaitFor([&] { return PhaseOf("raced") == "Running"; }))
      << "the pod created between the agent's Pod list and its watch was missed (phase \""
      << PhaseOf("raced") << "\")";
  EXPECT_EQ(fake_runtime_.started_count(), 1);
}

// The agent's Pod watch is behind from the start (it delivers nothing, so the agent's own status
// writes do not come back to it either); the pod runs from the first list and is then deleted,
// and the watch ends with kGone. The relist no longer has the pod: the agent must tear down what
// it holds for it.
TEST_F(NodeAgentWatchTest, TearsDownAPodDeletedWhileItsWatchFellBehind) {
  Create(PodOn("web", "n1"));
  client_->hold_pod_watches = true;
  StartAgent();
  ASSERT_TRUE(WaitFor([&] { return PhaseOf("web") == "Running"; })) << "phase \"" << PhaseOf("web") << "\"";
  ASSERT_EQ(network_.sandbox_count(), 1);

  store::DeleteOptions now;  // removed outright (not Terminating first), while the watch is behind
  now.grace_period_seconds = 0;
  auto deleted = store_->Delete(ObjectKey{"Pod", "default", "web"}, now);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  client_->expire_pod_watch = true;  // the watch ends with kGone (the next ones stay held): a relist

  EXPECT_TRUE(WaitFor([&] { return network_.sandbox_count() == 0 && fake_runtime_.removed_ids().size() == 1; }))
      << "the deleted pod still has " << network_.sandbox_count() << " sandbox(es) and "
      << fake_runtime_.removed_ids().size() << " removed container(s)";
}

// --- Graceful deletion: a pod with metadata.deletionTimestamp is stopped with its
// deletionGracePeriodSeconds, its final status written, everything removed, and then the object
// removed with grace 0 and a uid precondition.

class NodeAgentDeletionTest : public NodeAgentWatchTest {
 protected:
  // The id of the pod's running container, from its status.
  std::string ContainerIdOf(const std::string& name) {
    auto pod = store_->Get(ObjectKey{"Pod", "default", name});
    if (!pod.ok()) return "";
    std::string id;
    const Object& statuses = manifests::FieldAt(pod->object, "status.containerStatuses");
    if (statuses.is_array() && !statuses.empty()) id = statuses[0].value("containerID", "");
    return id.rfind("runc://", 0) == 0 ? id.substr(7) : id;
  }
  bool Gone(const std::string& name) {
    return store_->Get(ObjectKey{"Pod", "default", name}).status().code() == StatusCode::kNotFound;
  }
  bool Sent(const std::string& id, int signal) {
    auto sent = fake_runtime_.SignalsSent(id);
    return std::find(sent.begin(), sent.end(), signal) != sent.end();
  }
  // Marks pod `name` deleted with `grace` seconds (as a DELETE through the API does).
  std::string MarkDeleted(const std::string& name, int grace) {
    store::DeleteOptions options;
    options.grace_period_seconds = grace;
    auto marked = store_->Delete(ObjectKey{"Pod", "default", name}, options);
    EXPECT_TRUE(marked.ok()) << marked.status().ToString();
    if (!marked.ok()) return "";
    EXPECT_EQ(marked->action, store::OpResult::Action::kUpdated);
    return marked->object["metadata"]["uid"];
  }
};

TEST_F(NodeAgentDeletionTest, StopsATerminatingPodWritesItsFinalStatusAndRemovesItWithItsUid) {
  fake_runtime_.SetStoppingSignals({SIGKILL});  // the container traps SIGTERM and goes on
  Create(PodOn("web", "n1"));
  StartAgent();
  ASSERT_TRUE(WaitFor([&] { return PhaseOf("web") == "Running"; })) << "phase \"" << PhaseOf("web") << "\"";
  std::string id = ContainerIdOf("web");
  ASSERT_FALSE(id.empty());
  auto watcher = store_->Watch(store::WatchOptions{"Pod", std::nullopt, store_->CurrentResourceVersion()});
  ASSERT_TRUE(watcher.ok()) << watcher.status().ToString();

  std::string uid = MarkDeleted("web", 30);
  ASSERT_TRUE(WaitFor([&] { return Sent(id, SIGTERM); })) << "no SIGTERM for the Terminating pod";
  EXPECT_FALSE(Gone("web")) << "the pod went before its container stopped";
  EXPECT_EQ(network_.sandbox_count(), 1);

  ASSERT_TRUE(fake_runtime_.ExitContainer(id, 0).ok());  // the trap is done
  ASSERT_TRUE(WaitFor([&] { return Gone("web"); })) << "the stopped pod was not removed";
  EXPECT_EQ(network_.sandbox_count(), 0);
  EXPECT_EQ(fake_runtime_.removed_ids(), std::vector<std::string>{id});
  EXPECT_FALSE(Sent(id, SIGKILL)) << "killed although it stopped within its grace";
  std::vector<store::DeleteOptions> deletes = client_->deletes();
  ASSERT_EQ(deletes.size(), 1u);
  EXPECT_EQ(deletes[0].grace_period_seconds, 0);
  EXPECT_EQ(deletes[0].precondition_uid, uid);

  // Before it went, the pod's status said its container terminated (exit 0: Succeeded).
  bool final_status = false, deleted = false;
  while (!deleted) {
    auto next = (*watcher)->Next(std::chrono::seconds(5));
    ASSERT_TRUE(next.ok() && next->has_value()) << "no DELETED event";
    const store::WatchEvent& event = **next;
    if (event.type == store::WatchEvent::Type::kDeleted) {
      deleted = true;
    } else if (manifests::StringAt(event.object, "status.phase") == "Succeeded") {
      const Object& statuses = manifests::FieldAt(event.object, "status.containerStatuses");
      final_status = statuses.is_array() && statuses.size() == 1 &&
                     manifests::FieldAt(statuses[0], "state.terminated.exitCode") == 0;
    }
  }
  EXPECT_TRUE(final_status) << "no status with the terminated container before the pod was removed";
}

TEST_F(NodeAgentDeletionTest, KillsAfterTheDeletionGraceAndAShorterGraceTakesOver) {
  fake_runtime_.SetStoppingSignals({SIGKILL});
  Create(PodOn("web", "n1"));
  StartAgent();
  ASSERT_TRUE(WaitFor([&] { return PhaseOf("web") == "Running"; }));
  std::string id = ContainerIdOf("web");
  MarkDeleted("web", 600);
  ASSERT_TRUE(WaitFor([&] { return Sent(id, SIGTERM); }));
  EXPECT_FALSE(Sent(id, SIGKILL));
  MarkDeleted("web", 1);  // a second DELETE shortens the grace to 1 s
  EXPECT_TRUE(WaitFor([&] { return Gone("web"); })) << "the pod was not killed after the shortened grace";
  EXPECT_TRUE(Sent(id, SIGKILL));
  EXPECT_EQ(network_.sandbox_count(), 0);
}

TEST_F(NodeAgentDeletionTest, APodRecreatedUnderTheSameNameMeanwhileIsNotRemoved) {
  Create(PodOn("web", "n1"));
  StartAgent();
  ASSERT_TRUE(WaitFor([&] { return PhaseOf("web") == "Running"; }));
  std::string new_uid;
  client_->before_delete = [&](const ObjectKey& key, const store::DeleteOptions&) {
    if (!new_uid.empty()) return;
    // Between the agent's stop and its final delete, someone force-deletes the old pod and
    // creates a new one of the same name.
    store::DeleteOptions now;
    now.grace_period_seconds = 0;
    ASSERT_TRUE(store_->Delete(key, now).ok());
    auto created = store_->Create(PodOn("web", "n1"), store::SourceRef{});
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    new_uid = (*created)["metadata"]["uid"];
  };
  std::string old_uid = MarkDeleted("web", 30);
  ASSERT_TRUE(WaitFor([&] { return !client_->deletes().empty(); })) << "the agent never removed the pod";
  ASSERT_FALSE(new_uid.empty());
  EXPECT_EQ(client_->deletes()[0].precondition_uid, old_uid);
  // The new pod stays (and runs); the old one's delete did not take it.
  EXPECT_TRUE(WaitFor([&] { return PhaseOf("web") == "Running"; }));
  auto pod = store_->Get(ObjectKey{"Pod", "default", "web"});
  ASSERT_TRUE(pod.ok()) << pod.status().ToString();
  EXPECT_EQ(pod->object["metadata"]["uid"], new_uid);
  EXPECT_EQ(manifests::StringAt(pod->object, "metadata.deletionTimestamp"), "");
}

TEST_F(NodeAgentDeletionTest, AnAgentRestartedWhileAPodIsTerminatingFinishesTheJob) {
  fake_runtime_.SetStoppingSignals({SIGKILL});
  Create(PodOn("web", "n1"));
  StartAgent();
  ASSERT_TRUE(WaitFor([&] { return PhaseOf("web") == "Running"; }));
  std::string id = ContainerIdOf("web");
  agent_->Stop();
  agent_.reset();  // the daemon is down; the container keeps running

  MarkDeleted("web", 30);
  StartAgent();  // adopts the container and sees the pod Terminating
  ASSERT_TRUE(WaitFor([&] { return Sent(id, SIGTERM); })) << "the restarted agent did not stop the pod";
  ASSERT_TRUE(fake_runtime_.ExitContainer(id, 143).ok());
  EXPECT_TRUE(WaitFor([&] { return Gone("web"); })) << "the restarted agent did not remove the pod";
  EXPECT_EQ(network_.sandbox_count(), 0);
  EXPECT_EQ(fake_runtime_.removed_ids(), std::vector<std::string>{id});
}

}  // namespace
}  // namespace moor::runtime
