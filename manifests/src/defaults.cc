#include <string>

#include "json_access.h"
#include "moor/manifests/kinds.h"
#include "moor/manifests/load.h"
#include "schema.h"

namespace moor::manifests {
namespace {

// Sets obj[key] = value unless the field is present (and not null). obj must be an object.
void SetDefault(Object& obj, const char* key, Object value) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) obj[key] = std::move(value);
}

// obj[key] as an object, created when missing; nullptr when present with another type.
Object* ObjectAt(Object& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    obj[key] = Object::object();
    return &obj[key];
  }
  return it->is_object() ? &*it : nullptr;
}

// obj[key] when it is an object or array already; nullptr otherwise.
Object* Existing(Object& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || !(it->is_object() || it->is_array())) return nullptr;
  return &*it;
}

// Always for ":latest" and untagged images, IfNotPresent otherwise (digests included).
std::string DefaultPullPolicy(const std::string& image) {
  if (image.find('@') != std::string::npos) return "IfNotPresent";
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return "Always";
  return image.substr(colon + 1) == "latest" ? "Always" : "IfNotPresent";
}

void DefaultHttpGet(Object& handler) {
  if (Object* http = Existing(handler, "httpGet"); http != nullptr && http->is_object()) {
    SetDefault(*http, "path", "/");
    SetDefault(*http, "scheme", "HTTP");
  }
}

void DefaultProbe(Object& probe) {
  if (!probe.is_object()) return;
  SetDefault(probe, "timeoutSeconds", 1);
  SetDefault(probe, "periodSeconds", 10);
  SetDefault(probe, "successThreshold", 1);
  SetDefault(probe, "failureThreshold", 3);
  DefaultHttpGet(probe);
}

void DefaultFieldRefs(Object& items) {
  if (!items.is_array()) return;
  for (Object& item : items) {
    if (Object* ref = Existing(item, "fieldRef"); ref != nullptr && ref->is_object()) SetDefault(*ref, "apiVersion", "v1");
  }
}

void DefaultContainer(Object& c) {
  if (!c.is_object()) return;
  SetDefault(c, "terminationMessagePath", "/dev/termination-log");
  SetDefault(c, "terminationMessagePolicy", "File");
  SetDefault(c, "imagePullPolicy", DefaultPullPolicy(internal::StringField(c, "image")));
  SetDefault(c, "resources", Object::object());
  if (Object* ports = Existing(c, "ports"); ports != nullptr && ports->is_array()) {
    for (Object& p : *ports) {
      if (p.is_object()) SetDefault(p, "protocol", "TCP");
    }
  }
  if (Object* env = Existing(c, "env"); env != nullptr && env->is_array()) {
    for (Object& e : *env) {
      Object* from = Existing(e, "valueFrom");
      Object* ref = from != nullptr ? Existing(*from, "fieldRef") : nullptr;
      if (ref != nullptr && ref->is_object()) SetDefault(*ref, "apiVersion", "v1");
    }
  }
  for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
    if (Object* p = Existing(c, probe)) DefaultProbe(*p);
  }
  if (Object* lifecycle = Existing(c, "lifecycle"); lifecycle != nullptr && lifecycle->is_object()) {
    for (const char* hook : {"postStart", "preStop"}) {
      if (Object* h = Existing(*lifecycle, hook)) DefaultHttpGet(*h);
    }
  }
}

void DefaultVolume(Object& v) {
  if (!v.is_object()) return;
  bool has_source = false;
  for (auto it = v.begin(); it != v.end(); ++it) has_source = has_source || (it.key() != "name" && !it->is_null());
  if (!has_source) v["emptyDir"] = Object::object();
  for (const char* src : {"secret", "configMap", "downwardAPI", "projected"}) {
    if (Object* s = Existing(v, src); s != nullptr && s->is_object()) SetDefault(*s, "defaultMode", 420);
  }
  if (Object* host_path = Existing(v, "hostPath"); host_path != nullptr && host_path->is_object()) {
    SetDefault(*host_path, "type", "");
  }
  if (Object* dapi = Existing(v, "downwardAPI"); dapi != nullptr) {
    if (Object* items = Existing(*dapi, "items")) DefaultFieldRefs(*items);
  }
  if (Object* projected = Existing(v, "projected"); projected != nullptr) {
    if (Object* sources = Existing(*projected, "sources"); sources != nullptr && sources->is_array()) {
      for (Object& s : *sources) {
        Object* dapi = Existing(s, "downwardAPI");
        if (Object* items = dapi != nullptr ? Existing(*dapi, "items") : nullptr) DefaultFieldRefs(*items);
        if (Object* token = Existing(s, "serviceAccountToken"); token != nullptr && token->is_object()) {
          SetDefault(*token, "expirationSeconds", 3600);
        }
      }
    }
  }
}

