#include "pod_syncer.h"

#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "container_config.h"
#include "container_env.h"
#include "moor/common/files.h"
#include "moor/common/log.h"
#include "moor/runtime/image_reference.h"
#include "pod_plan.h"
#include "pod_status.h"

#include "json_fields.h"

namespace moor::runtime {
namespace fs = std::filesystem;
using std::chrono::milliseconds;

namespace {

std::optional<WallTime> ParseTime(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto t = ParseRfc3339(text);
  if (!t.ok()) return std::nullopt;
  return *t;
}

std::string Label(const ContainerInfo& info, const char* key) {
  auto it = info.labels.find(key);
  return it == info.labels.end() ? "" : it->second;
}

ContainerInstance InstanceOf(const ContainerInfo& info) {
  ContainerInstance c;
  c.id = info.id;
  c.name = Label(info, kLabelContainerName);
  c.init = Label(info, kLabelInit) == "true";
  std::string attempt = Label(info, kLabelAttempt);
  c.attempt = attempt.empty() ? 0 : std::atoi(attempt.c_str());
  c.state = info.state;
  c.exit_code = info.exit_code;
  c.oom_killed = info.oom_killed;
  c.started_at = ParseTime(info.started_at);
  c.finished_at = ParseTime(info.finished_at);
  c.image = Label(info, kLabelImage);
  c.image_id = Label(info, kLabelImageId);
  c.spec_hash = Label(info, kLabelSpecHash);
  return c;
}

// Backoff for retries of failed starts and sandboxes: 1 s doubling to 5 min.
milliseconds RetryDelay(int failures) {
  milliseconds delay(1000);
  for (int i = 1; i < failures && delay < std::chrono::minutes(5); ++i) delay *= 2;
  return std::min<milliseconds>(delay, std::chrono::minutes(5));
}

const Object* FindContainer(const Object& pod, const std::string& name, bool* init) {
  for (const char* list : {"spec.containers", "spec.initContainers"}) {
    const Object& containers = manifests::FieldAt(pod, list);
    if (!containers.is_array()) continue;
    for (const Object& c : containers) {
      if (Str(c, "name") == name) {
        if (init) *init = std::string(list) == "spec.initContainers";
        return &c;
      }
    }
  }
  return nullptr;
}

bool HasProjectedVolumes(const Object& pod) {
  const Object& volumes = manifests::FieldAt(pod, "spec.volumes");
  if (!volumes.is_array()) return false;
  for (const Object& v : volumes) {
    if (v.contains("configMap") || v.contains("secret")) return true;
  }
  return false;
}

std::string PullPolicy(const Object& container) {
  std::string policy = Str(container, "imagePullPolicy");
  if (!policy.empty()) return policy;
  auto ref = ParseImageReference(Str(container, "image"));
  return ref.ok() && ref->IsLatest() ? "Always" : "IfNotPresent";
}

}  // namespace

PodSyncer::PodSyncer(const NodeAgentOptions& options, std::string node_name, std::string host_ip, ProbeManager& probes)
    : options_(options),
      node_name_(std::move(node_name)),
      host_ip_(std::move(host_ip)),
      probes_(probes),
      layout_(options.pods_dir, options.logs_dir),
      volumes_(layout_, options.pvc_dir),
      clock_(options.clock != nullptr ? *options.clock : SystemClock()) {}

PodSyncer::LocalPod& PodSyncer::LocalFor(const std::string& uid, const std::string& ns, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  LocalPod& local = pods_[uid];
  if (local.uid.empty()) {
    local.uid = uid;
    local.ns = ns;
    local.name = name;
  }
  return local;
}

void PodSyncer::Publish(const LocalPod& local) {
  Published p{local.ns, local.name, {}};
  for (const auto& [id, c] : local.containers) p.containers.push_back(c);
  std::lock_guard<std::mutex> lock(mu_);
  published_[local.uid] = std::move(p);
}

StatusOr<std::vector<std::string>> PodSyncer::LoadExisting() {
  std::set<std::string> keys;
  MOOR_ASSIGN_OR_RETURN(std::vector<ContainerInfo> infos, options_.runtime->List());
  for (const ContainerInfo& info : infos) {
    std::string uid = Label(info, kLabelPodUid);
    if (uid.empty()) continue;  // not made by a node agent
    LocalPod& local = LocalFor(uid, Label(info, kLabelPodNamespace), Label(info, kLabelPodName));
    local.containers[info.id] = LocalContainer{InstanceOf(info), info.pid, info.log_path};
    keys.insert(local.ns + "/" + local.name);
  }
  // Pod dirs: pods whose sandbox exists but whose containers may all be gone.
  std::set<std::string> sandboxes_in_use;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.pods_dir, ec)) {
    auto text = ReadFileLimited(entry.path() / "sandbox.json", 1 << 16);
    if (!text.ok()) continue;
    Object record = Object::parse(*text, nullptr, false);
    if (!record.is_object()) continue;
    std::string uid = Str(record, "uid");
    LocalFor(uid, Str(record, "namespace"), Str(record, "name"));
    keys.insert(Str(record, "namespace") + "/" + Str(record, "name"));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [uid, local] : pods_) sandboxes_in_use.insert(PodLayout::SandboxId(uid));
  }
  for (auto& [uid, local] : pods_) Publish(local);
  // Sandboxes of no known pod are leftovers of a crash between set-up and recording.
  auto sandboxes = options_.network->List();
  if (sandboxes.ok()) {
    for (const std::string& id : *sandboxes) {
      if (sandboxes_in_use.count(id)) continue;
      LogInfo("removing a sandbox no pod owns", {{"sandbox", id}});
      Status st = options_.network->Teardown(id);
      if (!st.ok()) LogWarn("sandbox teardown failed", {{"sandbox", id}, {"error", st.ToString()}});
    }
  }
  return std::vector<std::string>(keys.begin(), keys.end());
}

