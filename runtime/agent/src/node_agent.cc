#include "moor/runtime/node_agent.h"

#include <signal.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <filesystem>
#include <thread>

#include "moor/common/log.h"
#include "node_info.h"
#include "pod_syncer.h"
#include "probe_manager.h"
#include "work_queue.h"

namespace moor::runtime {
namespace {

using std::chrono::milliseconds;

class NodeAgentImpl final : public NodeAgent {
 public:
  explicit NodeAgentImpl(NodeAgentOptions options) : options_(std::move(options)) {}
  ~NodeAgentImpl() override { Stop(); }

  Status Init() {
    if (options_.cluster == nullptr || options_.runtime == nullptr || options_.network == nullptr ||
        options_.images == nullptr) {
      return InvalidArgumentError("node agent: cluster, runtime, network and images are required");
    }
    if (options_.pods_dir.empty() || options_.logs_dir.empty() || options_.pvc_dir.empty()) {
      return InvalidArgumentError("node agent: pods_dir, logs_dir and pvc_dir are required");
    }
    for (const std::string& dir : {options_.pods_dir, options_.logs_dir, options_.pvc_dir}) {
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      if (ec) return UnavailableError("creating " + dir + ": " + ec.message());
    }
    clock_ = options_.clock != nullptr ? options_.clock : &SystemClock();
    facts_ = ReadHostFacts(options_.data_dir.empty() ? options_.pods_dir : options_.data_dir);
    node_.name = options_.node_name.empty() ? facts_.hostname : options_.node_name;
    node_.pod_cidr = options_.pod_cidr;
    node_.runtime_version = options_.runtime_version;
    node_.annotations = {{"moor.dev/host", facts_.hostname}};
    if (!options_.runc_root.empty()) node_.annotations["moor.dev/runc-root"] = options_.runc_root;
    MOOR_RETURN_IF_ERROR(options_.network->Init());
    MOOR_RETURN_IF_ERROR(RegisterNode());
    probes_ = std::make_unique<ProbeManager>(*options_.runtime, [this](const std::string& key) { queue_.Add(key); });
    syncer_ = std::make_unique<PodSyncer>(options_, node_.name, facts_.internal_ip, *probes_);
    MOOR_ASSIGN_OR_RETURN(std::vector<std::string> existing, syncer_->LoadExisting());
    for (const std::string& key : existing) queue_.Add(key);
    // Initial list before the workers start, so adopted pods are checked against the store first.
    MOOR_ASSIGN_OR_RETURN(store::ObjectList pods, options_.cluster->List("Pod", std::nullopt));
    for (const Object& pod : pods.items) Consider(pod);
    pods_rv_ = pods.resource_version;
    LogInfo("node agent started", {{"node", node_.name}, {"adopted_pods", std::to_string(existing.size())},
                                   {"internal_ip", facts_.internal_ip}});
    for (int i = 0; i < std::max(1, options_.workers); ++i) workers_.emplace_back([this] { WorkerLoop(); });
    threads_.emplace_back([this] { WatchLoop("Pod"); });
    threads_.emplace_back([this] { WatchLoop("ConfigMap"); });
    threads_.emplace_back([this] { WatchLoop("Secret"); });
    threads_.emplace_back([this] { HousekeepingLoop(); });
    return Status::Ok();
  }

