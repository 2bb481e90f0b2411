#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "moor/manifests/kinds.h"

namespace moor::api {

// What a request path addresses on a Kubernetes-shaped API server.
struct Route {
  enum class Type {
    kNotFound,      // nothing served at this path
    kHealth,        // /healthz, /livez, /readyz (no authentication)
    kVersion,       // /version
    kMetrics,       // /metrics
    kMoorStatus,    // /moor/v1/status
    kCoreVersions,  // /api         (APIVersions)
    kGroupList,     // /apis        (APIGroupList)
    kGroupVersion,  // /api/v1, /apis/<group>/<version>  (APIResourceList)
    kResource,      // a collection or one object of `kind`
    kPodLog,        // /api/v1/namespaces/{ns}/pods/{name}/log (ns and name set, kind Pod)
    kScale,         // .../namespaces/{ns}/{plural}/{name}/scale of a kind with has_scale (kind, ns,
                    // name set)
    kImages,        // /moor/v1/images[/<reference or id>] and /moor/v1/images:<action>
    kOpenApiIndex,  // /openapi/v3
    kOpenApiDoc,    // /openapi/v3/api/v1, /openapi/v3/apis/<group>/<version> (group, version set)
  };
  Type type = Type::kNotFound;
  std::string group;    // kGroupVersion / kResource / kOpenApiDoc: "" for core
  std::string version;  // kGroupVersion / kResource / kOpenApiDoc
  const manifests::KindInfo* kind = nullptr;  // kResource
  std::optional<std::string> ns;  // kResource: namespace from the path; nullopt = all namespaces
                                  // (or a cluster-scoped kind)
  std::string name;               // kResource: "" for the collection
  bool status = false;            // kResource: the /status subresource
                                  // kImages: name is the image ("" for the collection)
  std::string action;             // kImages: "import" or "prune" for /moor/v1/images:<action>
};

// Parses a decoded request path ("/apis/apps/v1/namespaces/default/deployments/web").
// Unknown groups, versions, resources, and namespaced paths of cluster-scoped kinds give
// kNotFound. A trailing slash is ignored. Everything after "/moor/v1/images/" is the image
// name (references contain slashes).
Route ParseRoute(std::string_view path);

// Percent-decodes URL text; with plus_is_space, '+' becomes ' ' (query strings).
std::string PercentDecode(std::string_view text, bool plus_is_space = false);

// Splits a raw (still encoded) query string "a=1&b=x%3Dy" into decoded pairs. A key given
// twice keeps its last value; "watch" alone gives {"watch", ""}.
std::map<std::string, std::string> ParseQuery(std::string_view raw_query);

// A whole decimal integer ("30", "-1"), or nullopt for anything else ("", "3s", " 3").
std::optional<int64_t> ParseInt64(std::string_view text);

// True for the spellings Kubernetes accepts as a true boolean query value ("1", "true",
// and a bare key).
bool QueryFlag(const std::map<std::string, std::string>& query, const std::string& key);

}  // namespace moor::api
