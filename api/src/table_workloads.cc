// Table printers for Pod, Deployment, ReplicaSet, DaemonSet and StatefulSet, computing the
// cells as kube-apiserver's printers do.
#include <algorithm>
#include <string>

#include "table_printers.h"

namespace moor::api {
namespace {

using nlohmann::json;
using namespace table;  // NOLINT(build/namespaces)

std::string OrNone(const std::string& s) { return s.empty() ? "<none>" : s; }

bool ConditionTrue(const Object& obj, const std::string& type) {
  const auto& conditions = At(obj, "status.conditions");
  if (!conditions.is_array()) return false;
  for (const auto& c : conditions) {
    if (c.is_object() && c.value("type", "") == type) return c.value("status", "") == "True";
  }
  return false;
}

// The "reason" text of a terminated container without a reason: "Signal:9" / "ExitCode:1".
std::string TerminatedText(const Object& terminated) {
  int64_t signal = Int(terminated, "signal");
  return signal != 0 ? "Signal:" + std::to_string(signal) : "ExitCode:" + std::to_string(Int(terminated, "exitCode"));
}

bool IsRestartableInit(const Object& pod, const std::string& name) {
  const auto& init = At(pod, "spec.initContainers");
  if (!init.is_array()) return false;
  for (const auto& c : init) {
    if (c.is_object() && c.value("name", "") == name) return Str(c, "restartPolicy") == "Always";
  }
  return false;
}

// Cells READY, STATUS and RESTARTS of a pod, computed as kubectl's printPod does
// (pkg/printers/internalversion, Kubernetes 1.32), sidecar init containers included.
struct PodSummary {
  std::string ready;
  std::string status;
  std::string restarts;
};

PodSummary SummarizePod(const Object& pod, WallTime now) {
  int64_t restarts = 0;
  int64_t sidecar_restarts = 0;
  size_t total = Size(pod, "spec.containers");
  size_t ready = 0;
  std::string last_restart;  // RFC 3339 UTC timestamps sort as text
  std::string last_sidecar_restart;

  std::string phase = Str(pod, "status.phase");
  if (phase.empty()) phase = "Pending";  // kube-apiserver sets it at creation
  std::string reason = phase;
  if (!Str(pod, "status.reason").empty()) reason = Str(pod, "status.reason");
  const auto& conditions = At(pod, "status.conditions");
  if (conditions.is_array()) {
    for (const auto& c : conditions) {
      if (Str(c, "type") == "PodScheduled" && Str(c, "reason") == "SchedulingGated") reason = "SchedulingGated";
    }
  }
  const auto& init_specs = At(pod, "spec.initContainers");
  if (init_specs.is_array()) {
    for (const auto& c : init_specs) {
      if (c.is_object() && Str(c, "restartPolicy") == "Always") ++total;
    }
  }

  bool initializing = false;
  const auto& init_statuses = At(pod, "status.initContainerStatuses");
  size_t init_total = Size(pod, "spec.initContainers");
  if (init_statuses.is_array()) {
    for (size_t i = 0; i < init_statuses.size(); ++i) {
      const Object& cs = init_statuses[i];
      bool sidecar = IsRestartableInit(pod, Str(cs, "name"));
      restarts += Int(cs, "restartCount");
      std::string finished = Str(cs, "lastState.terminated.finishedAt");
      last_restart = std::max(last_restart, finished);
      if (sidecar) {
        sidecar_restarts += Int(cs, "restartCount");
        last_sidecar_restart = std::max(last_sidecar_restart, finished);
      }
      const Object& terminated = At(cs, "state.terminated");
      const Object& waiting = At(cs, "state.waiting");
      if (terminated.is_object() && Int(terminated, "exitCode") == 0) continue;
      if (sidecar && Bool(cs, "started")) {
        if (Bool(cs, "ready")) ++ready;
        continue;
      }
      if (terminated.is_object()) {
        reason = Str(terminated, "reason").empty() ? "Init:" + TerminatedText(terminated)
                                                   : "Init:" + Str(terminated, "reason");
      } else if (waiting.is_object() && !Str(waiting, "reason").empty() && Str(waiting, "reason") != "PodInitializing") {
        reason = "Init:" + Str(waiting, "reason");
      } else {
        reason = "Init:" + std::to_string(i) + "/" + std::to_string(init_total);
      }
      initializing = true;
      break;
    }
  }

  if (!initializing || ConditionTrue(pod, "Initialized")) {
    restarts = sidecar_restarts;
    last_restart = last_sidecar_restart;
    bool has_running = false;
    const auto& statuses = At(pod, "status.containerStatuses");
    if (statuses.is_array()) {
      for (size_t k = statuses.size(); k-- > 0;) {
        const Object& cs = statuses[k];
        restarts += Int(cs, "restartCount");
        last_restart = std::max(last_restart, Str(cs, "lastState.terminated.finishedAt"));
        const Object& waiting = At(cs, "state.waiting");
        const Object& terminated = At(cs, "state.terminated");
        if (waiting.is_object() && !Str(waiting, "reason").empty()) {
          reason = Str(waiting, "reason");
        } else if (terminated.is_object() && !Str(terminated, "reason").empty()) {
          reason = Str(terminated, "reason");
        } else if (terminated.is_object()) {
          reason = TerminatedText(terminated);
        } else if (Bool(cs, "ready") && At(cs, "state.running").is_object()) {
          has_running = true;
          ++ready;
        }
      }
    }
    // A pod with a container still running is not "Completed".
    if (reason == "Completed" && has_running) reason = ConditionTrue(pod, "Ready") ? "Running" : "NotReady";
  }

  if (!Str(pod, "metadata.deletionTimestamp").empty()) {
    if (Str(pod, "status.reason") == "NodeLost") {
      reason = "Unknown";
    } else if (phase != "Succeeded" && phase != "Failed") {
      reason = "Terminating";
    }
  }

  PodSummary out;
  out.ready = std::to_string(ready) + "/" + std::to_string(total);
  out.status = reason;
  out.restarts = std::to_string(restarts);
  if (restarts != 0 && !last_restart.empty()) out.restarts += " (" + Since(last_restart, now) + " ago)";
  return out;
}

// status.podIPs[0].ip (what kubectl shows), else status.podIP.
std::string PodIP(const Object& pod) {
  const auto& ips = At(pod, "status.podIPs");
  if (ips.is_array() && !ips.empty() && !Str(ips[0], "ip").empty()) return Str(ips[0], "ip");
  return Str(pod, "status.podIP");
}

void AddPod(PrinterMap& printers) {
  KindPrinter p;
  p.columns = {NameColumn(),
               Column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
               Column("Status", "string", "The aggregate status of the containers in this pod."),
               Column("Restarts", "string",
                      "The number of times the containers in this pod have been restarted and when the last "
                      "container in this pod has restarted."),
               AgeColumn(),
               Column("IP", "string", "IP address allocated to the pod.", 1),
               Column("Node", "string", "Name of the Node this pod is assigned to.", 1),
               Column("Nominated Node", "string", "Name of the node where the pod is nominated to run.", 1),
               Column("Readiness Gates", "string", "The readiness gates of this pod.", 1)};
  p.cells = [](const Object& pod, WallTime now) {
    std::string gates = "<none>";
    size_t gate_total = Size(pod, "spec.readinessGates");
    if (gate_total > 0) {
      size_t true_gates = 0;
      for (const auto& g : At(pod, "spec.readinessGates")) {
        if (g.is_object() && ConditionTrue(pod, g.value("conditionType", ""))) ++true_gates;
      }
      gates = std::to_string(true_gates) + "/" + std::to_string(gate_total);
    }
    PodSummary summary = SummarizePod(pod, now);
    return std::vector<json>{Str(pod, "metadata.name"),
                             summary.ready,
                             summary.status,
                             summary.restarts,
                             Age(pod, now),
                             OrNone(PodIP(pod)),
                             OrNone(Str(pod, "spec.nodeName")),
                             OrNone(Str(pod, "status.nominatedNodeName")),
                             gates};
  };
  printers["Pod"] = std::move(p);
}

std::vector<TableColumn> WideContainerColumns(bool with_selector) {
  std::vector<TableColumn> cols = {
      Column("Containers", "string", "Names of each container in the template.", 1),
      Column("Images", "string", "Images referenced by each container in the template.", 1)};
  if (with_selector) cols.push_back(Column("Selector", "string", "Label selector of the pods.", 1));
  return cols;
}

void AddDeployment(PrinterMap& printers) {
  KindPrinter p;
  p.columns = {NameColumn(),
               Column("Ready", "string", "Number of the pod with ready state"),
               Column("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment that "
                                              "have the desired template spec."),
               Column("Available", "string", "Total number of available pods (ready for at least minReadySeconds) "
                                             "targeted by this deployment."),
               AgeColumn()};
  for (auto& c : WideContainerColumns(true)) p.columns.push_back(c);
  p.cells = [](const Object& d, WallTime now) {
    int64_t desired = Int(d, "spec.replicas", 1);
    return std::vector<json>{Str(d, "metadata.name"),
                             std::to_string(Int(d, "status.readyReplicas")) + "/" + std::to_string(desired),
                             Int(d, "status.updatedReplicas"),
                             Int(d, "status.availableReplicas"),
                             Age(d, now),
                             ContainerField(d, "spec.template.spec", "name"),
                             ContainerField(d, "spec.template.spec", "image"),
                             SelectorString(At(d, "spec.selector"))};
  };
  printers["Deployment"] = std::move(p);
}

void AddReplicaSet(PrinterMap& printers) {
  KindPrinter p;
  p.columns = {NameColumn(), Column("Desired", "integer", "Number of desired pods."),
               Column("Current", "integer", "Number of actual replicas."),
               Column("Ready", "integer", "Number of ready replicas."), AgeColumn()};
  for (auto& c : WideContainerColumns(true)) p.columns.push_back(c);
  p.cells = [](const Object& rs, WallTime now) {
    return std::vector<json>{Str(rs, "metadata.name"),
                             Int(rs, "spec.replicas", 1),
                             Int(rs, "status.replicas"),
                             Int(rs, "status.readyReplicas"),
                             Age(rs, now),
                             ContainerField(rs, "spec.template.spec", "name"),
                             ContainerField(rs, "spec.template.spec", "image"),
                             SelectorString(At(rs, "spec.selector"))};
  };
  printers["ReplicaSet"] = std::move(p);
}

void AddDaemonSet(PrinterMap& printers) {
  KindPrinter p;
  p.columns = {NameColumn(),
               Column("Desired", "integer", "The total number of nodes that should be running the daemon pod."),
               Column("Current", "integer", "The number of nodes that are running at least 1 daemon pod."),
               Column("Ready", "integer", "The number of nodes that should be running the daemon pod and have one "
                                          "or more of the daemon pod running and ready."),
               Column("Up-to-date", "integer", "The total number of nodes that are running updated daemon pod"),
               Column("Available", "integer", "The number of nodes that should be running the daemon pod and have "
                                              "one or more of the daemon pod running and available."),
               Column("Node Selector", "string", "NodeSelector is a selector which must be true for the pod to fit "
                                                 "on a node."),
               AgeColumn()};
  for (auto& c : WideContainerColumns(true)) p.columns.push_back(c);
  p.cells = [](const Object& ds, WallTime now) {
    return std::vector<json>{Str(ds, "metadata.name"),
                             Int(ds, "status.desiredNumberScheduled"),
                             Int(ds, "status.currentNumberScheduled"),
                             Int(ds, "status.numberReady"),
                             Int(ds, "status.updatedNumberScheduled"),
                             Int(ds, "status.numberAvailable"),
                             MapSelectorString(At(ds, "spec.template.spec.nodeSelector")),
                             Age(ds, now),
                             ContainerField(ds, "spec.template.spec", "name"),
                             ContainerField(ds, "spec.template.spec", "image"),
                             SelectorString(At(ds, "spec.selector"))};
  };
  printers["DaemonSet"] = std::move(p);
}

void AddStatefulSet(PrinterMap& printers) {
  KindPrinter p;
  p.columns = {NameColumn(), Column("Ready", "string", "Number of the pod with ready state"), AgeColumn()};
  for (auto& c : WideContainerColumns(false)) p.columns.push_back(c);
  p.cells = [](const Object& ss, WallTime now) {
    return std::vector<json>{
        Str(ss, "metadata.name"),
        std::to_string(Int(ss, "status.readyReplicas")) + "/" + std::to_string(Int(ss, "spec.replicas", 1)),
        Age(ss, now), ContainerField(ss, "spec.template.spec", "name"),
        ContainerField(ss, "spec.template.spec", "image")};
  };
  printers["StatefulSet"] = std::move(p);
}

}  // namespace

void AddWorkloadPrinters(PrinterMap& printers) {
  AddPod(printers);
  AddDeployment(printers);
  AddReplicaSet(printers);
  AddDaemonSet(printers);
  AddStatefulSet(printers);
}

}  // namespace moor::api
