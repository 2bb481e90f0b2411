#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "moor/api/table.h"

namespace moor::api {

// How one kind is printed: its columns and a function computing one row's cells, in the
// manner of kube-apiserver's printers (pkg/printers/internalversion).
struct KindPrinter {
  std::vector<TableColumn> columns;
  std::function<std::vector<nlohmann::json>(const Object& obj, WallTime now)> cells;
};
using PrinterMap = std::map<std::string, KindPrinter>;

void AddWorkloadPrinters(PrinterMap& printers);  // Pod, Deployment, ReplicaSet, DaemonSet, StatefulSet
void AddBatchPrinters(PrinterMap& printers);     // Job, CronJob, HorizontalPodAutoscaler
void AddNetworkPrinters(PrinterMap& printers);   // Service, Endpoints, Ingress
void AddConfigPrinters(PrinterMap& printers);    // ConfigMap, Secret, Namespace, PVC, Event,
                                                 // ResourceQuota, LimitRange, Node

// Helpers shared by the printers. None throws on missing or mistyped fields.
namespace table {

// The node at a dotted path ("status.readyReplicas"), or null.
const nlohmann::json& At(const Object& obj, const std::string& path);
std::string Str(const Object& obj, const std::string& path);            // "" unless a string
int64_t Int(const Object& obj, const std::string& path, int64_t def = 0);  // def unless an integer
bool Bool(const Object& obj, const std::string& path, bool def = false);
size_t Size(const Object& obj, const std::string& path);                // array / object size, else 0

// kubectl's translateTimestampSince: "<unknown>" for an empty or bad timestamp, else the
// human duration since it ("5m", "3d").
std::string Since(const std::string& timestamp, WallTime now);
std::string Age(const Object& obj, WallTime now);  // Since(metadata.creationTimestamp)
// HumanDuration with kubectl's handling of negative durations.
std::string Duration(std::chrono::seconds d);

TableColumn NameColumn();
TableColumn AgeColumn();
TableColumn Column(const std::string& name, const std::string& type, const std::string& description,
                   int priority = 0);

// "a,b" of spec.containers[*].<field> under the pod spec at `pod_spec_path`.
std::string ContainerField(const Object& obj, const std::string& pod_spec_path, const std::string& field);
// A LabelSelector object as kubectl prints it ("app=web,tier in (a,b)"); "<none>" if empty.
std::string SelectorString(const nlohmann::json& selector);
// A plain label map as "k=v,k2=v2" (sorted); "<none>" if empty.
std::string MapSelectorString(const nlohmann::json& labels);

}  // namespace table
}  // namespace moor::api
