// Table printers for ConfigMap, Secret, Namespace, PersistentVolumeClaim, Event,
// ResourceQuota, LimitRange and Node.
#include <set>
#include <string>
#include <vector>

#include "table_printers.h"

namespace moor::api {
namespace {

using nlohmann::json;
using namespace table;  // NOLINT(build/namespaces)

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string QuantityText(const json& q, const std::string& def) {
  if (q.is_string()) return q.get<std::string>();
  if (q.is_number()) return q.dump();
  return def;
}

void AddConfigMap(PrinterMap& printers) {
  KindPrinter p;
  p.columns = {NameColumn(), Column("Data", "string", "Data contains the configuration data."), AgeColumn()};
  p.cells = [](const Object& cm, WallTime now) {
    return std::vector<json>{Str(cm, "metadata.name"),
                             static_cast<int64_t>(Size(cm, "data") + Size(cm, "binaryData")), Age(cm, now)};
  };
  printers["ConfigMap"] = std::move(p);
}

void AddSecret(PrinterMap& printers) {
  KindPrinter p;
  p.columns = {NameColumn(), Column("Type", "string", "The type of the secret"),
               Column("Data", "string", "The number of data entries in the secret"), AgeColumn()};
  p.cells = [](const Object& s, WallTime now) {
    std::set<std::string> keys;  // stringData is merged into data on write
    for (const char* field : {"data", "stringData"}) {
      const json& m = At(s, field);
      if (m.is_object()) {
        for (const auto& [k, v] : m.items()) keys.insert(k);
      }
    }
    std::string type = Str(s, "type");
    return std::vector<json>{Str(s, "metadata.name"), type.empty() ? "Opaque" : type,
                             static_cast<int64_t>(keys.size()), Age(s, now)};
  };
  printers["Secret"] = std::move(p);
}

void AddNamespace(PrinterMap& printers) {
  KindPrinter p;
  p.columns = {NameColumn(), Column("Status", "string", "The status of the namespace"), AgeColumn()};
  p.cells = [](const Object& ns, WallTime now) {
    std::string phase = Str(ns, "status.phase");
    if (!Str(ns, "metadata.deletionTimestamp").empty()) phase = "Terminating";
    return std::vector<json>{Str(ns, "metadata.name"), phase.empty() ? "Active" : phase, Age(ns, now)};
  };
  printers["Namespace"] = std::move(p);
}

std::string AccessModes(const json& modes) {
  std::set<std::string> have;
  if (modes.is_array()) {
    for (const auto& m : modes) {
      if (m.is_string()) have.insert(m.get<std::string>());
    }
  }
  std::string out;
  const std::pair<const char*, const char*> kOrder[] = {{"ReadWriteOnce", "RWO"},
                                                        {"ReadOnlyMany", "ROX"},
                                                        {"ReadWriteMany", "RWX"},
                                                        {"ReadWriteOncePod", "RWOP"}};
  for (const auto& [mode, abbrev] : kOrder) {
    if (have.count(mode)) out += (out.empty() ? "" : ",") + std::string(abbrev);
  }
  return out;
}

void AddPvc(PrinterMap& printers) {
  KindPrinter p;
  p.columns = {NameColumn(),
               Column("Status", "string", "Phase represents the current phase of PersistentVolumeClaim."),
               Column("Volume", "string", "VolumeName is the binding reference to the PersistentVolume backing "
                                          "this claim."),
               Column("Capacity", "string", "Capacity represents the actual resources of the underlying volume."),
               Column("Access Modes", "string", "AccessModes contains the desired access modes the volume should "
                                                "have."),
               Column("StorageClass", "string", "StorageClassName is the name of the StorageClass required by the "
                                                "claim."),
               Column("VolumeAttributesClass", "string", "VolumeAttributesClassName may be used to set the "
                                                         "VolumeAttributesClass used by this claim."),
               AgeColumn(),
               Column("VolumeMode", "string", "volumeMode defines what type of volume is required by the claim.", 1)};
  p.cells = [](const Object& pvc, WallTime now) {
    std::string phase = Str(pvc, "status.phase");
    if (phase.empty()) phase = "Pending";
    if (!Str(pvc, "metadata.deletionTimestamp").empty()) phase = "Terminating";
    std::string volume = Str(pvc, "spec.volumeName");
    std::string capacity;
    std::string modes;
    if (!volume.empty()) {
      capacity = QuantityText(At(pvc, "status.capacity.storage"), "0");
      modes = AccessModes(At(pvc, "status.accessModes"));
    }
    std::string storage_class;
    const json& annotations = At(pvc, "metadata.annotations");
    if (annotations.is_object() && annotations.contains("volume.beta.kubernetes.io/storage-class") &&
        annotations["volume.beta.kubernetes.io/storage-class"].is_string()) {
      storage_class = annotations["volume.beta.kubernetes.io/storage-class"].get<std::string>();
    } else {
      storage_class = Str(pvc, "spec.storageClassName");
    }
    std::string vac = Str(pvc, "spec.volumeAttributesClassName");
    std::string mode = Str(pvc, "spec.volumeMode");
    return std::vector<json>{Str(pvc, "metadata.name"),
                             phase,
                             volume,
                             capacity,
                             modes,
                             storage_class,
                             vac.empty() ? "<unset>" : vac,
                             Age(pvc, now),
                             mode.empty() ? "<unset>" : mode};
  };
  printers["PersistentVolumeClaim"] = std::move(p);
}

void AddEvent(PrinterMap& printers) {
  KindPrinter p;
  p.columns = {Column("Last Seen", "string", "Time when last this event was observed."),
               Column("Type", "string", "Type of this event (Normal, Warning), new types could be added in the "
                                        "future."),
               Column("Reason", "string", "This should be a short, machine understandable string that gives the "
                                          "reason for this event being generated."),
               Column("Object", "string", "The object that this event is about."),
               Column("Subobject", "string", "The subobject of the object that this event is about.", 1),
               Column("Source", "string", "The component reporting this event.", 1),
               Column("Message", "string", "A human-readable description of the status of this operation."),
               Column("First Seen", "string", "The time at which the event was first recorded.", 1),
               Column("Count", "string", "The number of times this event has occurred.", 1),
               TableColumn{"Name", "string", "name", "Name of the event.", 1}};
  p.cells = [](const Object& ev, WallTime now) {
    std::string first = Str(ev, "firstTimestamp");
    std::string first_seen = first.empty() ? Since(Str(ev, "eventTime"), now) : Since(first, now);
    std::string last = Str(ev, "lastTimestamp");
    std::string last_seen = last.empty() ? first_seen : Since(last, now);
    int64_t count = Int(ev, "count", 0);
    if (At(ev, "series").is_object()) {
      last_seen = Since(Str(ev, "series.lastObservedTime"), now);
      count = Int(ev, "series.count", count);
    } else if (count == 0) {
      count = 1;
    }
    std::string name = Str(ev, "involvedObject.name");
    std::string kind = Lower(Str(ev, "involvedObject.kind"));
    std::string target = name.empty() ? kind : kind + "/" + name;
    std::string source = Str(ev, "source.component");
    if (source.empty()) source = Str(ev, "reportingComponent");
    if (!Str(ev, "source.host").empty()) source += ", " + Str(ev, "source.host");
    std::string message = Str(ev, "message");
    while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) message.pop_back();
    size_t lead = 0;
    while (lead < message.size() && std::isspace(static_cast<unsigned char>(message[lead]))) ++lead;
    return std::vector<json>{last_seen,
                             Str(ev, "type"),
                             Str(ev, "reason"),
                             target,
                             Str(ev, "involvedObject.fieldPath"),
                             source,
                             message.substr(lead),
                             first_seen,
                             count,
                             Str(ev, "metadata.name")};
  };
  printers["Event"] = std::move(p);
}

void AddResourceQuota(PrinterMap& printers) {
  KindPrinter p;
  p.columns = {NameColumn(), AgeColumn(), Column("Request", "string", "Request represents a minimum amount of "
                                                                      "cpu/memory that a container may consume."),
               Column("Limit", "string", "Limits control the maximum amount of cpu/memory that a container may use "
                                         "independent of contention on the node.")};
  p.cells = [](const Object& rq, WallTime now) {
    std::string request;
    std::string limit;
    const json& hard = At(rq, "spec.hard");
    if (hard.is_object()) {
      for (const auto& [resource, spec_value] : hard.items()) {
        const json& status_hard = At(rq, "status.hard");
        bool has_status = status_hard.is_object() && status_hard.contains(resource);
        std::string hard_text = QuantityText(has_status ? status_hard[resource] : spec_value, "0");
        const json& used = At(rq, "status.used");
        std::string used_text = used.is_object() && used.contains(resource) ? QuantityText(used[resource], "0") : "0";
        std::string text = resource + ": " + used_text + "/" + hard_text;
        std::string& target = resource.rfind("limits.", 0) == 0 ? limit : request;
        target += (target.empty() ? "" : ", ") + text;
      }
    }
    return std::vector<json>{Str(rq, "metadata.name"), Age(rq, now), request, limit};
  };
  printers["ResourceQuota"] = std::move(p);
}

void AddLimitRange(PrinterMap& printers) {
  KindPrinter p;
  p.columns = {NameColumn(), Column("Created At", "date", "CreationTimestamp is a timestamp representing the server "
                                                          "time when this object was created.")};
  p.cells = [](const Object& lr, WallTime) {
    return std::vector<json>{Str(lr, "metadata.name"), Str(lr, "metadata.creationTimestamp")};
  };
  printers["LimitRange"] = std::move(p);
}

void AddNode(PrinterMap& printers) {
  KindPrinter p;
  p.columns = {NameColumn(),
               Column("Status", "string", "The status of the node"),
               Column("Roles", "string", "The roles of the node"),
               AgeColumn(),
               Column("Version", "string", "Kubelet Version reported by the node."),
               Column("Internal-IP", "string", "List of addresses reachable to the node.", 1),
               Column("External-IP", "string", "List of addresses reachable to the node.", 1),
               Column("OS-Image", "string", "OS Image reported by the node from /etc/os-release.", 1),
               Column("Kernel-Version", "string", "Kernel Version reported by the node.", 1),
               Column("Container-Runtime", "string", "Container Runtime Version reported by the node.", 1)};
  p.cells = [](const Object& node, WallTime now) {
    std::string status = "Unknown";
    const json& conditions = At(node, "status.conditions");
    if (conditions.is_array()) {
      for (const auto& c : conditions) {
        if (c.is_object() && c.value("type", "") == "Ready") {
          status = c.value("status", "") == "True" ? "Ready" : "NotReady";
        }
      }
    }
    if (Bool(node, "spec.unschedulable")) status += ",SchedulingDisabled";
    std::string roles;
    const json& labels = At(node, "metadata.labels");
    if (labels.is_object()) {
      const std::string prefix = "node-role.kubernetes.io/";
      for (const auto& [k, v] : labels.items()) {
        if (k.rfind(prefix, 0) == 0 && k.size() > prefix.size()) roles += (roles.empty() ? "" : ",") + k.substr(prefix.size());
      }
    }
    std::string internal_ip = "<none>";
    std::string external_ip = "<none>";
    const json& addresses = At(node, "status.addresses");
    if (addresses.is_array()) {
      for (const auto& a : addresses) {
        if (!a.is_object()) continue;
        if (a.value("type", "") == "InternalIP" && internal_ip == "<none>") internal_ip = a.value("address", "");
        if (a.value("type", "") == "ExternalIP" && external_ip == "<none>") external_ip = a.value("address", "");
      }
    }
    auto info = [&](const char* field) {
      std::string v = Str(node, std::string("status.nodeInfo.") + field);
      return v.empty() ? std::string("<unknown>") : v;
    };
    return std::vector<json>{Str(node, "metadata.name"), status,      roles.empty() ? "<none>" : roles,
                             Age(node, now),             Str(node, "status.nodeInfo.kubeletVersion"),
                             internal_ip,                external_ip, info("osImage"),
                             info("kernelVersion"),      info("containerRuntimeVersion")};
  };
  printers["Node"] = std::move(p);
}

}  // namespace

void AddConfigPrinters(PrinterMap& printers) {
  AddConfigMap(printers);
  AddSecret(printers);
  AddNamespace(printers);
  AddPvc(printers);
  AddEvent(printers);
  AddResourceQuota(printers);
  AddLimitRange(printers);
  AddNode(printers);
}

}  // namespace moor::api