std::vector<std::string> PodSyncer::LocalKeys() {
  std::lock_guard<std::mutex> lock(mu_);
  std::set<std::string> keys;
  for (const auto& [uid, p] : published_) keys.insert(p.ns + "/" + p.name);
  for (const auto& [uid, p] : pods_) keys.insert(p.ns + "/" + p.name);
  return {keys.begin(), keys.end()};
}

std::vector<std::pair<int, std::string>> PodSyncer::RunningPids() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<int, std::string>> out;
  for (const auto& [uid, p] : published_) {
    for (const auto& c : p.containers) {
      if (c.instance.state == ContainerState::kRunning && c.pid > 0) out.emplace_back(c.pid, p.ns + "/" + p.name);
    }
  }
  return out;
}

std::set<std::string> PodSyncer::ImagesInUse() {
  std::lock_guard<std::mutex> lock(mu_);
  std::set<std::string> ids;
  for (const auto& [uid, p] : published_) {
    for (const auto& c : p.containers) {
      if (!c.instance.image_id.empty()) ids.insert(c.instance.image_id);
    }
  }
  return ids;
}

void PodSyncer::Refresh(LocalPod& local) {
  for (auto it = local.containers.begin(); it != local.containers.end();) {
    auto info = options_.runtime->Inspect(it->first);
    if (!info.ok()) {
      if (info.status().code() == StatusCode::kNotFound) {
        it = local.containers.erase(it);
        continue;
      }
      LogWarn("inspecting a container failed", {{"container", it->first}, {"error", info.status().ToString()}});
      ++it;
      continue;
    }
    it->second.instance = InstanceOf(*info);
    it->second.pid = info->pid;
    if (!info->log_path.empty()) it->second.log_path = info->log_path;
    ++it;
  }
  Publish(local);
}

std::optional<milliseconds> PodSyncer::Sync(const std::string& key) {
  auto slash = key.find('/');
  std::string ns = key.substr(0, slash), name = key.substr(slash + 1);
  std::optional<Object> pod;
  auto got = options_.cluster->Get(ObjectKey{"Pod", ns, name});
  if (got.ok()) {
    if (Str(manifests::FieldAt(*got, "spec"), "nodeName") == node_name_) pod = std::move(*got);
  } else if (got.status().code() != StatusCode::kNotFound) {
    LogWarn("reading a pod failed", {{"pod", key}, {"error", got.status().ToString()}});
    return milliseconds(1000);
  }
  std::string desired_uid = pod ? UidOf(*pod) : "";
  std::vector<std::string> stale;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [uid, local] : pods_) {
      if (local.ns == ns && local.name == name && uid != desired_uid) stale.push_back(uid);
    }
  }
  std::optional<milliseconds> requeue;
  auto merge = [&](std::optional<milliseconds> r) {
    if (r && (!requeue || *r < *requeue)) requeue = r;
  };
  for (const std::string& uid : stale) merge(Terminate(uid));
  // A replaced pod (same name, new uid) starts only once the old one is gone.
  if (pod && !stale.empty() && requeue) return requeue;
  if (pod && manifests::IsBeingDeleted(*pod)) {
    merge(FinishDeletion(*pod));
  } else if (pod) {
    merge(SyncDesired(*pod));
  }
  return requeue;
}

