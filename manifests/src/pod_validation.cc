#include "pod_validation.h"

#include <map>
#include <set>

#include "field_path.h"
#include "json_access.h"
#include "meta_validation.h"
#include "moor/manifests/quantity.h"
#include "name_rules.h"

namespace moor::manifests::internal {
namespace {

std::string Quote(const std::string& s) { return Object(s).dump(); }

bool IsStandardContainerResource(const std::string& name) {
  return name == "cpu" || name == "memory" || name == "ephemeral-storage" || name.rfind("hugepages-", 0) == 0 ||
         name.find('/') != std::string::npos;
}

void ValidatePortNumber(const Object& parent, const char* key, const std::string& path, bool required, Reporter& r) {
  auto v = IntField(parent, key);
  if (!v) return;
  if (*v == 0 && !required) return;
  if (*v < 1 || *v > 65535) {
    r.Error(FieldKey(path, key), "must be between 1 and 65535, inclusive (got " + std::to_string(*v) + ")");
  }
}

void ValidateHandler(const Object& handler, const std::string& path, const std::vector<const char*>& kinds,
                     Reporter& r) {
  int count = 0;
  for (const char* k : kinds) count += HasField(handler, k) ? 1 : 0;
  if (count == 0) {
    r.Error(path, "must specify a handler type");
    return;
  }
  if (count > 1) r.Error(path, "may not specify more than 1 handler type");
  if (const Object* http = ObjectField(handler, "httpGet")) {
    std::string hp = FieldKey(path, "httpGet");
    if (const Object* port = Field(*http, "port")) ValidatePortNumOrName(*port, FieldKey(hp, "port"), true, r);
    CheckEnum(*http, "scheme", hp, {"HTTP", "HTTPS"}, r);
  }
  if (const Object* tcp = ObjectField(handler, "tcpSocket")) {
    std::string tp = FieldKey(path, "tcpSocket");
    if (const Object* port = Field(*tcp, "port")) ValidatePortNumOrName(*port, FieldKey(tp, "port"), true, r);
  }
  if (const Object* grpc = ObjectField(handler, "grpc")) {
    ValidatePortNumber(*grpc, "port", FieldKey(path, "grpc"), true, r);
  }
}

void ValidateProbe(const Object& probe, const std::string& path, bool success_must_be_one, Reporter& r) {
  ValidateHandler(probe, path, {"exec", "httpGet", "tcpSocket", "grpc"}, r);
  for (const char* k : {"initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
                        "failureThreshold", "terminationGracePeriodSeconds"}) {
    CheckNonNegative(probe, k, path, r);
  }
  auto success = IntField(probe, "successThreshold");
  if (success_must_be_one && success && *success != 1) r.Error(FieldKey(path, "successThreshold"), "must be 1");
}

void ValidateEnv(const Object& env, const std::string& path, Reporter& r) {
  for (std::size_t i = 0; i < env.size(); ++i) {
    const Object& e = env[i];
    std::string ep = FieldIndex(path, i);
    std::string name = StringField(e, "name");
    if (!name.empty()) {
      auto problems = CheckEnvVarName(name);
      if (!problems.empty()) r.Error(FieldKey(ep, "name"), "invalid value " + Quote(name) + ": " + JoinProblems(problems));
    }
    const Object* from = ObjectField(e, "valueFrom");
    if (from == nullptr) continue;
    std::string fp = FieldKey(ep, "valueFrom");
    if (!StringField(e, "value").empty()) r.Error(fp, "may not be specified when `value` is not empty");
    int sources = 0;
    for (const char* k : {"fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef"}) {
      sources += HasField(*from, k) ? 1 : 0;
    }
    if (sources == 0) {
      r.Error(fp, "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`");
    } else if (sources > 1) {
      r.Error(fp, "may not have more than one field specified at a time");
    }
  }
}

void ValidateContainer(const Object& c, const std::string& path, bool init, const std::set<std::string>& volumes,
                       Reporter& r) {
  std::string name = StringField(c, "name");
  if (!name.empty()) {
    auto problems = CheckDns1123Label(name);
    if (!problems.empty()) r.Error(FieldKey(path, "name"), "invalid name " + Quote(name) + ": " + JoinProblems(problems));
  }
  if (StringField(c, "image").empty()) r.Error(FieldKey(path, "image"), "image is required");
  CheckEnum(c, "imagePullPolicy", path, {"Always", "IfNotPresent", "Never"}, r);
  CheckEnum(c, "terminationMessagePolicy", path, {"File", "FallbackToLogsOnError"}, r);
  if (init) {
    CheckEnum(c, "restartPolicy", path, {"Always"}, r);
  } else if (HasField(c, "restartPolicy")) {
    r.Error(FieldKey(path, "restartPolicy"), "may not be set for non-init containers");
  }
  if (const Object* ports = ArrayField(c, "ports")) {
    std::set<std::string> port_names;
    std::string pp = FieldKey(path, "ports");
    for (std::size_t i = 0; i < ports->size(); ++i) {
      const Object& p = (*ports)[i];
      std::string ip = FieldIndex(pp, i);
      ValidatePortNumber(p, "containerPort", ip, true, r);
      ValidatePortNumber(p, "hostPort", ip, false, r);
      CheckEnum(p, "protocol", ip, {"TCP", "UDP", "SCTP"}, r);
      std::string pname = StringField(p, "name");
      if (!pname.empty()) {
        auto problems = CheckPortName(pname);
        if (!problems.empty()) r.Error(FieldKey(ip, "name"), "invalid port name " + Quote(pname) + ": " + JoinProblems(problems));
        if (!port_names.insert(pname).second) r.Error(FieldKey(ip, "name"), "Duplicate value: " + Quote(pname));
      }
    }
  }
  if (const Object* env = ArrayField(c, "env")) ValidateEnv(*env, FieldKey(path, "env"), r);
  if (const Object* mounts = ArrayField(c, "volumeMounts")) {
    std::set<std::string> paths;
    std::string mp = FieldKey(path, "volumeMounts");
    for (std::size_t i = 0; i < mounts->size(); ++i) {
      const Object& m = (*mounts)[i];
      std::string ip = FieldIndex(mp, i);
      std::string vname = StringField(m, "name");
      if (!vname.empty() && volumes.count(vname) == 0) {
        r.Error(FieldKey(ip, "name"), "volume " + Quote(vname) + " not found in the pod's volumes");
      }
      std::string mount_path = StringField(m, "mountPath");
      if (!mount_path.empty() && !paths.insert(mount_path).second) {
        r.Error(FieldKey(ip, "mountPath"), "must be unique (" + Quote(mount_path) + " is mounted twice)");
      }
    }
  }
  if (const Object* res = ObjectField(c, "resources")) ValidateResourceRequirements(*res, FieldKey(path, "resources"), r);
  if (const Object* p = ObjectField(c, "livenessProbe")) ValidateProbe(*p, FieldKey(path, "livenessProbe"), true, r);
  if (const Object* p = ObjectField(c, "readinessProbe")) ValidateProbe(*p, FieldKey(path, "readinessProbe"), false, r);
  if (const Object* p = ObjectField(c, "startupProbe")) ValidateProbe(*p, FieldKey(path, "startupProbe"), true, r);
  if (const Object* lc = ObjectField(c, "lifecycle")) {
    std::string lp = FieldKey(path, "lifecycle");
    for (const char* hook : {"postStart", "preStop"}) {
      if (const Object* h = ObjectField(*lc, hook)) ValidateHandler(*h, FieldKey(lp, hook), {"exec", "httpGet", "tcpSocket", "sleep"}, r);
    }
  }
  if (const Object* rp = ArrayField(c, "resizePolicy")) {
    for (std::size_t i = 0; i < rp->size(); ++i) {
      std::string ip = FieldIndex(FieldKey(path, "resizePolicy"), i);
      CheckEnum((*rp)[i], "resourceName", ip, {"cpu", "memory"}, r);
      CheckEnum((*rp)[i], "restartPolicy", ip, {"NotRequired", "RestartContainer"}, r);
    }
  }
}

void ValidateVolumes(const Object& volumes, const std::string& path, std::set<std::string>* names, Reporter& r) {
  for (std::size_t i = 0; i < volumes.size(); ++i) {
    const Object& v = volumes[i];
    if (!v.is_object()) continue;
    std::string vp = FieldIndex(path, i);
    std::string name = StringField(v, "name");
    if (!name.empty()) {
      auto problems = CheckDns1123Label(name);
      if (!problems.empty()) r.Error(FieldKey(vp, "name"), "invalid name " + Quote(name) + ": " + JoinProblems(problems));
      if (!names->insert(name).second) r.Error(FieldKey(vp, "name"), "Duplicate value: " + Quote(name));
    }
    int sources = 0;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (it.key() != "name" && !it.value().is_null()) ++sources;
    }
    if (sources > 1) r.Error(vp, "may not specify more than 1 volume type");
    for (const char* src : {"configMap", "secret", "downwardAPI", "projected"}) {
      if (const Object* s = ObjectField(v, src)) {
        auto mode = IntField(*s, "defaultMode");
        if (mode && (*mode < 0 || *mode > 0777)) {
          r.Error(FieldKey(FieldKey(vp, src), "defaultMode"), "must be a number between 0 and 0777 (octal), both inclusive");
        }
      }
    }
  }
}

}  // namespace