// SetDefaults_PodSpec. Job and CronJob templates keep restartPolicy as written: it must be
// OnFailure or Never there, and defaulting it to Always would only turn the "required"
// error into a confusing one.
void DefaultPodSpec(Object& spec, bool default_restart_policy) {
  if (!spec.is_object()) return;
  if (default_restart_policy) SetDefault(spec, "restartPolicy", "Always");
  SetDefault(spec, "dnsPolicy", "ClusterFirst");
  SetDefault(spec, "schedulerName", "default-scheduler");
  SetDefault(spec, "securityContext", Object::object());
  SetDefault(spec, "terminationGracePeriodSeconds", 30);
  for (const char* list : {"initContainers", "containers"}) {
    if (Object* cs = Existing(spec, list); cs != nullptr && cs->is_array()) {
      for (Object& c : *cs) DefaultContainer(c);
    }
  }
  if (Object* volumes = Existing(spec, "volumes"); volumes != nullptr && volumes->is_array()) {
    for (Object& v : *volumes) DefaultVolume(v);
  }
}

void DefaultPodTemplate(Object& owner_spec, bool default_restart_policy) {
  Object* tmpl = Existing(owner_spec, "template");
  if (tmpl == nullptr || !tmpl->is_object()) return;
  if (Object* spec = Existing(*tmpl, "spec")) DefaultPodSpec(*spec, default_restart_policy);
}

// SetDefaults_Pod: pod-only additions on top of the PodSpec defaults.
void DefaultPod(Object& obj) {
  Object* spec = Existing(obj, "spec");
  if (spec == nullptr || !spec->is_object()) return;
  DefaultPodSpec(*spec, true);
  SetDefault(*spec, "enableServiceLinks", true);
  bool host_network = internal::BoolField(*spec, "hostNetwork");
  for (const char* list : {"initContainers", "containers"}) {
    Object* cs = Existing(*spec, list);
    if (cs == nullptr || !cs->is_array()) continue;
    for (Object& c : *cs) {
      // Limits without requests: requests default to the limits.
      Object* resources = Existing(c, "resources");
      Object* limits = resources != nullptr ? Existing(*resources, "limits") : nullptr;
      if (limits != nullptr && limits->is_object() && !limits->empty()) {
        Object* requests = ObjectAt(*resources, "requests");
        if (requests != nullptr) {
          for (auto it = limits->begin(); it != limits->end(); ++it) SetDefault(*requests, it.key().c_str(), it.value());
        }
      }
      if (host_network) {
        if (Object* ports = Existing(c, "ports"); ports != nullptr && ports->is_array()) {
          for (Object& p : *ports) {
            if (p.is_object() && p.contains("containerPort")) SetDefault(p, "hostPort", p["containerPort"]);
          }
        }
      }
    }
  }
}

void DefaultDeployment(Object& obj) {
  Object* spec = ObjectAt(obj, "spec");
  if (spec == nullptr) return;
  SetDefault(*spec, "replicas", 1);
  Object* strategy = ObjectAt(*spec, "strategy");
  if (strategy != nullptr) {
    SetDefault(*strategy, "type", "RollingUpdate");
    if (internal::StringField(*strategy, "type") == "RollingUpdate") {
      if (Object* ru = ObjectAt(*strategy, "rollingUpdate")) {
        SetDefault(*ru, "maxUnavailable", "25%");
        SetDefault(*ru, "maxSurge", "25%");
      }
    }
  }
  SetDefault(*spec, "revisionHistoryLimit", 10);
  SetDefault(*spec, "progressDeadlineSeconds", 600);
  DefaultPodTemplate(*spec, true);
}

