#include "openapi.h"

#include <map>
#include <mutex>

#include "moor/common/files.h"
#include "moor/manifests/kinds.h"

namespace moor::api {
namespace {

using manifests::Object;

std::string GroupVersionPath(const std::string& group, const std::string& version) {
  return group.empty() ? "api/" + version : "apis/" + group + "/" + version;
}

Object QueryParameter(const std::string& name, const std::string& description) {
  return {{"name", name}, {"in", "query"}, {"description", description}, {"schema", {{"type", "string"}, {"uniqueItems", true}}}};
}

Object PathParameter(const std::string& name) {
  return {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}, {"uniqueItems", true}}}};
}

// The parameters every write takes, as moor serves them.
Object WriteParameters() {
  return Object::array({QueryParameter("dryRun", "All: answer as if written, store nothing"),
                        QueryParameter("fieldManager", "accepted and ignored (moor keeps no managedFields)"),
                        QueryParameter("fieldValidation", "Ignore, Warn or Strict: what unknown fields do")});
}

Object Operation(const manifests::KindInfo& kind, const std::string& version, const std::string& action,
                 Object parameters) {
  return {{"x-kubernetes-action", action},
          {"x-kubernetes-group-version-kind", {{"group", kind.group}, {"version", version}, {"kind", kind.kind}}},
          {"parameters", std::move(parameters)},
          {"responses", {{"200", {{"description", "OK"}}}, {"401", {{"description", "Unauthorized"}}}}}};
}

void AddKindPaths(const manifests::KindInfo& kind, const std::string& version, Object& paths) {
  const std::string base = "/" + GroupVersionPath(kind.group, version) +
                           (kind.namespaced ? "/namespaces/{namespace}/" : "/") + kind.plural;
  Object scope = kind.namespaced ? Object::array({PathParameter("namespace")}) : Object::array();
  Object named = scope;
  named.push_back(PathParameter("name"));

  Object collection = {{"parameters", scope},
                       {"get", Operation(kind, version, "list", Object::array())},
                       {"post", Operation(kind, version, "post", WriteParameters())}};
  paths[base] = collection;
  Object item = {{"parameters", named},
                 {"get", Operation(kind, version, "get", Object::array())},
                 {"put", Operation(kind, version, "put", WriteParameters())},
                 {"patch", Operation(kind, version, "patch", WriteParameters())},
                 {"delete", Operation(kind, version, "delete", Object::array({QueryParameter("dryRun", "All")}))}};
  paths[base + "/{name}"] = item;
  if (kind.has_status) {
    paths[base + "/{name}/status"] = {{"parameters", named},
                                      {"get", Operation(kind, version, "get", Object::array())},
                                      {"put", Operation(kind, version, "put", WriteParameters())},
                                      {"patch", Operation(kind, version, "patch", WriteParameters())}};
  }
}

// Built once: the documents only change with the binary.
struct Documents {
  std::map<std::string, Object> by_path;  // "api/v1" -> document
  Object index;
};

const Documents& AllDocuments() {
  static const Documents docs = [] {
    Documents out;
    for (const auto& kind : manifests::SupportedKinds()) {
      for (const auto& version : kind.versions) {
        Object& doc = out.by_path[GroupVersionPath(kind.group, version)];
        if (doc.is_null()) {
          doc = {{"openapi", "3.0.0"},
                 {"info", {{"title", "moor"}, {"version", "v1.32.0+moor"}}},
                 {"paths", Object::object()},
                 {"components", {{"schemas", Object::object()}}}};
        }
        AddKindPaths(kind, version, doc["paths"]);
      }
    }
    Object paths = Object::object();
    for (const auto& [path, doc] : out.by_path) {
      paths[path] = {{"serverRelativeURL", "/openapi/v3/" + path + "?hash=" + Sha256Hex(doc.dump()).substr(0, 32)}};
    }
    out.index = {{"paths", paths}};
    return out;
  }();
  return docs;
}

}  // namespace

Object OpenApiV3Index() { return AllDocuments().index; }

std::optional<Object> OpenApiV3Document(const std::string& group, const std::string& version) {
  const auto& docs = AllDocuments().by_path;
  auto it = docs.find(GroupVersionPath(group, version));
  if (it == docs.end()) return std::nullopt;
  return it->second;
}

}  // namespace moor::api