void ValidatePortNumOrName(const Object& port, const std::string& path, bool allow_name, Reporter& r) {
  if (port.is_number_integer()) {
    auto v = port.get<std::int64_t>();
    if (v < 1 || v > 65535) r.Error(path, "must be between 1 and 65535, inclusive (got " + std::to_string(v) + ")");
  } else if (port.is_string() && allow_name) {
    std::string name = port.get<std::string>();
    auto problems = CheckPortName(name);
    if (!problems.empty()) r.Error(path, "invalid port name " + Quote(name) + ": " + JoinProblems(problems));
  }
}

void ValidateResourceRequirements(const Object& resources, const std::string& path, Reporter& r) {
  std::map<std::string, Quantity> limits;
  for (const char* section : {"limits", "requests"}) {
    const Object* m = ObjectField(resources, section);
    if (m == nullptr) continue;
    std::string sp = FieldKey(path, section);
    for (auto it = m->begin(); it != m->end(); ++it) {
      std::string rp = FieldKey(sp, it.key());
      if (!IsStandardContainerResource(it.key())) {
        r.Error(rp, "invalid resource name " + Quote(it.key()) + ": must be a standard resource type or fully qualified");
      }
      auto q = Quantity::FromJson(it.value());
      if (!q.ok()) continue;  // reported by the schema check
      if (q->IsNegative()) {
        r.Error(rp, "must be greater than or equal to 0");
        continue;
      }
      if (std::string(section) == "limits") {
        limits.emplace(it.key(), *q);
      } else if (auto l = limits.find(it.key()); l != limits.end() && *q > l->second) {
        r.Error(rp, "request " + q->ToString() + " must be less than or equal to " + it.key() + " limit of " +
                        l->second.ToString());
      }
    }
  }
}

