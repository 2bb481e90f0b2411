#include <climits>
#include <string>

#include "cron_schedule.h"
#include "field_path.h"
#include "json_access.h"
#include "kind_validators.h"
#include "meta_validation.h"
#include "moor/manifests/selector.h"
#include "pod_validation.h"

namespace moor::manifests::internal {
namespace {


Labels TemplateLabels(const Object& tmpl) {
  Labels out;
  const Object* meta = ObjectField(tmpl, "metadata");
  const Object* labels = meta != nullptr ? ObjectField(*meta, "labels") : nullptr;
  if (labels == nullptr) return out;
  for (auto it = labels->begin(); it != labels->end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

// selector set, non-empty, and matching spec.template.metadata.labels.
void ValidateSelectorAndTemplate(const Object& spec, const std::string& path, const char* kind_lower, Reporter& r) {
  const Object* selector = ObjectField(spec, "selector");
  if (selector == nullptr) return;  // "missing required field" comes from the schema
  std::string sp = FieldKey(path, "selector");
  ValidateLabelSelector(*selector, sp, r);
  auto parsed = LabelSelector::FromObject(*selector);
  if (!parsed.ok()) return;
  if (parsed->Empty()) {
    r.Error(sp, std::string("empty selector is invalid for ") + kind_lower);
    return;
  }
  const Object* tmpl = ObjectField(spec, "template");
  if (tmpl != nullptr && !parsed->Matches(TemplateLabels(*tmpl))) {
    r.Error(FieldKey(FieldKey(FieldKey(path, "template"), "metadata"), "labels"), "selector does not match template labels");
  }
}

void ValidateTemplate(const Object& spec, const std::string& path, const PodSpecRules& rules, Reporter& r) {
  if (const Object* tmpl = ObjectField(spec, "template")) ValidatePodTemplate(*tmpl, FieldKey(path, "template"), rules, r);
}

PodSpecRules AlwaysRestart() {
  PodSpecRules rules;
  rules.restart_policies = {"Always"};
  return rules;
}

// An int-or-string that must be a non-negative int or a "N%" percentage (<= 100% when
// at_most_100). Returns the value as a percent/int marker for the zero checks.
bool IsZeroIntOrPercent(const Object& parent, const char* key, const std::string& path, bool at_most_100, Reporter& r) {
  const Object* v = Field(parent, key);
  if (v == nullptr) return false;
  std::string fp = FieldKey(path, key);
  if (v->is_number_integer()) {
    auto n = v->get<std::int64_t>();
    if (n < 0) r.Error(fp, "must be greater than or equal to 0");
    return n == 0;
  }
  if (!v->is_string()) return false;
  std::string s = v->get<std::string>();
  bool ok = s.size() >= 2 && s.back() == '%' && s.size() <= 12;
  for (std::size_t i = 0; ok && i + 1 < s.size(); ++i) ok = std::isdigit(static_cast<unsigned char>(s[i])) != 0;
  if (!ok) {
    r.Error(fp, "invalid value " + Object(s).dump() + ": a valid percent string must be a numeric string followed by an ending '%'");
    return false;
  }
  long pct = std::stol(s.substr(0, s.size() - 1));
  if (at_most_100 && pct > 100) r.Error(fp, "must not be greater than 100%");
  return pct == 0;
}

void ValidateRollingUpdate(const Object& ru, const std::string& path, Reporter& r) {
  // Deployments default an unset maxSurge to 25%, so only an explicit 0 conflicts.
  bool unavailable_zero = IsZeroIntOrPercent(ru, "maxUnavailable", path, true, r);
  bool surge_zero = IsZeroIntOrPercent(ru, "maxSurge", path, false, r);
  if (unavailable_zero && surge_zero) r.Error(FieldKey(path, "maxUnavailable"), "may not be 0 when `maxSurge` is 0");
}

void ValidateJobSpec(const Object& spec, const std::string& path, Reporter& r) {
  for (const char* k : {"parallelism", "completions", "backoffLimit", "ttlSecondsAfterFinished", "backoffLimitPerIndex",
                        "maxFailedIndexes"}) {
    CheckNonNegative(spec, k, path, r);
  }
  auto deadline = IntField(spec, "activeDeadlineSeconds");
  if (deadline && *deadline <= 0) r.Error(FieldKey(path, "activeDeadlineSeconds"), "must be greater than 0");
  CheckEnum(spec, "completionMode", path, {"NonIndexed", "Indexed"}, r);
  CheckEnum(spec, "podReplacementPolicy", path, {"TerminatingOrFailed", "Failed"}, r);
  bool indexed = StringField(spec, "completionMode") == "Indexed";
  if (indexed && !HasField(spec, "completions")) {
    r.Error(FieldKey(path, "completions"), "Required value: when completion mode is Indexed");
  }
  if (!indexed) {
    for (const char* k : {"backoffLimitPerIndex", "maxFailedIndexes", "successPolicy"}) {
      if (HasField(spec, k)) r.Error(FieldKey(path, k), "requires indexed completion mode");
    }
  }
  PodSpecRules rules;
  rules.restart_policies = {"OnFailure", "Never"};
  rules.restart_policy_required = true;
  ValidateTemplate(spec, path, rules, r);
  const Object* tmpl = ObjectField(spec, "template");
  const Object* pod_spec = tmpl != nullptr ? ObjectField(*tmpl, "spec") : nullptr;
  std::string restart = pod_spec != nullptr ? StringField(*pod_spec, "restartPolicy") : "";
  if (HasField(spec, "podFailurePolicy") && !restart.empty() && restart != "Never") {
    r.Error(FieldKey(FieldKey(FieldKey(path, "template"), "spec"), "restartPolicy"),
            "only \"Never\" is supported when podFailurePolicy is specified");
  }
  if (const Object* selector = ObjectField(spec, "selector")) {
    if (BoolField(spec, "manualSelector")) {
      ValidateSelectorAndTemplate(spec, path, "job", r);
    } else if (selector != nullptr) {
      r.Error(FieldKey(path, "selector"), "`selector` not auto-generated (set `manualSelector: true` to choose it)");
    }
  }
}

}  // namespace

void ValidateDeployment(const Object& obj, Reporter& r) {
  const Object& spec = SpecOf(obj);
  CheckNonNegative(spec, "replicas", "spec", r);
  CheckNonNegative(spec, "minReadySeconds", "spec", r);
  CheckNonNegative(spec, "revisionHistoryLimit", "spec", r);
  ValidateSelectorAndTemplate(spec, "spec", "deployment", r);
  ValidateTemplate(spec, "spec", AlwaysRestart(), r);
  if (const Object* strategy = ObjectField(spec, "strategy")) {
    CheckEnum(*strategy, "type", "spec.strategy", {"Recreate", "RollingUpdate"}, r);
    const Object* ru = ObjectField(*strategy, "rollingUpdate");
    if (StringField(*strategy, "type") == "Recreate" && ru != nullptr) {
      r.Error("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'");
    } else if (ru != nullptr) {
      ValidateRollingUpdate(*ru, "spec.strategy.rollingUpdate", r);
    }
  }
  auto deadline = IntField(spec, "progressDeadlineSeconds");
  auto min_ready = IntField(spec, "minReadySeconds").value_or(0);
  if (deadline && *deadline <= min_ready) {
    r.Error("spec.progressDeadlineSeconds", "must be greater than minReadySeconds");
  }
}

void ValidateReplicaSet(const Object& obj, Reporter& r) {
  const Object& spec = SpecOf(obj);
  CheckNonNegative(spec, "replicas", "spec", r);
  CheckNonNegative(spec, "minReadySeconds", "spec", r);
  ValidateSelectorAndTemplate(spec, "spec", "replicaset", r);
  ValidateTemplate(spec, "spec", AlwaysRestart(), r);
}

void ValidateDaemonSet(const Object& obj, Reporter& r) {
  const Object& spec = SpecOf(obj);
  CheckNonNegative(spec, "minReadySeconds", "spec", r);
  CheckNonNegative(spec, "revisionHistoryLimit", "spec", r);
  ValidateSelectorAndTemplate(spec, "spec", "daemonset", r);
  ValidateTemplate(spec, "spec", AlwaysRestart(), r);
  if (const Object* strategy = ObjectField(spec, "updateStrategy")) {
    CheckEnum(*strategy, "type", "spec.updateStrategy", {"RollingUpdate", "OnDelete"}, r);
    if (const Object* ru = ObjectField(*strategy, "rollingUpdate")) {
      std::string path = "spec.updateStrategy.rollingUpdate";
      bool unavailable_zero = IsZeroIntOrPercent(*ru, "maxUnavailable", path, true, r);
      bool surge_zero = IsZeroIntOrPercent(*ru, "maxSurge", path, true, r);
      if (unavailable_zero && (surge_zero || !HasField(*ru, "maxSurge"))) {
        r.Error(FieldKey(path, "maxUnavailable"), "may not be 0 when `maxSurge` is 0");
      }
    }
  }
}

void ValidateStatefulSet(const Object& obj, Reporter& r) {
  const Object& spec = SpecOf(obj);
  CheckNonNegative(spec, "replicas", "spec", r);
  CheckNonNegative(spec, "minReadySeconds", "spec", r);
  CheckNonNegative(spec, "revisionHistoryLimit", "spec", r);
  CheckEnum(spec, "podManagementPolicy", "spec", {"OrderedReady", "Parallel"}, r);
  ValidateSelectorAndTemplate(spec, "spec", "statefulset", r);
  PodSpecRules rules = AlwaysRestart();
  if (const Object* vcts = ArrayField(spec, "volumeClaimTemplates")) {
    for (const Object& vct : *vcts) {
      const Object* meta = ObjectField(vct, "metadata");
      if (meta != nullptr && !StringField(*meta, "name").empty()) rules.extra_volumes.push_back(StringField(*meta, "name"));
    }
  }
  ValidateTemplate(spec, "spec", rules, r);
  if (const Object* strategy = ObjectField(spec, "updateStrategy")) {
    CheckEnum(*strategy, "type", "spec.updateStrategy", {"RollingUpdate", "OnDelete"}, r);
    if (const Object* ru = ObjectField(*strategy, "rollingUpdate")) {
      CheckNonNegative(*ru, "partition", "spec.updateStrategy.rollingUpdate", r);
    }
  }
  if (const Object* policy = ObjectField(spec, "persistentVolumeClaimRetentionPolicy")) {
    CheckEnum(*policy, "whenDeleted", "spec.persistentVolumeClaimRetentionPolicy", {"Retain", "Delete"}, r);
    CheckEnum(*policy, "whenScaled", "spec.persistentVolumeClaimRetentionPolicy", {"Retain", "Delete"}, r);
  }
  if (const Object* ordinals = ObjectField(spec, "ordinals")) CheckNonNegative(*ordinals, "start", "spec.ordinals", r);
  if (const Object* vcts = ArrayField(spec, "volumeClaimTemplates")) {
    for (std::size_t i = 0; i < vcts->size(); ++i) {
      std::string vp = FieldIndex("spec.volumeClaimTemplates", i);
      const Object& vct = (*vcts)[i];
      const Object* meta = ObjectField(vct, "metadata");
      if (meta == nullptr || StringField(*meta, "name").empty()) {
        r.Error(FieldKey(vp, "metadata.name"), "name is required");
      } else {
        CheckDnsSubdomainField(*meta, "name", FieldKey(vp, "metadata"), r);
      }
      const Object* pvc_spec = ObjectField(vct, "spec");
      ValidatePvcSpec(pvc_spec != nullptr ? *pvc_spec : EmptyObject(), FieldKey(vp, "spec"), r);
    }
  }
}

void ValidateJob(const Object& obj, Reporter& r) { ValidateJobSpec(SpecOf(obj), "spec", r); }

void ValidateCronJob(const Object& obj, Reporter& r) {
  const Object& spec = SpecOf(obj);
  std::string name = NameOf(obj);
  if (name.size() > 52) r.Error("metadata.name", "must be no more than 52 characters");
  std::string schedule = StringField(spec, "schedule");
  if (HasField(spec, "schedule")) {
    std::string problem = CheckCronSchedule(schedule);
    if (!problem.empty()) r.Error("spec.schedule", "invalid schedule " + Object(schedule).dump() + ": " + problem);
  }
  CheckEnum(spec, "concurrencyPolicy", "spec", {"Allow", "Forbid", "Replace"}, r);
  for (const char* k : {"startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"}) {
    CheckNonNegative(spec, k, "spec", r);
  }
  if (const Object* jt = ObjectField(spec, "jobTemplate")) {
    if (const Object* meta = ObjectField(*jt, "metadata")) {
      if (const Object* labels = ObjectField(*meta, "labels")) ValidateLabels(*labels, "spec.jobTemplate.metadata.labels", r);
    }
    const Object* job_spec = ObjectField(*jt, "spec");
    ValidateJobSpec(job_spec != nullptr ? *job_spec : EmptyObject(), "spec.jobTemplate.spec", r);
  }
}

}  // namespace moor::manifests::internal
