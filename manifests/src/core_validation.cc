#include <arpa/inet.h>

#include <map>
#include <set>
#include <string>

#include "moor/manifests/base64.h"
#include "field_path.h"
#include "json_access.h"
#include "kind_validators.h"
#include "meta_validation.h"
#include "moor/manifests/quantity.h"
#include "name_rules.h"
#include "pod_validation.h"

namespace moor::manifests::internal {
namespace {

constexpr std::size_t kMaxDataSize = 1024 * 1024;  // ConfigMap and Secret total size

std::string Quote(const std::string& s) { return Object(s).dump(); }

bool IsIp(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

void CheckDataKeys(const Object& data, const std::string& path, Reporter& r) {
  for (auto it = data.begin(); it != data.end(); ++it) {
    auto problems = CheckConfigMapKey(it.key());
    if (!problems.empty()) r.Error(FieldKey(path, it.key()), "invalid key " + Quote(it.key()) + ": " + JoinProblems(problems));
  }
}

// Base64 values (Go []byte fields); adds the decoded size to *total.
void CheckBase64Values(const Object& data, const std::string& path, std::size_t* total, Reporter& r) {
  for (auto it = data.begin(); it != data.end(); ++it) {
    if (!it.value().is_string()) continue;
    std::size_t bad = 0;
    auto decoded = DecodeBase64(it.value().get<std::string>(), &bad);
    if (!decoded) {
      r.Error(FieldKey(path, it.key()), "illegal base64 data at input byte " + std::to_string(bad));
    } else {
      *total += decoded->size();
    }
  }
}

bool IsQuotaResourceName(const std::string& name) {
  static const std::set<std::string> kStandard = {
      "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
      "requests.storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "services",
      "replicationcontrollers", "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims",
      "services.nodeports", "services.loadbalancers"};
  if (kStandard.count(name) != 0) return true;
  if (name.rfind("hugepages-", 0) == 0 || name.rfind("requests.hugepages-", 0) == 0 ||
      name.rfind("count/", 0) == 0 || name.find('/') != std::string::npos) {
    return true;
  }
  return false;
}

}  // namespace

void ValidatePod(const Object& obj, Reporter& r) { ValidatePodSpec(SpecOf(obj), "spec", PodSpecRules{}, r); }

void ValidateService(const Object& obj, Reporter& r) {
  const Object& spec = SpecOf(obj);
  CheckEnum(spec, "type", "spec", {"ClusterIP", "NodePort", "LoadBalancer", "ExternalName"}, r);
  CheckEnum(spec, "sessionAffinity", "spec", {"ClientIP", "None"}, r);
  CheckEnum(spec, "externalTrafficPolicy", "spec", {"Cluster", "Local"}, r);
  CheckEnum(spec, "internalTrafficPolicy", "spec", {"Cluster", "Local"}, r);
  CheckEnum(spec, "ipFamilyPolicy", "spec", {"SingleStack", "PreferDualStack", "RequireDualStack"}, r);
  if (const Object* families = ArrayField(spec, "ipFamilies")) {
    for (std::size_t i = 0; i < families->size(); ++i) {
      const Object& f = (*families)[i];
      if (f.is_string() && f != "IPv4" && f != "IPv6") {
        r.Error(FieldIndex("spec.ipFamilies", i), "Unsupported value: " + f.dump() + ": supported values: \"IPv4\", \"IPv6\"");
      }
    }
  }
  std::string type = StringField(spec, "type");
  if (type.empty()) type = "ClusterIP";
  std::string cluster_ip = StringField(spec, "clusterIP");
  if (!cluster_ip.empty() && cluster_ip != "None" && !IsIp(cluster_ip)) {
    r.Error("spec.clusterIP", "invalid value " + Quote(cluster_ip) + ": must be a valid IP address or \"None\"");
  }
  if (type == "ExternalName") {
    std::string external = StringField(spec, "externalName");
    if (external.empty()) {
      r.Error("spec.externalName", "Required value: externalName is required for type ExternalName");
    } else {
      std::string trimmed = external.back() == '.' ? external.substr(0, external.size() - 1) : external;
      auto problems = CheckDns1123Subdomain(trimmed);
      if (!problems.empty()) r.Error("spec.externalName", "invalid value " + Quote(external) + ": " + JoinProblems(problems));
    }
  }
  if (HasField(spec, "externalTrafficPolicy") && type != "NodePort" && type != "LoadBalancer") {
    r.Error("spec.externalTrafficPolicy", "may only be set when `type` is 'NodePort' or 'LoadBalancer'");
  }
  if (const Object* selector = ObjectField(spec, "selector")) ValidateLabels(*selector, "spec.selector", r);

  const Object* ports = ArrayField(spec, "ports");
  if ((ports == nullptr || ports->empty()) && type != "ExternalName" && cluster_ip != "None") {
    r.Error("spec.ports", "Required value: a Service needs at least one port (unless headless or ExternalName)");
    return;
  }
  if (ports == nullptr) return;
  std::set<std::string> names;
  std::set<std::pair<std::int64_t, std::string>> port_protocols;
  for (std::size_t i = 0; i < ports->size(); ++i) {
    const Object& p = (*ports)[i];
    std::string pp = FieldIndex("spec.ports", i);
    std::string name = StringField(p, "name");
    if (name.empty()) {
      if (ports->size() > 1) r.Error(FieldKey(pp, "name"), "Required value: each port needs a name when a Service has more than one");
    } else {
      auto problems = CheckDns1123Label(name);
      if (!problems.empty()) r.Error(FieldKey(pp, "name"), "invalid name " + Quote(name) + ": " + JoinProblems(problems));
      if (!names.insert(name).second) r.Error(FieldKey(pp, "name"), "Duplicate value: " + Quote(name));
    }
    CheckEnum(p, "protocol", pp, {"TCP", "UDP", "SCTP"}, r);
    auto port = IntField(p, "port");
    if (port && (*port < 1 || *port > 65535)) {
      r.Error(FieldKey(pp, "port"), "must be between 1 and 65535, inclusive (got " + std::to_string(*port) + ")");
    }
    if (port) {
      std::string protocol = StringField(p, "protocol");
      if (protocol.empty()) protocol = "TCP";
      if (!port_protocols.emplace(*port, protocol).second) {
        r.Error(pp, "Duplicate value: port " + std::to_string(*port) + "/" + protocol);
      }
    }
    if (const Object* target = Field(p, "targetPort")) ValidatePortNumOrName(*target, FieldKey(pp, "targetPort"), true, r);
    auto node_port = IntField(p, "nodePort");
    if (node_port && *node_port != 0) {
      if (type != "NodePort" && type != "LoadBalancer") {
        r.Error(FieldKey(pp, "nodePort"), "may not be used when `type` is '" + type + "'");
      } else if (*node_port < 1 || *node_port > 65535) {
        r.Error(FieldKey(pp, "nodePort"), "must be between 1 and 65535, inclusive");
      }
    }
  }
}

void ValidateConfigMap(const Object& obj, Reporter& r) {
  std::size_t total = 0;
  const Object* data = ObjectField(obj, "data");
  const Object* binary = ObjectField(obj, "binaryData");
  if (data != nullptr) {
    CheckDataKeys(*data, "data", r);
    for (auto it = data->begin(); it != data->end(); ++it) {
      total += it.key().size();
      if (it.value().is_string()) total += it.value().get<std::string>().size();
    }
  }
  if (binary != nullptr) {
    CheckDataKeys(*binary, "binaryData", r);
    CheckBase64Values(*binary, "binaryData", &total, r);
    for (auto it = binary->begin(); it != binary->end(); ++it) {
      if (data != nullptr && data->contains(it.key())) {
        r.Error(FieldKey("binaryData", it.key()), "duplicate of key " + Quote(it.key()) + " present in data");
      }
    }
  }
  if (total > kMaxDataSize) r.Error("", "ConfigMap is too long: data must have at most 1048576 bytes");
}

void ValidateSecret(const Object& obj, Reporter& r) {
  std::size_t total = 0;
  std::set<std::string> keys;
  if (const Object* data = ObjectField(obj, "data")) {
    CheckDataKeys(*data, "data", r);
    CheckBase64Values(*data, "data", &total, r);
    for (auto it = data->begin(); it != data->end(); ++it) keys.insert(it.key());
  }
  if (const Object* string_data = ObjectField(obj, "stringData")) {
    CheckDataKeys(*string_data, "stringData", r);
    for (auto it = string_data->begin(); it != string_data->end(); ++it) {
      keys.insert(it.key());
      if (it.value().is_string()) total += it.value().get<std::string>().size();
    }
  }
  if (total > kMaxDataSize) r.Error("data", "Secret is too long: data must have at most 1048576 bytes");
  std::string type = StringField(obj, "type");
  auto require_key = [&](const std::string& key) {
    if (keys.count(key) == 0) r.Error(FieldKey("data", key), "Required value: a " + type + " Secret needs key " + Quote(key));
  };
  if (type == "kubernetes.io/tls") {
    require_key("tls.crt");
    require_key("tls.key");
  } else if (type == "kubernetes.io/dockercfg") {
    require_key(".dockercfg");
  } else if (type == "kubernetes.io/dockerconfigjson") {
    require_key(".dockerconfigjson");
  } else if (type == "kubernetes.io/ssh-auth") {
    require_key("ssh-privatekey");
  } else if (type == "kubernetes.io/basic-auth") {
    if (keys.count("username") == 0 && keys.count("password") == 0) {
      r.Error("data", "Required value: a kubernetes.io/basic-auth Secret needs key \"username\" or \"password\"");
    }
  } else if (type == "kubernetes.io/service-account-token") {
    const Object* meta = ObjectField(obj, "metadata");
    const Object* ann = meta != nullptr ? ObjectField(*meta, "annotations") : nullptr;
    if (ann == nullptr || StringField(*ann, "kubernetes.io/service-account.name").empty()) {
      r.Error("metadata.annotations[kubernetes.io/service-account.name]",
              "Required value: a kubernetes.io/service-account-token Secret needs this annotation");
    }
  }
}

void ValidateNamespace(const Object& obj, Reporter& r) {
  const Object& spec = SpecOf(obj);
  if (const Object* finalizers = ArrayField(spec, "finalizers")) {
    for (std::size_t i = 0; i < finalizers->size(); ++i) {
      const Object& f = (*finalizers)[i];
      if (!f.is_string()) continue;
      auto problems = CheckQualifiedName(f.get<std::string>());
      if (!problems.empty()) r.Error(FieldIndex("spec.finalizers", i), "invalid finalizer " + f.dump() + ": " + JoinProblems(problems));
    }
  }
}

void ValidatePvcSpec(const Object& spec, const std::string& path, Reporter& r) {
  const Object* modes = ArrayField(spec, "accessModes");
  if (modes == nullptr || modes->empty()) {
    r.Error(FieldKey(path, "accessModes"), "Required value: at least 1 access mode is required");
  } else {
    bool once_pod = false;
    for (std::size_t i = 0; i < modes->size(); ++i) {
      const Object& m = (*modes)[i];
      if (!m.is_string()) continue;
      std::string mode = m.get<std::string>();
      if (mode == "ReadWriteOncePod") once_pod = true;
      if (mode != "ReadWriteOnce" && mode != "ReadOnlyMany" && mode != "ReadWriteMany" && mode != "ReadWriteOncePod") {
        r.Error(FieldIndex(FieldKey(path, "accessModes"), i),
                "Unsupported value: " + m.dump() +
                    ": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"");
      }
    }
    if (once_pod && modes->size() > 1) {
      r.Error(FieldKey(path, "accessModes"), "may not use ReadWriteOncePod with other access modes");
    }
  }
  CheckEnum(spec, "volumeMode", path, {"Block", "Filesystem"}, r);
  CheckDnsSubdomainField(spec, "storageClassName", path, r);
  const Object* resources = ObjectField(spec, "resources");
  const Object* requests = resources != nullptr ? ObjectField(*resources, "requests") : nullptr;
  const Object* storage = requests != nullptr ? Field(*requests, "storage") : nullptr;
  std::string rp = FieldKey(FieldKey(FieldKey(path, "resources"), "requests"), "storage");
  if (storage == nullptr) {
    r.Error(rp, "Required value: a claim needs resources.requests.storage");
  } else if (auto q = Quantity::FromJson(*storage); q.ok() && (q->IsZero() || q->IsNegative())) {
    r.Error(rp, "must be greater than zero");
  }
}

void ValidatePersistentVolumeClaim(const Object& obj, Reporter& r) { ValidatePvcSpec(SpecOf(obj), "spec", r); }

void ValidateResourceQuota(const Object& obj, Reporter& r) {
  const Object& spec = SpecOf(obj);
  if (const Object* hard = ObjectField(spec, "hard")) {
    for (auto it = hard->begin(); it != hard->end(); ++it) {
      std::string hp = FieldKey("spec.hard", it.key());
      if (!IsQuotaResourceName(it.key())) r.Error(hp, "invalid resource name " + Quote(it.key()) + ": must be a standard resource for quota");
      auto q = Quantity::FromJson(it.value());
      if (q.ok() && q->IsNegative()) r.Error(hp, "must be greater than or equal to 0");
    }
  }
  static const std::vector<std::string> kScopes = {"Terminating", "NotTerminating", "BestEffort", "NotBestEffort",
                                                   "PriorityClass", "CrossNamespacePodAffinity", "VolumeAttributesClass"};
  if (const Object* scopes = ArrayField(spec, "scopes")) {
    for (std::size_t i = 0; i < scopes->size(); ++i) {
      const Object& s = (*scopes)[i];
      if (s.is_string() && std::find(kScopes.begin(), kScopes.end(), s.get<std::string>()) == kScopes.end()) {
        r.Error(FieldIndex("spec.scopes", i), "unsupported scope " + s.dump());
      }
    }
  }
  if (const Object* ss = ObjectField(spec, "scopeSelector")) {
    if (const Object* exprs = ArrayField(*ss, "matchExpressions")) {
      for (std::size_t i = 0; i < exprs->size(); ++i) {
        std::string ep = FieldIndex("spec.scopeSelector.matchExpressions", i);
        const Object& e = (*exprs)[i];
        CheckEnum(e, "scopeName", ep, kScopes, r);
        CheckEnum(e, "operator", ep, {"In", "NotIn", "Exists", "DoesNotExist"}, r);
        std::string op = StringField(e, "operator");
        const Object* values = ArrayField(e, "values");
        bool has_values = values != nullptr && !values->empty();
        if ((op == "In" || op == "NotIn") && !has_values) {
          r.Error(FieldKey(ep, "values"), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector");
        }
        if ((op == "Exists" || op == "DoesNotExist") && has_values) {
          r.Error(FieldKey(ep, "values"), "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector");
        }
      }
    }
  }
}

void ValidateLimitRange(const Object& obj, Reporter& r) {
  const Object& spec = SpecOf(obj);
  const Object* limits = ArrayField(spec, "limits");
  if (limits == nullptr) return;
  for (std::size_t i = 0; i < limits->size(); ++i) {
    const Object& item = (*limits)[i];
    std::string ip = FieldIndex("spec.limits", i);
    CheckEnum(item, "type", ip, {"Pod", "Container", "PersistentVolumeClaim"}, r);
    std::string type = StringField(item, "type");
    if (type == "Pod") {
      for (const char* k : {"default", "defaultRequest"}) {
        if (HasField(item, k)) r.Error(FieldKey(ip, k), "may not be specified when `type` is 'Pod'");
      }
    }
    // Per resource: min <= defaultRequest <= default <= max.
    std::map<std::string, std::map<std::string, Quantity>> by_resource;
    for (const char* k : {"min", "max", "default", "defaultRequest", "maxLimitRequestRatio"}) {
      const Object* m = ObjectField(item, k);
      if (m == nullptr) continue;
      for (auto it = m->begin(); it != m->end(); ++it) {
        auto q = Quantity::FromJson(it.value());
        if (!q.ok()) continue;
        std::string fp = FieldKey(FieldKey(ip, k), it.key());
        if (q->IsNegative()) r.Error(fp, "must be greater than or equal to 0");
        if (std::string(k) == "maxLimitRequestRatio" && q->MilliValue() < 1000) {
          r.Error(fp, "ratio " + q->ToString() + " is less than 1");
        }
        by_resource[it.key()][k] = *q;
      }
    }
    for (const auto& [resource, values] : by_resource) {
      auto get = [&](const char* k) -> const Quantity* {
        auto it = values.find(k);
        return it == values.end() ? nullptr : &it->second;
      };
      auto order = [&](const char* lo, const char* hi) {
        const Quantity* a = get(lo);
        const Quantity* b = get(hi);
        if (a != nullptr && b != nullptr && *a > *b) {
          r.Error(FieldKey(FieldKey(ip, lo), resource),
                  std::string(lo) + " value " + a->ToString() + " is greater than " + hi + " value " + b->ToString());
        }
      };
      order("min", "max");
      order("min", "defaultRequest");
      order("defaultRequest", "default");
      order("default", "max");
      order("defaultRequest", "max");
    }
  }
}

}  // namespace moor::manifests::internal