void DefaultReplicaSet(Object& obj) {
  Object* spec = ObjectAt(obj, "spec");
  if (spec == nullptr) return;
  SetDefault(*spec, "replicas", 1);
  DefaultPodTemplate(*spec, true);
}

void DefaultDaemonSet(Object& obj) {
  Object* spec = ObjectAt(obj, "spec");
  if (spec == nullptr) return;
  Object* strategy = ObjectAt(*spec, "updateStrategy");
  if (strategy != nullptr) {
    SetDefault(*strategy, "type", "RollingUpdate");
    if (internal::StringField(*strategy, "type") == "RollingUpdate") {
      if (Object* ru = ObjectAt(*strategy, "rollingUpdate")) {
        SetDefault(*ru, "maxUnavailable", 1);
        SetDefault(*ru, "maxSurge", 0);
      }
    }
  }
  SetDefault(*spec, "revisionHistoryLimit", 10);
  DefaultPodTemplate(*spec, true);
}

void DefaultPvcSpec(Object& spec) {
  if (spec.is_object()) SetDefault(spec, "volumeMode", "Filesystem");
}

void DefaultStatefulSet(Object& obj) {
  Object* spec = ObjectAt(obj, "spec");
  if (spec == nullptr) return;
  SetDefault(*spec, "podManagementPolicy", "OrderedReady");
  Object* strategy = ObjectAt(*spec, "updateStrategy");
  if (strategy != nullptr) {
    SetDefault(*strategy, "type", "RollingUpdate");
    if (internal::StringField(*strategy, "type") == "RollingUpdate") {
      if (Object* ru = ObjectAt(*strategy, "rollingUpdate")) SetDefault(*ru, "partition", 0);
    }
  }
  SetDefault(*spec, "replicas", 1);
  SetDefault(*spec, "revisionHistoryLimit", 10);
  if (Object* policy = ObjectAt(*spec, "persistentVolumeClaimRetentionPolicy")) {
    SetDefault(*policy, "whenDeleted", "Retain");
    SetDefault(*policy, "whenScaled", "Retain");
  }
  if (Object* vcts = Existing(*spec, "volumeClaimTemplates"); vcts != nullptr && vcts->is_array()) {
    for (Object& vct : *vcts) {
      if (!vct.is_object()) continue;
      SetDefault(vct, "apiVersion", "v1");
      SetDefault(vct, "kind", "PersistentVolumeClaim");
      if (Object* s = Existing(vct, "spec")) DefaultPvcSpec(*s);
    }
  }
  DefaultPodTemplate(*spec, true);
}

void DefaultJobSpec(Object& spec) {
  bool has_completions = internal::HasField(spec, "completions");
  bool has_parallelism = internal::HasField(spec, "parallelism");
  if (!has_completions && !has_parallelism) spec["completions"] = 1;
  SetDefault(spec, "parallelism", 1);
  SetDefault(spec, "backoffLimit", internal::HasField(spec, "backoffLimitPerIndex") ? 2147483647 : 6);
  SetDefault(spec, "completionMode", "NonIndexed");
  SetDefault(spec, "suspend", false);
  SetDefault(spec, "podReplacementPolicy", internal::HasField(spec, "podFailurePolicy") ? "Failed" : "TerminatingOrFailed");
  if (Object* pfp = Existing(spec, "podFailurePolicy"); pfp != nullptr && pfp->is_object()) {
    if (Object* rules = Existing(*pfp, "rules"); rules != nullptr && rules->is_array()) {
      for (Object& rule : *rules) {
        if (Object* conds = Existing(rule, "onPodConditions"); conds != nullptr && conds->is_array()) {
          for (Object& c : *conds) {
            if (c.is_object()) SetDefault(c, "status", "True");
          }
        }
      }
    }
  }
  DefaultPodTemplate(spec, false);
}

