#pragma once

#include <string>
#include <vector>

#include "moor/common/clock.h"
#include "moor/manifests/kinds.h"
#include "moor/manifests/object.h"

namespace moor::api {

using manifests::Object;

// A column of a meta.k8s.io/v1 Table, as kube-apiserver declares it.
struct TableColumn {
  std::string name;         // "NAME" is sent as "Name"; kubectl upper-cases names
  std::string type;         // "string", "integer", "date", ...
  std::string format;       // "name" for the name column, else ""
  std::string description;
  int priority = 0;         // 1: shown only with -o wide
};

// What each row carries as `object` (the includeObject query parameter).
enum class IncludeObject { kNone, kMetadata, kObject };

// The columns kubectl shows for `kind` (kube-apiserver's printers); kinds without their own
// printer get Name and Age.
std::vector<TableColumn> TableColumnsFor(const std::string& kind);

// One row's cells for `obj`, in the order of TableColumnsFor(KindOf(obj)). Ages are measured
// against `now` and printed as kubectl does ("5m", "3d").
std::vector<nlohmann::json> TableCellsFor(const Object& obj, WallTime now);

// A meta.k8s.io/v1 Table of `objects` (all of kind `kind`): columnDefinitions, one row per
// object with its cells and, per `include`, a PartialObjectMetadata or the whole object.
Object BuildTable(const std::string& kind, const std::vector<Object>& objects, WallTime now,
                  IncludeObject include, const std::string& resource_version);

}  // namespace moor::api
