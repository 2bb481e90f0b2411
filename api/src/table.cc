#include "moor/api/table.h"

#include <algorithm>

#include "table_printers.h"

namespace moor::api {
namespace table {

const nlohmann::json& At(const Object& obj, const std::string& path) { return manifests::FieldAt(obj, path); }

std::string Str(const Object& obj, const std::string& path) {
  const auto& v = At(obj, path);
  return v.is_string() ? v.get<std::string>() : "";
}

int64_t Int(const Object& obj, const std::string& path, int64_t def) {
  const auto& v = At(obj, path);
  return v.is_number_integer() ? v.get<int64_t>() : def;
}

bool Bool(const Object& obj, const std::string& path, bool def) {
  const auto& v = At(obj, path);
  return v.is_boolean() ? v.get<bool>() : def;
}

size_t Size(const Object& obj, const std::string& path) {
  const auto& v = At(obj, path);
  return (v.is_array() || v.is_object()) ? v.size() : 0;
}

std::string Duration(std::chrono::seconds d) {
  if (d < std::chrono::seconds(-1)) return "<invalid>";
  if (d < std::chrono::seconds(0)) d = std::chrono::seconds(0);
  return HumanDuration(d);
}

std::string Since(const std::string& timestamp, WallTime now) {
  if (timestamp.empty()) return "<unknown>";
  auto t = ParseRfc3339(timestamp);
  if (!t.ok()) return "<unknown>";
  return Duration(std::chrono::duration_cast<std::chrono::seconds>(now - *t));
}

std::string Age(const Object& obj, WallTime now) { return Since(Str(obj, "metadata.creationTimestamp"), now); }

TableColumn Column(const std::string& name, const std::string& type, const std::string& description, int priority) {
  return TableColumn{name, type, "", description, priority};
}

TableColumn NameColumn() {
  return TableColumn{"Name", "string", "name",
                     "Name must be unique within a namespace. More info: "
                     "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
                     0};
}

TableColumn AgeColumn() {
  return Column("Age", "string",
                "CreationTimestamp is a timestamp representing the server time when this object was created.");
}

std::string ContainerField(const Object& obj, const std::string& pod_spec_path, const std::string& field) {
  const auto& containers = At(obj, pod_spec_path + ".containers");
  std::string out;
  if (!containers.is_array()) return out;
  for (const auto& c : containers) {
    if (!out.empty()) out += ",";
    if (c.is_object() && c.contains(field) && c[field].is_string()) out += c[field].get<std::string>();
  }
  return out;
}

std::string MapSelectorString(const nlohmann::json& labels) {
  if (!labels.is_object() || labels.empty()) return "<none>";
  std::string out;
  for (const auto& [k, v] : labels.items()) {  // nlohmann keeps keys sorted
    if (!out.empty()) out += ",";
    out += k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out;
}

std::string SelectorString(const nlohmann::json& selector) {
  if (!selector.is_object()) return "<none>";
  std::vector<std::pair<std::string, std::string>> parts;  // (key, text) sorted by key
  if (selector.contains("matchLabels") && selector["matchLabels"].is_object()) {
    for (const auto& [k, v] : selector["matchLabels"].items()) {
      parts.emplace_back(k, k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
    }
  }
  if (selector.contains("matchExpressions") && selector["matchExpressions"].is_array()) {
    for (const auto& e : selector["matchExpressions"]) {
      if (!e.is_object()) continue;
      std::string key = e.value("key", "");
      std::string op = e.value("operator", "");
      std::vector<std::string> values;
      if (e.contains("values") && e["values"].is_array()) {
        for (const auto& v : e["values"]) {
          if (v.is_string()) values.push_back(v.get<std::string>());
        }
      }
      std::sort(values.begin(), values.end());
      std::string joined;
      for (const auto& v : values) joined += (joined.empty() ? "" : ",") + v;
      if (op == "In") parts.emplace_back(key, key + " in (" + joined + ")");
      if (op == "NotIn") parts.emplace_back(key, key + " notin (" + joined + ")");
      if (op == "Exists") parts.emplace_back(key, key);
      if (op == "DoesNotExist") parts.emplace_back(key, "!" + key);
    }
  }
  if (parts.empty()) return "<none>";
  std::stable_sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ",") + p.second;
  return out;
}

}  // namespace table

namespace {

const PrinterMap& Printers() {
  static const PrinterMap* printers = [] {
    auto* map = new PrinterMap();
    AddWorkloadPrinters(*map);
    AddBatchPrinters(*map);
    AddNetworkPrinters(*map);
    AddConfigPrinters(*map);
    return map;
  }();
  return *printers;
}

KindPrinter DefaultPrinter() {
  KindPrinter p;
  p.columns = {table::NameColumn(), table::AgeColumn()};
  p.cells = [](const Object& obj, WallTime now) {
    return std::vector<nlohmann::json>{table::Str(obj, "metadata.name"), table::Age(obj, now)};
  };
  return p;
}

const KindPrinter& PrinterFor(const std::string& kind) {
  static const KindPrinter kDefault = DefaultPrinter();
  auto it = Printers().find(kind);
  return it == Printers().end() ? kDefault : it->second;
}

}  // namespace

std::vector<TableColumn> TableColumnsFor(const std::string& kind) { return PrinterFor(kind).columns; }

std::vector<nlohmann::json> TableCellsFor(const Object& obj, WallTime now) {
  return PrinterFor(manifests::KindOf(obj)).cells(obj, now);
}

Object BuildTable(const std::string& kind, const std::vector<Object>& objects, WallTime now, IncludeObject include,
                  const std::string& resource_version) {
  const KindPrinter& printer = PrinterFor(kind);
  Object columns = Object::array();
  for (const auto& c : printer.columns) {
    columns.push_back({{"name", c.name},
                       {"type", c.type},
                       {"format", c.format},
                       {"description", c.description},
                       {"priority", c.priority}});
  }
  Object rows = Object::array();
  for (const auto& obj : objects) {
    Object row = {{"cells", printer.cells(obj, now)}};
    if (include == IncludeObject::kMetadata) {
      row["object"] = {{"kind", "PartialObjectMetadata"},
                       {"apiVersion", "meta.k8s.io/v1"},
                       {"metadata", obj.contains("metadata") ? obj["metadata"] : Object::object()}};
    } else if (include == IncludeObject::kObject) {
      row["object"] = obj;
    }
    rows.push_back(std::move(row));
  }
  Object metadata = Object::object();
  if (!resource_version.empty()) metadata["resourceVersion"] = resource_version;
  return {{"kind", "Table"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", metadata},
          {"columnDefinitions", columns},
          {"rows", rows}};
}

}  // namespace moor::api
