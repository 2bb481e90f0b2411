// Table printers for Job, CronJob and HorizontalPodAutoscaler (autoscaling/v1 and v2).
#include <string>

#include "table_printers.h"

namespace moor::api {
namespace {

using nlohmann::json;
using namespace table;  // NOLINT(build/namespaces)

bool ConditionTrue(const Object& obj, const std::string& type) {
  const auto& conditions = At(obj, "status.conditions");
  if (!conditions.is_array()) return false;
  for (const auto& c : conditions) {
    if (c.is_object() && c.value("type", "") == type && c.value("status", "") == "True") return true;
  }
  return false;
}

std::string JobStatus(const Object& job) {
  if (!Str(job, "metadata.deletionTimestamp").empty()) return "Terminating";
  if (ConditionTrue(job, "Failed")) return "Failed";
  if (ConditionTrue(job, "Complete")) return "Complete";
  if (ConditionTrue(job, "Suspended")) return "Suspended";
  if (ConditionTrue(job, "FailureTarget")) return "FailureTarget";
  if (ConditionTrue(job, "SuccessCriteriaMet")) return "SuccessCriteriaMet";
  return "Running";
}

std::string JobCompletions(const Object& job) {
  int64_t succeeded = Int(job, "status.succeeded");
  if (At(job, "spec.completions").is_number_integer()) {
    return std::to_string(succeeded) + "/" + std::to_string(Int(job, "spec.completions"));
  }
  int64_t parallelism = Int(job, "spec.parallelism", 0);
  if (parallelism > 1) return std::to_string(succeeded) + "/1 of " + std::to_string(parallelism);
  return std::to_string(succeeded) + "/1";
}

std::string JobDuration(const Object& job, WallTime now) {
  auto start = ParseRfc3339(Str(job, "status.startTime"));
  if (!start.ok()) return "";
  auto done = ParseRfc3339(Str(job, "status.completionTime"));
  WallTime end = done.ok() ? *done : now;
  return Duration(std::chrono::duration_cast<std::chrono::seconds>(end - *start));
}

void AddJob(PrinterMap& printers) {
  KindPrinter p;
  p.columns = {NameColumn(),
               Column("Status", "string", "Status of the job."),
               Column("Completions", "string", "The desired number of successfully finished pods the job should be "
                                               "run with."),
               Column("Duration", "string", "Time required to complete the job."),
               AgeColumn(),
               Column("Containers", "string", "Names of each container in the template.", 1),
               Column("Images", "string", "Images referenced by each container in the template.", 1),
               Column("Selector", "string", "Selector of the job.", 1)};
  p.cells = [](const Object& job, WallTime now) {
    return std::vector<json>{Str(job, "metadata.name"),
                             JobStatus(job),
                             JobCompletions(job),
                             JobDuration(job, now),
                             Age(job, now),
                             ContainerField(job, "spec.template.spec", "name"),
                             ContainerField(job, "spec.template.spec", "image"),
                             SelectorString(At(job, "spec.selector"))};
  };
  printers["Job"] = std::move(p);
}

void AddCronJob(PrinterMap& printers) {
  KindPrinter p;
  p.columns = {NameColumn(),
               Column("Schedule", "string", "The schedule in Cron format."),
               Column("Timezone", "string", "The time zone name for the given schedule."),
               Column("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions."),
               Column("Active", "integer", "A list of pointers to currently running jobs."),
               Column("Last Schedule", "string", "Information when was the last time the job was successfully "
                                                 "scheduled."),
               AgeColumn(),
               Column("Containers", "string", "Names of each container in the template.", 1),
               Column("Images", "string", "Images referenced by each container in the template.", 1),
               Column("Selector", "string", "Selector of the job.", 1)};
  p.cells = [](const Object& cj, WallTime now) {
    std::string last = Str(cj, "status.lastScheduleTime");
    std::string tz = Str(cj, "spec.timeZone");
    return std::vector<json>{Str(cj, "metadata.name"),
                             Str(cj, "spec.schedule"),
                             tz.empty() ? "<none>" : tz,
                             Bool(cj, "spec.suspend", false) ? "True" : "False",
                             static_cast<int64_t>(Size(cj, "status.active")),
                             last.empty() ? "<none>" : Since(last, now),
                             Age(cj, now),
                             ContainerField(cj, "spec.jobTemplate.spec.template.spec", "name"),
                             ContainerField(cj, "spec.jobTemplate.spec.template.spec", "image"),
                             SelectorString(At(cj, "spec.jobTemplate.spec.selector"))};
  };
  printers["CronJob"] = std::move(p);
}

// A quantity's text, or its JSON if it is a number.
std::string QuantityText(const json& q) {
  if (q.is_string()) return q.get<std::string>();
  if (q.is_number()) return q.dump();
  return "";
}

// One metric of an autoscaling/v2 HPA as kubectl prints it in TARGETS.
std::string MetricText(const json& spec, const json* status) {
  std::string type = spec.value("type", "");
  auto current_of = [&](const std::string& source, const std::string& field) -> std::string {
    if (status == nullptr || !status->is_object()) return "<unknown>";
    const json& cur = At(*status, source + ".current." + field);
    if (cur.is_null()) return "<unknown>";
    return field == "averageUtilization" ? QuantityText(cur) + "%" : QuantityText(cur);
  };
  if (type == "Resource" || type == "ContainerResource") {
    std::string source = type == "Resource" ? "resource" : "containerResource";
    const json& r = At(spec, source);
    std::string name = r.is_object() ? r.value("name", "") : "";
    const json& target = At(spec, source + ".target");
    if (target.is_object() && target.contains("averageUtilization")) {
      return name + ": " + current_of(source, "averageUtilization") + "/" +
             QuantityText(target["averageUtilization"]) + "%";
    }
    if (target.is_object() && target.contains("averageValue")) {
      return name + ": " + current_of(source, "averageValue") + "/" + QuantityText(target["averageValue"]);
    }
    return name + ": <unknown>";
  }
  std::string source = type == "Pods" ? "pods" : type == "Object" ? "object" : type == "External" ? "external" : "";
  if (source.empty()) return "<unknown metric type>";
  const json& target = At(spec, source + ".target");
  if (target.is_object() && target.contains("averageValue")) {
    std::string text = current_of(source, "averageValue") + "/" + QuantityText(target["averageValue"]);
    return type == "Pods" ? text : text + " (avg)";
  }
  if (target.is_object() && target.contains("value")) {
    return current_of(source, "value") + "/" + QuantityText(target["value"]);
  }
  return "<unknown>";
}

std::string HpaTargets(const Object& hpa) {
  if (At(hpa, "spec.targetCPUUtilizationPercentage").is_number_integer()) {  // autoscaling/v1
    const json& cur = At(hpa, "status.currentCPUUtilizationPercentage");
    std::string current = cur.is_number_integer() ? std::to_string(cur.get<int64_t>()) + "%" : "<unknown>";
    return "cpu: " + current + "/" + std::to_string(Int(hpa, "spec.targetCPUUtilizationPercentage")) + "%";
  }
  const json& metrics = At(hpa, "spec.metrics");
  if (!metrics.is_array() || metrics.empty()) {
    if (Str(hpa, "apiVersion") == "autoscaling/v1") return "cpu: <unknown>/80%";  // v1 default target
    return "<none>";
  }
  const json& statuses = At(hpa, "status.currentMetrics");
  std::string out;
  size_t shown = 0;
  for (size_t i = 0; i < metrics.size(); ++i) {
    if (shown == 3) {
      out += " + " + std::to_string(metrics.size() - 3) + " more...";
      break;
    }
    const json* status = statuses.is_array() && i < statuses.size() ? &statuses[i] : nullptr;
    out += (out.empty() ? "" : ", ") + MetricText(metrics[i], status);
    ++shown;
  }
  return out;
}

void AddHpa(PrinterMap& printers) {
  KindPrinter p;
  p.columns = {NameColumn(),
               Column("Reference", "string", "Reference to the target resource being scaled."),
               Column("Targets", "string", "The current and desired metric values."),
               Column("MinPods", "string", "Lower limit for the number of pods that can be set by the autoscaler, "
                                           "default 1."),
               Column("MaxPods", "integer", "Upper limit for the number of pods that can be set by the autoscaler."),
               Column("Replicas", "integer", "Current number of replicas of pods managed by this autoscaler."),
               AgeColumn()};
  p.cells = [](const Object& hpa, WallTime now) {
    return std::vector<json>{Str(hpa, "metadata.name"),
                             Str(hpa, "spec.scaleTargetRef.kind") + "/" + Str(hpa, "spec.scaleTargetRef.name"),
                             HpaTargets(hpa),
                             std::to_string(Int(hpa, "spec.minReplicas", 1)),
                             Int(hpa, "spec.maxReplicas"),
                             Int(hpa, "status.currentReplicas"),
                             Age(hpa, now)};
  };
  printers["HorizontalPodAutoscaler"] = std::move(p);
}

}  // namespace

void AddBatchPrinters(PrinterMap& printers) {
  AddJob(printers);
  AddCronJob(printers);
  AddHpa(printers);
}

}  // namespace moor::api
