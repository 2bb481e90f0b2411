#include "moor/runtime/node_agent.h"

#include <signal.h>

#include <cerrno>
#include <condition_variable>
#include <filesystem>
#include <thread>

#include "moor/common/log.h"
#include "moor/store/kind_watch.h"
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
    // Initial list before the workers start, so adopted pods are checked against the store first
    // (OnPodList enqueues them with every pod bound here).
    MOOR_RETURN_IF_ERROR(pods_watch_.ListAndStart());
    config_maps_watch_.Start();
    secrets_watch_.Start();
    LogInfo("node agent started", {{"node", node_.name}, {"adopted_pods", std::to_string(existing.size())},
                                   {"internal_ip", facts_.internal_ip}});
    for (int i = 0; i < std::max(1, options_.workers); ++i) workers_.emplace_back([this] { WorkerLoop(); });
    housekeeping_ = std::thread([this] { HousekeepingLoop(); });
    return Status::Ok();
  }

  void Stop() override {
    {
      std::lock_guard<std::mutex> lock(stop_mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    stop_cv_.notify_all();
    // The watches first: no handler adds a key once they are joined.
    pods_watch_.Stop();
    config_maps_watch_.Stop();
    secrets_watch_.Stop();
    queue_.ShutDown();
    if (housekeeping_.joinable()) housekeeping_.join();
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

  static std::string PodKey(const Object& pod) { return manifests::NamespaceOf(pod) + "/" + manifests::NameOf(pod); }

  // Enqueues a pod if it is (or was) this node's.
  void Consider(const Object& pod) {
    const Object& node_name = manifests::FieldAt(pod, "spec.nodeName");
    if (node_name.is_string() && node_name.get<std::string>() == node_.name) {
      queue_.Add(PodKey(pod));
    }
  }

  // Every pod bound here, and every pod this node holds (one deleted or moved away while the
  // watch was down is torn down by its sync).
  void OnPodList(const std::vector<Object>& pods) {
    for (const Object& pod : pods) Consider(pod);
    ResyncLocalPods("");
  }

  void OnPodEvent(const store::WatchEvent& event) {
    // Deleted pods are synced too: the syncer tears down what it holds (Consider covers moved ones).
    if (event.type == store::WatchEvent::Type::kDeleted) queue_.Add(PodKey(event.object));
    else Consider(event.object);
  }

  // Enqueues this node's pods in namespace `ns` ("" = all).
  void ResyncLocalPods(const std::string& ns) {
    for (const std::string& key : syncer_->LocalKeys()) {
      if (ns.empty() || key.rfind(ns + "/", 0) == 0) queue_.Add(key);
    }
  }

  // A ConfigMap or Secret changed: re-sync this node's pods in its namespace (volume contents
  // follow; env is read only at container start, as in Kubernetes). After a relist (not the
  // first list) a change may have been missed: every local pod.
  store::KindWatchHandlers VolumeSourceHandlers() {
    return {[this, first = true](const std::vector<Object>&) mutable {
              if (!first) ResyncLocalPods("");
              first = false;
            },
            [this](const store::WatchEvent& event) { ResyncLocalPods(manifests::NamespaceOf(event.object)); }};
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
  std::thread housekeeping_;
  std::vector<std::thread> workers_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopped_ = false;
  // Listed and followed from Init() until Stop(); their handlers run on the watches' threads.
  store::KindWatch pods_watch_{options_.cluster, "Pod",
                               {[this](const std::vector<Object>& pods) { OnPodList(pods); },
                                [this](const store::WatchEvent& event) { OnPodEvent(event); }}};
  store::KindWatch config_maps_watch_{options_.cluster, "ConfigMap", VolumeSourceHandlers()};
  store::KindWatch secrets_watch_{options_.cluster, "Secret", VolumeSourceHandlers()};
};

}  // namespace

StatusOr<std::unique_ptr<NodeAgent>> NodeAgent::Start(NodeAgentOptions options) {
  auto agent = std::make_unique<NodeAgentImpl>(std::move(options));
  MOOR_RETURN_IF_ERROR(agent->Init());
  return std::unique_ptr<NodeAgent>(std::move(agent));
}

}  // namespace moor::runtime