std::optional<milliseconds> PodSyncer::FinishDeletion(const Object& pod) {
  std::string uid = UidOf(pod);
  std::string key = manifests::NamespaceOf(pod) + "/" + manifests::NameOf(pod);
  bool known;
  {
    std::lock_guard<std::mutex> lock(mu_);
    known = pods_.count(uid) > 0;
  }
  if (known) {
    LocalPod& local = LocalFor(uid, manifests::NamespaceOf(pod), manifests::NameOf(pod));
    const Object& grace = manifests::FieldAt(pod, "metadata.deletionGracePeriodSeconds");
    if (grace.is_number_integer()) local.grace_seconds = std::max(0, grace.get<int>());
    // A later delete may have shortened the grace: never wait past now + the new one.
    WallTime latest = clock_.Now() + std::chrono::seconds(local.grace_seconds);
    if (local.terminate_deadline && *local.terminate_deadline > latest) local.terminate_deadline = latest;
    std::optional<milliseconds> again = Terminate(uid, &pod);
    if (again) return again;
  }
  // Nothing of it is left on this node: remove the object for good (kubelet's final delete).
  store::DeleteOptions options;
  options.grace_period_seconds = 0;
  options.precondition_uid = uid;
  auto deleted = options_.cluster->Delete(ObjectKey{"Pod", manifests::NamespaceOf(pod), manifests::NameOf(pod)}, options);
  if (!deleted.ok() && deleted.status().code() != StatusCode::kNotFound &&
      deleted.status().code() != StatusCode::kConflict) {  // kConflict: another pod has the name now
    LogWarn("removing a deleted pod failed", {{"pod", key}, {"error", deleted.status().ToString()}});
    return milliseconds(1000);
  }
  LogInfo("deleted pod removed", {{"pod", key}, {"uid", uid}});
  return std::nullopt;
}

std::optional<milliseconds> PodSyncer::Terminate(const std::string& uid, const Object* deleted) {
  LocalPod* local_ptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    local_ptr = &pods_[uid];
  }
  LocalPod& local = *local_ptr;
  WallTime now = clock_.Now();
  Refresh(local);
  bool any_running = false;
  for (const auto& [id, c] : local.containers) any_running = any_running || c.instance.state == ContainerState::kRunning;
  if (any_running) {
    if (!local.terminate_deadline) {
      local.terminate_deadline = now + std::chrono::seconds(local.grace_seconds);
      LogInfo("stopping pod", {{"pod", local.ns + "/" + local.name}, {"grace", std::to_string(local.grace_seconds) + "s"}});
      for (const auto& [id, c] : local.containers) {
        if (c.instance.state == ContainerState::kRunning) {
          if (deleted != nullptr) {
            RecordEvent(*deleted, "Normal", "Killing", "Stopping container " + c.instance.name,
                        "spec.containers{" + c.instance.name + "}");
          }
          Status st = options_.runtime->Kill(id, SIGTERM);
          if (!st.ok()) LogWarn("SIGTERM failed", {{"container", id}, {"error", st.ToString()}});
        }
      }
      return milliseconds(200);
    }
    if (now < *local.terminate_deadline) {
      return std::min(milliseconds(500), std::chrono::duration_cast<milliseconds>(*local.terminate_deadline - now));
    }
    for (const auto& [id, c] : local.containers) {
      if (c.instance.state == ContainerState::kRunning) {
        Status st = options_.runtime->Kill(id, SIGKILL);
        if (!st.ok()) LogWarn("SIGKILL failed", {{"container", id}, {"error", st.ToString()}});
      }
    }
    return milliseconds(200);
  }
  if (deleted != nullptr && !local.containers.empty()) WriteFinalStatus(*deleted, local);
  std::set<std::string> gone;
  for (const auto& [id, c] : local.containers) gone.insert(id);
  for (const std::string& id : gone) {
    Status st = options_.runtime->Remove(id);
    if (!st.ok()) {
      LogWarn("removing a container failed", {{"container", id}, {"error", st.ToString()}});
      return milliseconds(1000);
    }
    local.containers.erase(id);
  }
  Status net = options_.network->Teardown(PodLayout::SandboxId(uid));
  if (!net.ok()) {
    LogWarn("sandbox teardown failed", {{"pod", local.ns + "/" + local.name}, {"error", net.ToString()}});
    return milliseconds(1000);
  }
  Status vols = volumes_.Remove(uid);
  if (!vols.ok()) {
    LogWarn("removing volumes failed", {{"pod", local.ns + "/" + local.name}, {"error", vols.ToString()}});
    return milliseconds(1000);
  }
  std::error_code ec;
  fs::remove_all(layout_.PodDir(uid), ec);
  fs::remove_all(layout_.PodLogDir(local.ns, local.name, uid), ec);
  LogInfo("pod removed", {{"pod", local.ns + "/" + local.name}, {"uid", uid}});
  std::lock_guard<std::mutex> lock(mu_);
  published_.erase(uid);
  pods_.erase(uid);
  return std::nullopt;
}