void DefaultJob(Object& obj) {
  Object* spec = ObjectAt(obj, "spec");
  if (spec == nullptr) return;
  DefaultJobSpec(*spec);
  // A Job without labels takes its pod template's labels.
  Object* meta = ObjectAt(obj, "metadata");
  const Object* tmpl = internal::ObjectField(*spec, "template");
  const Object* tmeta = tmpl != nullptr ? internal::ObjectField(*tmpl, "metadata") : nullptr;
  const Object* tlabels = tmeta != nullptr ? internal::ObjectField(*tmeta, "labels") : nullptr;
  if (meta != nullptr && tlabels != nullptr && !tlabels->empty()) {
    const Object* labels = internal::ObjectField(*meta, "labels");
    if (labels == nullptr || labels->empty()) (*meta)["labels"] = *tlabels;
  }
}

void DefaultCronJob(Object& obj) {
  Object* spec = ObjectAt(obj, "spec");
  if (spec == nullptr) return;
  SetDefault(*spec, "concurrencyPolicy", "Allow");
  SetDefault(*spec, "suspend", false);
  SetDefault(*spec, "successfulJobsHistoryLimit", 3);
  SetDefault(*spec, "failedJobsHistoryLimit", 1);
  Object* jt = Existing(*spec, "jobTemplate");
  Object* job_spec = jt != nullptr ? Existing(*jt, "spec") : nullptr;
  if (job_spec != nullptr) DefaultPodTemplate(*job_spec, false);
}

void DefaultService(Object& obj) {
  Object* spec = ObjectAt(obj, "spec");
  if (spec == nullptr) return;
  SetDefault(*spec, "type", "ClusterIP");
  SetDefault(*spec, "sessionAffinity", "None");
  std::string type = internal::StringField(*spec, "type");
  if (internal::StringField(*spec, "sessionAffinity") == "ClientIP") {
    if (Object* cfg = ObjectAt(*spec, "sessionAffinityConfig")) {
      if (Object* client_ip = ObjectAt(*cfg, "clientIP")) SetDefault(*client_ip, "timeoutSeconds", 10800);
    }
  }
  if (Object* ports = Existing(*spec, "ports"); ports != nullptr && ports->is_array()) {
    for (Object& p : *ports) {
      if (!p.is_object()) continue;
      SetDefault(p, "protocol", "TCP");
      const Object* target = internal::Field(p, "targetPort");
      bool unset = target == nullptr || (target->is_number_integer() && target->get<std::int64_t>() == 0) ||
                   (target->is_string() && target->get<std::string>().empty());
      if (unset && p.contains("port")) p["targetPort"] = p["port"];
    }
  }
  if (type == "NodePort" || type == "LoadBalancer") SetDefault(*spec, "externalTrafficPolicy", "Cluster");
  if (type == "LoadBalancer") SetDefault(*spec, "allocateLoadBalancerNodePorts", true);
  if (type != "ExternalName") {
    SetDefault(*spec, "internalTrafficPolicy", "Cluster");
    // Set by the service registry when it allocates the cluster IP (single-stack IPv4 here).
    SetDefault(*spec, "ipFamilyPolicy", "SingleStack");
    SetDefault(*spec, "ipFamilies", Object::array({"IPv4"}));
  }
}

void DefaultNamespace(Object& obj) {
  if (Object* spec = ObjectAt(obj, "spec")) SetDefault(*spec, "finalizers", Object::array({"kubernetes"}));
  std::string name = NameOf(obj);
  if (name.empty()) return;
  if (Object* meta = ObjectAt(obj, "metadata")) {
    if (Object* labels = ObjectAt(*meta, "labels")) SetDefault(*labels, "kubernetes.io/metadata.name", name);
  }
}

