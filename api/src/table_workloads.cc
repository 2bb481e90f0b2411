// Table printers for Pod, Deployment, ReplicaSet, DaemonSet and StatefulSet, computing the
// cells as kube-apiserver's printers do.
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

// The STATUS column of a pod (kubectl's printPod logic, without sidecar subtleties).
std::string PodStatus(const Object& pod) {
  std::string reason = Str(pod, "status.phase");
  if (reason.empty()) reason = "Pending";
  if (!Str(pod, "status.reason").empty()) reason = Str(pod, "status.reason");

  bool initializing = false;
  const auto& init_statuses = At(pod, "status.initContainerStatuses");
  size_t init_total = Size(pod, "spec.initContainers");
  if (init_statuses.is_array()) {
    for (size_t i = 0; i < init_statuses.size(); ++i) {
      const auto& cs = init_statuses[i];
      const Object& terminated = At(cs, "state.terminated");
      const Object& waiting = At(cs, "state.waiting");
      if (terminated.is_object() && terminated.value("exitCode", 0) == 0) continue;
      if (terminated.is_object()) {
        std::string r = terminated.value("reason", "");
        if (r.empty()) {
          int signal = terminated.value("signal", 0);
          r = signal != 0 ? "Signal:" + std::to_string(signal)
                          : "ExitCode:" + std::to_string(terminated.value("exitCode", 0));
        }
        reason = "Init:" + r;
      } else if (waiting.is_object() && !waiting.value("reason", "").empty() &&
                 waiting.value("reason", "") != "PodInitializing") {
        reason = "Init:" + waiting.value("reason", "");
      } else {
        reason = "Init:" + std::to_string(i) + "/" + std::to_string(init_total);
      }
      initializing = true;
      break;
    }
  }
  if (!initializing) {
    bool has_running = false;
    const auto& statuses = At(pod, "status.containerStatuses");
    if (statuses.is_array()) {
      for (size_t k = statuses.size(); k-- > 0;) {
        const auto& cs = statuses[k];
        const Object& waiting = At(cs, "state.waiting");
        const Object& terminated = At(cs, "state.terminated");
        if (waiting.is_object() && !waiting.value("reason", "").empty()) {
          reason = waiting.value("reason", "");
        } else if (terminated.is_object() && !terminated.value("reason", "").empty()) {
          reason = terminated.value("reason", "");
        } else if (terminated.is_object()) {
          int signal = terminated.value("signal", 0);
          reason = signal != 0 ? "Signal:" + std::to_string(signal)
                               : "ExitCode:" + std::to_string(terminated.value("exitCode", 0));
        } else if (cs.is_object() && cs.value("ready", false) && At(cs, "state.running").is_object()) {
          has_running = true;
        }
      }
    }
    if (reason == "Completed" && has_running) reason = ConditionTrue(pod, "Ready") ? "Running" : "NotReady";
  }
  if (!Str(pod, "metadata.deletionTimestamp").empty()) {
    reason = Str(pod, "status.reason") == "NodeLost" ? "Unknown" : "Terminating";
  }
  return reason;
}

json PodRestarts(const Object& pod, WallTime now) {
  int64_t restarts = 0;
  std::string last_finished;
  const auto& statuses = At(pod, "status.containerStatuses");
  if (statuses.is_array()) {
    for (const auto& cs : statuses) {
      if (!cs.is_object()) continue;
      restarts += cs.value("restartCount", 0);
      std::string finished = Str(cs, "lastState.terminated.finishedAt");
      if (finished > last_finished) last_finished = finished;  // RFC 3339 UTC sorts as text
    }
  }
  if (restarts > 0 && !last_finished.empty()) {
    return std::to_string(restarts) + " (" + Since(last_finished, now) + " ago)";
  }
  return restarts;
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
    size_t total = Size(pod, "spec.containers");
    size_t ready = 0;
    const auto& statuses = At(pod, "status.containerStatuses");
    if (statuses.is_array()) {
      for (const auto& cs : statuses) {
        if (cs.is_object() && cs.value("ready", false)) ++ready;
      }
    }
    std::string gates = "<none>";
    size_t gate_total = Size(pod, "spec.readinessGates");
    if (gate_total > 0) {
      size_t true_gates = 0;
      for (const auto& g : At(pod, "spec.readinessGates")) {
        if (g.is_object() && ConditionTrue(pod, g.value("conditionType", ""))) ++true_gates;
      }
      gates = std::to_string(true_gates) + "/" + std::to_string(gate_total);
    }
    return std::vector<json>{Str(pod, "metadata.name"),
                             std::to_string(ready) + "/" + std::to_string(total),
                             PodStatus(pod),
                             PodRestarts(pod, now),
                             Age(pod, now),
                             OrNone(Str(pod, "status.podIP")),
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