void PodSyncer::WriteFinalStatus(const Object& pod, LocalPod& local) {
  // As kubelet for a deleted pod: its containers terminated (none restarts), the pod not ready,
  // its phase Succeeded if every container exited with 0, else Failed.
  Object view = pod;
  view["spec"]["restartPolicy"] = "Never";
  PodObservation obs = Observe(view, local);
  const Object& previous = pod.contains("status") ? pod["status"] : Object();
  Object status = BuildPodStatus(view, obs, previous, host_ip_);
  if (status == previous) return;
  Object update = pod;
  update["status"] = status;
  update["metadata"].erase("resourceVersion");
  auto written = options_.cluster->UpdateStatus(update);
  if (!written.ok() && written.status().code() != StatusCode::kNotFound) {
    LogWarn("writing the final pod status failed", {{"pod", local.ns + "/" + local.name},
                                                     {"error", written.status().ToString()}});
  }
}

PodObservation PodSyncer::Observe(const Object& pod, LocalPod& local) {
  PodObservation obs;
  obs.now = clock_.Now();
  auto sandbox = options_.network->Inspect(PodLayout::SandboxId(local.uid));
  if (sandbox.ok()) {
    obs.sandbox_ready = true;
    obs.pod_ip = sandbox->ip;
  }
  auto record = ReadFileLimited(layout_.PodDir(local.uid) + "/sandbox.json", 1 << 16);
  if (record.ok()) {
    Object r = Object::parse(*record, nullptr, false);
    if (r.is_object()) obs.sandbox_created = ParseTime(Str(r, "created"));
  }
  if (obs.sandbox_ready && !obs.sandbox_created) obs.sandbox_ready = false;  // set-up never finished
  for (const auto& [id, c] : local.containers) obs.containers[c.instance.name].push_back(c.instance);
  for (auto& [name, list] : obs.containers) {
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.attempt < b.attempt; });
  }
  obs.start_failures = local.failures;
  obs.sandbox_error = local.sandbox_error;
  for (const auto& [id, c] : local.containers) {
    if (c.instance.state != ContainerState::kRunning) continue;
    const Object* spec = FindContainer(pod, c.instance.name, nullptr);
    obs.probes[id] = probes_.State(id, spec ? *spec : Object::object());
  }
  return obs;
}