void DefaultLimitRange(Object& obj) {
  Object* spec = Existing(obj, "spec");
  Object* limits = spec != nullptr ? Existing(*spec, "limits") : nullptr;
  if (limits == nullptr || !limits->is_array()) return;
  for (Object& item : *limits) {
    if (!item.is_object() || internal::StringField(item, "type") != "Container") continue;
    auto copy_missing = [&](const char* from, const char* to) {
      const Object* src = internal::ObjectField(item, from);
      if (src == nullptr || src->empty()) return;
      Object* dst = ObjectAt(item, to);
      if (dst == nullptr) return;
      for (auto it = src->begin(); it != src->end(); ++it) SetDefault(*dst, it.key().c_str(), it.value());
    };
    copy_missing("max", "default");
    copy_missing("default", "defaultRequest");
    copy_missing("min", "defaultRequest");
  }
}

Object DefaultScaleUp() {
  return Object{{"stabilizationWindowSeconds", 0},
                {"selectPolicy", "Max"},
                {"policies", Object::array({Object{{"type", "Pods"}, {"value", 4}, {"periodSeconds", 15}},
                                            Object{{"type", "Percent"}, {"value", 100}, {"periodSeconds", 15}}})}};
}

Object DefaultScaleDown() {
  return Object{{"stabilizationWindowSeconds", 300},
                {"selectPolicy", "Max"},
                {"policies", Object::array({Object{{"type", "Percent"}, {"value", 100}, {"periodSeconds", 15}}})}};
}

void DefaultHpa(Object& obj, const std::string& api_version) {
  Object* spec = ObjectAt(obj, "spec");
  if (spec == nullptr) return;
  SetDefault(*spec, "minReplicas", 1);
  if (api_version == "autoscaling/v1") {
    // What kube-apiserver returns once the object is read back from storage (kept as v2,
    // whose default metric is 80% CPU).
    SetDefault(*spec, "targetCPUUtilizationPercentage", 80);
    return;
  }
  const Object* metrics = internal::ArrayField(*spec, "metrics");
  if (metrics == nullptr || metrics->empty()) {
    (*spec)["metrics"] = Object::array({Object{
        {"type", "Resource"},
        {"resource", Object{{"name", "cpu"}, {"target", Object{{"type", "Utilization"}, {"averageUtilization", 80}}}}}}});
  }
  Object* behavior = Existing(*spec, "behavior");
  if (behavior == nullptr || !behavior->is_object()) return;
  for (const char* dir : {"scaleUp", "scaleDown"}) {
    Object defaults = std::string(dir) == "scaleUp" ? DefaultScaleUp() : DefaultScaleDown();
    Object* rules = ObjectAt(*behavior, dir);
    if (rules == nullptr) continue;
    for (auto it = defaults.begin(); it != defaults.end(); ++it) SetDefault(*rules, it.key().c_str(), it.value());
  }
}

}  // namespace

void ApplyDefaults(Object& obj) {
  if (!obj.is_object()) return;
  std::string api_version = ApiVersionOf(obj);
  const KindInfo* kind = FindKind(api_version, KindOf(obj));
  if (kind == nullptr) return;
  const internal::Schema& schema = internal::Schema::Get();
  if (const internal::Schema::Class* root = schema.RootFor(api_version, kind->kind)) schema.Normalize(obj, *root);
  Object* meta = ObjectAt(obj, "metadata");
  if (meta != nullptr && kind->namespaced) SetDefault(*meta, "namespace", "default");
  const std::string& k = kind->kind;
  if (k == "Pod") DefaultPod(obj);
  else if (k == "Deployment") DefaultDeployment(obj);
  else if (k == "ReplicaSet") DefaultReplicaSet(obj);
  else if (k == "DaemonSet") DefaultDaemonSet(obj);
  else if (k == "StatefulSet") DefaultStatefulSet(obj);
  else if (k == "Job") DefaultJob(obj);
  else if (k == "CronJob") DefaultCronJob(obj);
  else if (k == "Service") DefaultService(obj);
  else if (k == "Secret") SetDefault(obj, "type", "Opaque");
  else if (k == "Namespace") DefaultNamespace(obj);
  else if (k == "PersistentVolumeClaim") {
    if (Object* spec = Existing(obj, "spec")) DefaultPvcSpec(*spec);
  } else if (k == "LimitRange") DefaultLimitRange(obj);
  else if (k == "HorizontalPodAutoscaler") DefaultHpa(obj, api_version);
}

}  // namespace moor::manifests