void ValidatePodSpec(const Object& spec, const std::string& path, const PodSpecRules& rules, Reporter& r) {
  std::set<std::string> volume_names(rules.extra_volumes.begin(), rules.extra_volumes.end());
  if (const Object* volumes = ArrayField(spec, "volumes")) ValidateVolumes(*volumes, FieldKey(path, "volumes"), &volume_names, r);

  const Object* containers = ArrayField(spec, "containers");
  if (containers == nullptr || containers->empty()) {
    r.Error(FieldKey(path, "containers"), "must have at least one container");
  }
  std::set<std::string> names;
  for (const char* list : {"initContainers", "containers", "ephemeralContainers"}) {
    const Object* cs = ArrayField(spec, list);
    if (cs == nullptr) continue;
    std::string lp = FieldKey(path, list);
    for (std::size_t i = 0; i < cs->size(); ++i) {
      const Object& c = (*cs)[i];
      if (!c.is_object()) continue;
      std::string cp = FieldIndex(lp, i);
      std::string name = StringField(c, "name");
      if (!name.empty() && !names.insert(name).second) r.Error(FieldKey(cp, "name"), "Duplicate value: " + Quote(name));
      if (std::string(list) == "ephemeralContainers") continue;
      ValidateContainer(c, cp, std::string(list) == "initContainers", volume_names, r);
    }
  }

  std::string restart = StringField(spec, "restartPolicy");
  if (restart.empty() && rules.restart_policy_required) {
    std::string list;
    for (const std::string& a : rules.restart_policies) list += (list.empty() ? "" : ", ") + Quote(a);
    r.Error(FieldKey(path, "restartPolicy"), "Required value: valid values: " + list);
  } else {
    CheckEnum(spec, "restartPolicy", path, rules.restart_policies, r);
  }
  CheckEnum(spec, "dnsPolicy", path, {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"}, r);
  CheckDnsLabelField(spec, "hostname", path, r);
  CheckDnsLabelField(spec, "subdomain", path, r);
  CheckDnsSubdomainField(spec, "serviceAccountName", path, r);
  auto deadline = IntField(spec, "activeDeadlineSeconds");
  if (deadline && *deadline < 1) r.Error(FieldKey(path, "activeDeadlineSeconds"), "must be greater than or equal to 1");
  CheckNonNegative(spec, "terminationGracePeriodSeconds", path, r);
  if (const Object* ns = ObjectField(spec, "nodeSelector")) ValidateLabels(*ns, FieldKey(path, "nodeSelector"), r);
  if (const Object* tolerations = ArrayField(spec, "tolerations")) {
    for (std::size_t i = 0; i < tolerations->size(); ++i) {
      const Object& t = (*tolerations)[i];
      std::string tp = FieldIndex(FieldKey(path, "tolerations"), i);
      CheckEnum(t, "operator", tp, {"Exists", "Equal"}, r);
      CheckEnum(t, "effect", tp, {"NoSchedule", "PreferNoSchedule", "NoExecute"}, r);
      if (StringField(t, "operator") == "Exists" && !StringField(t, "value").empty()) {
        r.Error(FieldKey(tp, "operator"), "value must be empty when `operator` is 'Exists'");
      }
    }
  }
  if (const Object* tsc = ArrayField(spec, "topologySpreadConstraints")) {
    for (std::size_t i = 0; i < tsc->size(); ++i) {
      const Object& t = (*tsc)[i];
      std::string tp = FieldIndex(FieldKey(path, "topologySpreadConstraints"), i);
      auto skew = IntField(t, "maxSkew");
      if (skew && *skew <= 0) r.Error(FieldKey(tp, "maxSkew"), "must be greater than zero");
      CheckEnum(t, "whenUnsatisfiable", tp, {"DoNotSchedule", "ScheduleAnyway"}, r);
      if (const Object* sel = ObjectField(t, "labelSelector")) ValidateLabelSelector(*sel, FieldKey(tp, "labelSelector"), r);
    }
  }
  if (const Object* res = ObjectField(spec, "resources")) ValidateResourceRequirements(*res, FieldKey(path, "resources"), r);
}

void ValidatePodTemplate(const Object& tmpl, const std::string& path, const PodSpecRules& rules, Reporter& r) {
  if (const Object* meta = ObjectField(tmpl, "metadata")) {
    std::string mp = FieldKey(path, "metadata");
    if (const Object* labels = ObjectField(*meta, "labels")) ValidateLabels(*labels, FieldKey(mp, "labels"), r);
    if (const Object* ann = ObjectField(*meta, "annotations")) ValidateAnnotations(*ann, FieldKey(mp, "annotations"), r);
  }
  const Object* spec = ObjectField(tmpl, "spec");
  static const Object kEmpty = Object::object();
  ValidatePodSpec(spec != nullptr ? *spec : kEmpty, FieldKey(path, "spec"), rules, r);
}

}  // namespace moor::manifests::internal
