#include <string>

#include "field_path.h"
#include "json_access.h"
#include "kind_validators.h"
#include "meta_validation.h"

namespace moor::manifests::internal {
namespace {

void ValidateTarget(const Object& target, const std::string& path, Reporter& r) {
  CheckEnum(target, "type", path, {"Utilization", "Value", "AverageValue"}, r);
  std::string type = StringField(target, "type");
  if (type == "Utilization" && !HasField(target, "averageUtilization")) {
    r.Error(FieldKey(path, "averageUtilization"), "Required value: must set averageUtilization when type is Utilization");
  }
  if (type == "Value" && !HasField(target, "value")) {
    r.Error(FieldKey(path, "value"), "Required value: must set value when type is Value");
  }
  if (type == "AverageValue" && !HasField(target, "averageValue")) {
    r.Error(FieldKey(path, "averageValue"), "Required value: must set averageValue when type is AverageValue");
  }
  auto util = IntField(target, "averageUtilization");
  if (util && *util <= 0) r.Error(FieldKey(path, "averageUtilization"), "must be greater than 0");
}

void ValidateMetrics(const Object& metrics, Reporter& r) {
  struct Source {
    const char* type;
    const char* field;
  };
  static const Source kSources[] = {{"Object", "object"}, {"Pods", "pods"}, {"Resource", "resource"},
                                    {"ContainerResource", "containerResource"}, {"External", "external"}};
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    const Object& m = metrics[i];
    std::string mp = FieldIndex("spec.metrics", i);
    std::string type = StringField(m, "type");
    const char* expected = nullptr;
    for (const Source& s : kSources) {
      if (type == s.type) expected = s.field;
    }
    if (expected == nullptr) {
      r.Error(FieldKey(mp, "type"), "Unsupported value: " + Object(type).dump() +
                                        ": supported values: \"ContainerResource\", \"External\", \"Object\", \"Pods\", \"Resource\"");
      continue;
    }
    for (const Source& s : kSources) {
      bool has = HasField(m, s.field);
      if (s.field == std::string(expected) && !has) {
        r.Error(FieldKey(mp, s.field), "must populate information for the given metric source");
      } else if (s.field != std::string(expected) && has) {
        r.Error(FieldKey(mp, s.field), "must populate the given metric source only");
      }
    }
    if (const Object* source = ObjectField(m, expected)) {
      std::string sp = FieldKey(mp, expected);
      if (const Object* target = ObjectField(*source, "target")) ValidateTarget(*target, FieldKey(sp, "target"), r);
    }
  }
}

void ValidateBehavior(const Object& behavior, Reporter& r) {
  for (const char* dir : {"scaleUp", "scaleDown"}) {
    const Object* rules = ObjectField(behavior, dir);
    if (rules == nullptr) continue;
    std::string rp = FieldKey("spec.behavior", dir);
    CheckEnum(*rules, "selectPolicy", rp, {"Max", "Min", "Disabled"}, r);
    auto window = IntField(*rules, "stabilizationWindowSeconds");
    if (window && (*window < 0 || *window > 3600)) {
      r.Error(FieldKey(rp, "stabilizationWindowSeconds"), "must be between 0 and 3600 seconds");
    }
    if (const Object* policies = ArrayField(*rules, "policies")) {
      for (std::size_t i = 0; i < policies->size(); ++i) {
        const Object& p = (*policies)[i];
        std::string pp = FieldIndex(FieldKey(rp, "policies"), i);
        CheckEnum(p, "type", pp, {"Pods", "Percent"}, r);
        auto value = IntField(p, "value");
        if (value && *value <= 0) r.Error(FieldKey(pp, "value"), "must be greater than zero");
        auto period = IntField(p, "periodSeconds");
        if (period && (*period <= 0 || *period > 1800)) {
          r.Error(FieldKey(pp, "periodSeconds"), "must be greater than zero and less than or equal to 1800");
        }
      }
    }
  }
}

}  // namespace

void ValidateHorizontalPodAutoscaler(const Object& obj, Reporter& r) {
  const Object* spec = ObjectField(obj, "spec");
  if (spec == nullptr) return;  // "missing required field" comes from the schema
  auto min = IntField(*spec, "minReplicas");
  auto max = IntField(*spec, "maxReplicas");
  if (min && *min < 1) r.Error("spec.minReplicas", "must be greater than or equal to 1");
  if (max && *max < 1) r.Error("spec.maxReplicas", "must be greater than 0");
  if (max && *max < min.value_or(1)) r.Error("spec.maxReplicas", "must be greater than or equal to `minReplicas`");
  auto cpu = IntField(*spec, "targetCPUUtilizationPercentage");
  if (cpu && *cpu < 1) r.Error("spec.targetCPUUtilizationPercentage", "must be greater than or equal to 1");
  if (const Object* ref = ObjectField(*spec, "scaleTargetRef")) {
    CheckDnsSubdomainField(*ref, "name", "spec.scaleTargetRef", r);
  }
  if (const Object* metrics = ArrayField(*spec, "metrics")) ValidateMetrics(*metrics, r);
  if (const Object* behavior = ObjectField(*spec, "behavior")) ValidateBehavior(*behavior, r);
}

}  // namespace moor::manifests::internal