std::optional<milliseconds> PodSyncer::SyncDesired(const Object& pod) {
  std::string uid = UidOf(pod);
  std::string key = manifests::NamespaceOf(pod) + "/" + manifests::NameOf(pod);
  LocalPod& local = LocalFor(uid, manifests::NamespaceOf(pod), manifests::NameOf(pod));
  const Object& grace = manifests::FieldAt(pod, "spec.terminationGracePeriodSeconds");
  local.grace_seconds = grace.is_number_integer() ? grace.get<int>() : 30;
  Refresh(local);

  std::optional<milliseconds> requeue;
  auto merge = [&](std::optional<milliseconds> r) {
    if (r && (!requeue || *r < *requeue)) requeue = r;
  };
  PodObservation obs = Observe(pod, local);
  bool acted = false;
  // A new sandbox is followed at once by a second pass that starts the containers (instead of
  // a requeue behind every other pod's sandbox).
  for (int pass = 0; pass < 2; ++pass) {
    bool sandbox_created = false;
    if (pass > 0) obs = Observe(pod, local);
    PodPlan plan = PlanPod(pod, obs);
    merge(plan.requeue_after);
    for (const PodAction& action : plan.actions) {
      switch (action.type) {
        case PodAction::Type::kCreateSandbox: {
          if (local.sandbox_retry_at && *local.sandbox_retry_at > obs.now) {
            merge(std::chrono::duration_cast<milliseconds>(*local.sandbox_retry_at - obs.now));
            break;
          }
          Status st = CreateSandbox(pod, local);
          if (!st.ok()) {
            local.sandbox_error = st.message();
            ++local.sandbox_failures;
            local.sandbox_retry_at = obs.now + RetryDelay(local.sandbox_failures);
            RecordEvent(pod, "Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: " + st.message());
            merge(RetryDelay(local.sandbox_failures));
          } else {
            local.sandbox_error.clear();
            local.sandbox_failures = 0;
            local.sandbox_retry_at.reset();
            sandbox_created = true;
          }
          acted = true;
          break;
        }
        case PodAction::Type::kStartContainer: {
          bool init = false;
          const Object* container = FindContainer(pod, action.container_name, &init);
          if (container != nullptr) StartContainer(pod, *container, action.init, action.attempt, local, obs);
          acted = true;
          break;
        }
        case PodAction::Type::kKillContainer: {
          KillContainer(local, action.container_id, action.reason, local.grace_seconds);
          merge(milliseconds(200));
          acted = true;
          break;
        }
        case PodAction::Type::kRemoveContainer: {
          Status st = options_.runtime->Remove(action.container_id);
          if (st.ok()) local.containers.erase(action.container_id);
          else LogWarn("removing a container failed", {{"container", action.container_id}, {"error", st.ToString()}});
          acted = true;
          break;
        }
      }
    }
    if (!sandbox_created) break;
  }
  // Liveness kills in progress: SIGKILL once the grace period is over.
  for (auto it = local.kill_deadlines.begin(); it != local.kill_deadlines.end();) {
    auto c = local.containers.find(it->first);
    if (c == local.containers.end() || c->second.instance.state != ContainerState::kRunning) {
      it = local.kill_deadlines.erase(it);
      continue;
    }
    if (obs.now >= it->second) {
      Status st = options_.runtime->Kill(it->first, SIGKILL);
      if (!st.ok()) LogWarn("SIGKILL failed", {{"container", it->first}, {"error", st.ToString()}});
    }
    merge(milliseconds(200));
    ++it;
  }
  if (acted) {
    Refresh(local);
    obs = Observe(pod, local);
  }
  // configMap and secret volumes follow their objects while the pod runs.
  if (obs.sandbox_ready && !local.containers.empty() && HasProjectedVolumes(pod)) {
    ObjectLookup lookup = [this](const ObjectKey& k) { return options_.cluster->Get(k); };
    auto refreshed = volumes_.Prepare(pod, lookup);
    if (!refreshed.ok()) {
      LogWarn("refreshing volumes failed", {{"pod", key}, {"error", refreshed.status().ToString()}});
      merge(milliseconds(5000));
    }
  }
  // Probes for running containers.
  for (const auto& [id, c] : local.containers) {
    if (c.instance.state != ContainerState::kRunning) continue;
    const Object* spec = FindContainer(pod, c.instance.name, nullptr);
    if (spec != nullptr) probes_.Ensure(key, id, *spec, obs.pod_ip);
  }
  const Object& previous = pod.contains("status") ? pod["status"] : Object();
  Object status = BuildPodStatus(pod, obs, previous, host_ip_);
  if (status != previous) {
    Object update = pod;
    update["status"] = status;
    update["metadata"].erase("resourceVersion");
    auto written = options_.cluster->UpdateStatus(update);
    if (!written.ok() && written.status().code() != StatusCode::kNotFound) {
      LogWarn("writing pod status failed", {{"pod", key}, {"error", written.status().ToString()}});
      merge(milliseconds(1000));
    }
  }
  return requeue;
}