  void Stop() override {
    {
      std::lock_guard<std::mutex> lock(stop_mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    stop_cv_.notify_all();
    queue_.ShutDown();
    {
      std::lock_guard<std::mutex> lock(watch_mu_);
      for (store::Watcher* w : watchers_) w->Stop();
    }
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    for (auto& t : workers_) {
      if (t.joinable()) t.join();
    }
    if (probes_) probes_->StopAll();
    LogInfo("node agent stopped; containers keep running", {{"node", node_.name}});
  }

  const std::string& node_name() const override { return node_.name; }

  StatusOr<ContainerLogRef> LogFor(const std::string& ns, const std::string& pod, const std::string& container,
                                   bool previous) override {
    return syncer_->LogFor(ns, pod, container, previous);
  }

  std::set<std::string> ImagesInUse() override { return syncer_->ImagesInUse(); }

 private:
  bool Stopping() {
    std::lock_guard<std::mutex> lock(stop_mu_);
    return stopped_;
  }

  // Sleeps up to `d`; false if the agent is stopping.
  bool SleepFor(milliseconds d) {
    std::unique_lock<std::mutex> lock(stop_mu_);
    return !stop_cv_.wait_for(lock, d, [this] { return stopped_; });
  }

  Status RegisterNode() {
    auto existing = options_.cluster->Get(ObjectKey{"Node", "", node_.name});
    Object node;
    if (existing.ok()) {
      node = *existing;
      Object wanted = BuildNodeObject(node_, facts_);
      bool changed = false;
      for (auto& [k, v] : wanted["metadata"]["annotations"].items()) {
        if (node["metadata"]["annotations"][k] != v) {
          node["metadata"]["annotations"][k] = v;
          changed = true;
        }
      }
      if (changed) {
        MOOR_ASSIGN_OR_RETURN(node, options_.cluster->Update(node));
      }
    } else if (existing.status().code() == StatusCode::kNotFound) {
      MOOR_ASSIGN_OR_RETURN(node, options_.cluster->Create(BuildNodeObject(node_, facts_)));
    } else {
      return existing.status();
    }
    return Heartbeat(node);
  }

  Status Heartbeat(Object node) {
    Object previous = node.contains("status") ? node["status"] : Object();
    node["status"] = BuildNodeStatus(node_, facts_, previous, clock_->Now());
    node["metadata"].erase("resourceVersion");
    return options_.cluster->UpdateStatus(node).status();
  }

  // Enqueues a pod if it is (or was) this node's.
  void Consider(const Object& pod) {
    const Object& node_name = manifests::FieldAt(pod, "spec.nodeName");
    if (node_name.is_string() && node_name.get<std::string>() == node_.name) {
      queue_.Add(manifests::NamespaceOf(pod) + "/" + manifests::NameOf(pod));
    }
  }

  void WatchLoop(const std::string& kind) {
    std::int64_t from = kind == "Pod" ? pods_rv_ : 0;
    while (!Stopping()) {
      if (from == 0) {
        auto list = options_.cluster->List(kind, std::nullopt);
        if (!list.ok()) {
          if (!SleepFor(milliseconds(1000))) return;
          continue;
        }
        from = list->resource_version;
        if (kind == "Pod") {
          for (const Object& pod : list->items) Consider(pod);
        }
      }
      auto watcher = options_.cluster->Watch(kind, from);
      if (!watcher.ok()) {
        from = 0;  // kGone or unavailable: relist
        if (!SleepFor(milliseconds(500))) return;
        continue;
      }
      {
        std::lock_guard<std::mutex> lock(watch_mu_);
        if (Stopping()) return;
        watchers_.insert(watcher->get());
      }
      while (!Stopping()) {
        auto next = (*watcher)->Next(milliseconds(1000));
        if (!next.ok()) {
          from = next.status().code() == StatusCode::kGone ? 0 : from;
          break;
        }
        if (!next->has_value()) continue;
        const store::WatchEvent& event = **next;
        from = event.resource_version;
        if (kind == "Pod") {
          std::string key = manifests::NamespaceOf(event.object) + "/" + manifests::NameOf(event.object);
          // Deleted or moved away pods are synced too: the syncer tears down what it holds.
          if (event.type == store::WatchEvent::Type::kDeleted) queue_.Add(key);
          else Consider(event.object);
        } else {
          // A ConfigMap or Secret changed: re-sync this node's pods in its namespace (volume
          // contents follow; env is read only at container start, as in Kubernetes).
          std::string ns = manifests::NamespaceOf(event.object);
          for (const std::string& key : syncer_->LocalKeys()) {
            if (key.rfind(ns + "/", 0) == 0) queue_.Add(key);
          }
        }
      }
      std::lock_guard<std::mutex> lock(watch_mu_);
      watchers_.erase(watcher->get());
    }
  }

  void WorkerLoop() {
    while (true) {
      std::optional<std::string> key = queue_.Get();
      if (!key) return;
      std::optional<milliseconds> again;
      try {
        again = syncer_->Sync(*key);
      } catch (const std::exception& e) {
        LogError("pod sync threw", {{"pod", *key}, {"error", e.what()}});
        again = milliseconds(5000);
      }
      queue_.Done(*key);
      if (again) queue_.AddAfter(*key, *again);
    }
  }

  // Container exits (a running pid is gone), the periodic resync and the node heartbeat.
  void HousekeepingLoop() {
    auto last_resync = std::chrono::steady_clock::now();
    auto last_heartbeat = std::chrono::steady_clock::now();
    while (SleepFor(milliseconds(250))) {
      for (const auto& [pid, key] : syncer_->RunningPids()) {
        if (::kill(pid, 0) != 0 && errno == ESRCH) queue_.Add(key);
      }
      auto now = std::chrono::steady_clock::now();
      if (now - last_resync >= options_.resync) {
        last_resync = now;
        for (const std::string& key : syncer_->LocalKeys()) queue_.Add(key);
      }
      if (now - last_heartbeat >= options_.heartbeat) {
        last_heartbeat = now;
        auto node = options_.cluster->Get(ObjectKey{"Node", "", node_.name});
        Status st = node.ok() ? Heartbeat(*node) : RegisterNode();
        if (!st.ok()) LogWarn("node heartbeat failed", {{"node", node_.name}, {"error", st.ToString()}});
      }
    }
  }

  NodeAgentOptions options_;
  Clock* clock_ = nullptr;
  HostFacts facts_;
  NodeDescription node_;
  WorkQueue queue_;
  std::unique_ptr<ProbeManager> probes_;
  std::unique_ptr<PodSyncer> syncer_;
  std::int64_t pods_rv_ = 0;
  std::vector<std::thread> threads_;
  std::vector<std::thread> workers_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopped_ = false;
  std::mutex watch_mu_;
  std::set<store::Watcher*> watchers_;
};

}  // namespace

StatusOr<std::unique_ptr<NodeAgent>> NodeAgent::Start(NodeAgentOptions options) {
  auto agent = std::make_unique<NodeAgentImpl>(std::move(options));
  MOOR_RETURN_IF_ERROR(agent->Init());
  return std::unique_ptr<NodeAgent>(std::move(agent));
}

}  // namespace moor::runtime