Status PodSyncer::CreateSandbox(const Object& pod, LocalPod& local) {
  std::string dir = layout_.PodDir(local.uid);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return UnavailableError("creating " + dir + ": " + ec.message());
  std::vector<PortMapping> ports;
  for (const char* list : {"spec.containers", "spec.initContainers"}) {
    const Object& containers = manifests::FieldAt(pod, list);
    if (!containers.is_array()) continue;
    for (const Object& c : containers) {
      if (!c.contains("ports") || !c["ports"].is_array()) continue;
      for (const Object& p : c["ports"]) {
        if (!p.contains("hostPort") || !p["hostPort"].is_number_integer() || p["hostPort"].get<int>() == 0) continue;
        PortMapping m;
        m.host_port = p["hostPort"].get<int>();
        m.container_port = p.value("containerPort", 0);
        std::string protocol = Str(p, "protocol");
        for (char& ch : protocol) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        m.protocol = protocol.empty() ? "tcp" : protocol;
        m.host_ip = Str(p, "hostIP");
        ports.push_back(m);
      }
    }
  }
  MOOR_ASSIGN_OR_RETURN(SandboxNetwork net, options_.network->Setup(PodLayout::SandboxId(local.uid), ports));
  const std::string hostname = PodHostname(pod);
  std::string host_resolv;
  if (auto r = ReadFileLimited("/etc/resolv.conf", 1 << 16); r.ok()) host_resolv = *r;
  // No fsync for the sandbox's files: a reboot wipes the sandbox (its netns and containers), and
  // the next one writes them anew; sandbox.json's readers skip an unreadable record.
  constexpr Durability kSandboxFile = Durability::kProcessCrash;
  MOOR_RETURN_IF_ERROR(WriteFileAtomic(dir + "/etc-hosts", PodHostsFile(pod, net.ip, hostname), 0644, kSandboxFile));
  MOOR_RETURN_IF_ERROR(WriteFileAtomic(dir + "/etc-hostname", hostname + "\n", 0644, kSandboxFile));
  MOOR_RETURN_IF_ERROR(WriteFileAtomic(
      dir + "/resolv.conf", PodResolvConf(pod, options_.cluster_dns, options_.cluster_domain, host_resolv), 0644,
      kSandboxFile));
  Object record = {{"uid", local.uid},
                   {"namespace", local.ns},
                   {"name", local.name},
                   {"sandboxId", PodLayout::SandboxId(local.uid)},
                   {"ip", net.ip},
                   {"hostname", hostname},
                   {"created", FormatRfc3339(clock_.Now())}};
  MOOR_RETURN_IF_ERROR(WriteFileAtomic(dir + "/sandbox.json", record.dump(), 0644, kSandboxFile));
  LogInfo("sandbox ready", {{"pod", local.ns + "/" + local.name}, {"ip", net.ip}});
  return Status::Ok();
}

std::vector<RegistryCredential> PodSyncer::PullCredentials(const Object& pod) {
  std::vector<RegistryCredential> creds;
  const Object& secrets = manifests::FieldAt(pod, "spec.imagePullSecrets");
  if (!secrets.is_array()) return creds;
  for (const Object& ref : secrets) {
    auto secret = options_.cluster->Get(ObjectKey{"Secret", manifests::NamespaceOf(pod), Str(ref, "name")});
    if (!secret.ok()) continue;
    auto data = ObjectDataOf(*secret);
    if (!data.ok()) continue;
    for (const char* key : {".dockerconfigjson", ".dockercfg"}) {
      auto it = data->find(key);
      if (it == data->end()) continue;
      for (RegistryCredential& c : CredentialsFromDockerConfig(Object::parse(it->second, nullptr, false))) {
        creds.push_back(std::move(c));
      }
    }
  }
  return creds;
}

void PodSyncer::StartContainer(const Object& pod, const Object& container, bool init, int attempt, LocalPod& local,
                               const PodObservation& obs) {
  std::string name = Str(container, "name");
  std::string image_ref = Str(container, "image");
  std::string field_path = std::string(init ? "spec.initContainers{" : "spec.containers{") + name + "}";
  auto fail = [&](const std::string& reason, const std::string& message) {
    StartFailure& f = local.failures[name];
    f.reason = reason;
    f.message = message;
    ++f.failures;
    f.retry_at = clock_.Now() + RetryDelay(f.failures);
    RecordEvent(pod, "Warning", reason == "ErrImagePull" ? "Failed" : reason, message, field_path);
    LogWarn("container start failed", {{"pod", local.ns + "/" + local.name}, {"container", name}, {"reason", reason},
                                       {"message", message}});
  };

  // Image, per imagePullPolicy.
  std::string policy = PullPolicy(container);
  StatusOr<Image> image = NotFoundError("not looked up");
  if (policy != "Always") image = options_.images->Get(image_ref);
  if (!image.ok()) {
    if (policy == "Never") {
      return fail("ErrImageNeverPull",
                  "Container image \"" + image_ref + "\" is not present with pull policy of Never");
    }
    RecordEvent(pod, "Normal", "Pulling", "Pulling image \"" + image_ref + "\"", field_path);
    PullOptions pull;
    pull.credentials = PullCredentials(pod);
    image = options_.images->Pull(image_ref, pull);
    if (!image.ok()) {
      return fail("ErrImagePull", "failed to pull image \"" + image_ref + "\": " + image.status().message());
    }
    RecordEvent(pod, "Normal", "Pulled", "Successfully pulled image \"" + image_ref + "\"", field_path);
  }
  auto layers = options_.images->LayerPaths(*image);
  if (!layers.ok()) return fail("CreateContainerError", layers.status().message());

  PodFacts facts{obs.pod_ip, host_ip_, node_name_};
  ObjectLookup lookup = [this](const ObjectKey& key) { return options_.cluster->Get(key); };
  auto env = ResolveContainerEnv(pod, container, image->config, facts, lookup);
  if (!env.ok()) return fail("CreateContainerConfigError", env.status().message());
  auto args = ResolveContainerArgs(container, image->config, *env);
  if (!args.ok()) return fail("CreateContainerConfigError", args.status().message());
  auto volume_paths = volumes_.Prepare(pod, lookup);
  if (!volume_paths.ok()) return fail("CreateContainerConfigError", volume_paths.status().message());

  std::string dir = layout_.PodDir(local.uid);
  SandboxFacts sandbox;
  sandbox.netns_path = "";
  auto net = options_.network->Inspect(PodLayout::SandboxId(local.uid));
  if (!net.ok()) return fail("CreateContainerError", "pod sandbox is gone: " + net.status().message());
  sandbox.netns_path = net->netns_path;
  sandbox.hostname = PodHostname(pod);  // as CreateSandbox wrote it into etc-hostname
  sandbox.hosts_file = dir + "/etc-hosts";
  sandbox.hostname_file = dir + "/etc-hostname";
  sandbox.resolv_conf_file = dir + "/resolv.conf";
  auto spec = BuildContainerSpec(pod, container, image->config, *env, *args, *volume_paths, sandbox);
  if (!spec.ok()) return fail("CreateContainerConfigError", spec.status().message());
  spec->id = RandomHex(12);
  spec->rootfs_layers = *layers;
  spec->log_path = layout_.ContainerLogPath(local.ns, local.name, local.uid, name, attempt);
  std::error_code ec;
  fs::create_directories(fs::path(spec->log_path).parent_path(), ec);
  fs::remove(spec->log_path, ec);  // a half-made earlier try of the same attempt
  spec->labels = {{kLabelPodUid, local.uid},
                  {kLabelPodNamespace, local.ns},
                  {kLabelPodName, local.name},
                  {kLabelContainerName, name},
                  {kLabelAttempt, std::to_string(attempt)},
                  {kLabelInit, init ? "true" : "false"},
                  {kLabelImage, image_ref},
                  {kLabelImageId, image->id},
                  {kLabelSpecHash, ContainerSpecHash(container)}};
  // Created and started in one step (one runc process); a failure leaves nothing behind.
  Status ran = options_.runtime->Run(*spec);
  if (!ran.ok()) return fail("RunContainerError", ran.message());
  local.failures.erase(name);
  auto info = options_.runtime->Inspect(spec->id);
  LocalContainer lc;
  if (info.ok()) {
    lc = LocalContainer{InstanceOf(*info), info->pid, spec->log_path};
  } else {
    lc.instance.id = spec->id;
    lc.instance.name = name;
    lc.instance.attempt = attempt;
    lc.instance.init = init;
    lc.log_path = spec->log_path;
  }
  local.containers[spec->id] = lc;
  RecordEvent(pod, "Normal", "Started", "Started container " + name, field_path);
  LogInfo("container started", {{"pod", local.ns + "/" + local.name}, {"container", name},
                                {"attempt", std::to_string(attempt)}, {"id", spec->id}});
}

void PodSyncer::KillContainer(LocalPod& local, const std::string& id, const std::string& reason, int grace_seconds) {
  if (local.kill_deadlines.count(id)) return;
  local.kill_deadlines[id] = clock_.Now() + std::chrono::seconds(grace_seconds);
  LogInfo("killing container", {{"pod", local.ns + "/" + local.name}, {"container", id}, {"reason", reason}});
  Status st = options_.runtime->Kill(id, SIGTERM);
  if (!st.ok()) LogWarn("SIGTERM failed", {{"container", id}, {"error", st.ToString()}});
}

void PodSyncer::RecordEvent(const Object& pod, const std::string& type, const std::string& reason,
                            const std::string& message, const std::string& field_path) {
  store::EventInput event;
  event.involved = manifests::KeyOf(pod);
  event.involved_api_version = "v1";
  event.involved_uid = UidOf(pod);
  event.field_path = field_path;
  event.type = type;
  event.reason = reason;
  event.message = message;
  event.component = "moor-agent";
  Status st = options_.cluster->RecordEvent(event);
  if (!st.ok()) LogDebug("recording an event failed", {{"error", st.ToString()}});
}

StatusOr<ContainerLogRef> PodSyncer::LogFor(const std::string& ns, const std::string& pod_name,
                                            const std::string& container, bool previous) {
  MOOR_ASSIGN_OR_RETURN(Object pod, options_.cluster->Get(ObjectKey{"Pod", ns, pod_name}));
  std::string name = container;
  if (name.empty()) {
    const Object& containers = manifests::FieldAt(pod, "spec.containers");
    std::string default_container = Str(manifests::FieldAt(pod, "metadata.annotations"),
                                        "kubectl.kubernetes.io/default-container");
    if (!default_container.empty()) {
      name = default_container;
    } else if (containers.is_array() && containers.size() == 1) {
      name = Str(containers[0], "name");
    } else {
      std::string names;
      if (containers.is_array()) {
        for (const Object& c : containers) names += (names.empty() ? "" : " ") + Str(c, "name");
      }
      return InvalidArgumentError("a container name must be specified for pod " + pod_name + ", choose one of: [" +
                                  names + "]");
    }
  }
  if (FindContainer(pod, name, nullptr) == nullptr) {
    return InvalidArgumentError("container " + name + " is not valid for pod " + pod_name);
  }
  std::vector<LocalContainer> instances;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = published_.find(UidOf(pod));
    if (it != published_.end()) {
      for (const auto& c : it->second.containers) {
        if (c.instance.name == name) instances.push_back(c);
      }
    }
  }
  std::sort(instances.begin(), instances.end(),
            [](const auto& a, const auto& b) { return a.instance.attempt < b.instance.attempt; });
  const LocalContainer* chosen = nullptr;
  if (previous) {
    if (instances.size() >= 2) chosen = &instances[instances.size() - 2];
    else if (instances.size() == 1 && instances.back().instance.state == ContainerState::kExited &&
             instances.back().instance.attempt > 0) {
      chosen = nullptr;
    }
    if (chosen == nullptr) {
      return InvalidArgumentError("previous terminated container \"" + name + "\" in pod \"" + pod_name +
                                  "\" not found");
    }
  } else {
    if (instances.empty()) {
      std::string reason = "ContainerCreating";
      const Object& statuses = manifests::FieldAt(pod, "status.containerStatuses");
      if (statuses.is_array()) {
        for (const Object& s : statuses) {
          if (Str(s, "name") == name) {
            std::string r = Str(manifests::FieldAt(s, "state.waiting"), "reason");
            if (!r.empty()) reason = r;
          }
        }
      }
      return FailedPreconditionError("container \"" + name + "\" in pod \"" + pod_name +
                                     "\" is waiting to start: " + reason);
    }
    chosen = &instances.back();
  }
  ContainerLogRef ref;
  ref.path = chosen->log_path.empty()
                 ? layout_.ContainerLogPath(ns, pod_name, UidOf(pod), name, chosen->instance.attempt)
                 : chosen->log_path;
  ref.running = chosen->instance.state == ContainerState::kRunning;
  ref.container_id = chosen->instance.id;
  return ref;
}

}  // namespace moor::runtime
