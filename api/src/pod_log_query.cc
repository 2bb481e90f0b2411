#include "moor/api/pod_log_query.h"

#include <algorithm>
#include <climits>
#include <vector>

#include "moor/api/route.h"

namespace moor::api {
namespace {

// strconv.ParseBool's spellings; a bare key ("follow") is true, as kube-apiserver's query
// decoder treats it.
std::optional<bool> ParseBool(const std::string& text) {
  if (text.empty() || text == "1" || text == "t" || text == "T" || text == "true" || text == "TRUE" ||
      text == "True") {
    return true;
  }
  if (text == "0" || text == "f" || text == "F" || text == "false" || text == "FALSE" || text == "False") {
    return false;
  }
  return std::nullopt;
}

Status ReadBool(const std::map<std::string, std::string>& query, const std::string& key, bool* out) {
  auto it = query.find(key);
  if (it == query.end()) return Status::Ok();
  std::optional<bool> value = ParseBool(it->second);
  if (!value) return InvalidArgumentError("invalid " + key + " \"" + it->second + "\": want true or false");
  *out = *value;
  return Status::Ok();
}

Status ReadInt(const std::map<std::string, std::string>& query, const std::string& key,
               std::optional<int64_t>* out) {
  auto it = query.find(key);
  if (it == query.end()) return Status::Ok();
  *out = ParseInt64(it->second);
  if (!*out) return InvalidArgumentError("invalid " + key + " \"" + it->second + "\": want an integer");
  return Status::Ok();
}

std::vector<std::string> ContainerNames(const manifests::Object& pod, const char* list) {
  std::vector<std::string> names;
  if (!pod.contains("spec") || !pod["spec"].is_object()) return names;
  const manifests::Object& spec = pod["spec"];
  if (!spec.contains(list) || !spec[list].is_array()) return names;
  for (const auto& c : spec[list]) {
    if (c.is_object() && c.contains("name") && c["name"].is_string()) names.push_back(c["name"].get<std::string>());
  }
  return names;
}

// Go's fmt of a []string: "[a b]".
std::string GoList(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? " " : "") + names[i];
  return out + "]";
}

}  // namespace

StatusOr<PodLogQuery> ParsePodLogQuery(const std::string& ns, const std::string& pod,
                                       const std::map<std::string, std::string>& query, WallTime now) {
  PodLogQuery out;
  out.request.ns = ns;
  out.request.pod = pod;
  if (auto it = query.find("container"); it != query.end()) out.request.container = it->second;
  MOOR_RETURN_IF_ERROR(ReadBool(query, "follow", &out.request.follow));
  MOOR_RETURN_IF_ERROR(ReadBool(query, "previous", &out.request.previous));
  MOOR_RETURN_IF_ERROR(ReadBool(query, "timestamps", &out.request.timestamps));
  std::optional<int64_t> tail;
  MOOR_RETURN_IF_ERROR(ReadInt(query, "tailLines", &tail));
  if (tail) {
    if (*tail < 0) {
      return InvalidArgumentError("PodLogOptions \"" + pod + "\" is invalid: tailLines: Invalid value: " +
                                  std::to_string(*tail) + ": must be greater than or equal to 0");
    }
    out.request.tail_lines = static_cast<int>(std::min<int64_t>(*tail, INT_MAX));
  }
  MOOR_RETURN_IF_ERROR(ReadInt(query, "limitBytes", &out.limit_bytes));
  if (out.limit_bytes && *out.limit_bytes < 1) {
    return InvalidArgumentError("PodLogOptions \"" + pod + "\" is invalid: limitBytes: Invalid value: " +
                                std::to_string(*out.limit_bytes) + ": must be greater than 0");
  }
  if (query.count("sinceSeconds") && query.count("sinceTime")) {
    return InvalidArgumentError("PodLogOptions \"" + pod + "\" is invalid: []: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified");
  }
  std::optional<int64_t> since_seconds;
  MOOR_RETURN_IF_ERROR(ReadInt(query, "sinceSeconds", &since_seconds));
  if (since_seconds) {
    if (*since_seconds < 1) {
      return InvalidArgumentError("PodLogOptions \"" + pod + "\" is invalid: sinceSeconds: Invalid value: " +
                                  std::to_string(*since_seconds) + ": must be greater than 0");
    }
    // Clamped (to some 35,000 years) so that the subtraction cannot overflow the clock's range.
    out.request.since = now - std::chrono::seconds(std::min<int64_t>(*since_seconds, int64_t{1} << 40));
  }
  if (auto it = query.find("sinceTime"); it != query.end()) {
    auto t = ParseRfc3339(it->second);
    if (!t.ok()) return InvalidArgumentError("invalid sinceTime \"" + it->second + "\": expected RFC 3339, e.g. 2026-11-24T18:00:00Z");
    out.request.since = *t;
  }
  return out;
}

StatusOr<std::string> ResolveLogContainer(const manifests::Object& pod, const std::string& requested) {
  std::string name = manifests::NameOf(pod);
  std::vector<std::string> containers = ContainerNames(pod, "containers");
  std::vector<std::string> init = ContainerNames(pod, "initContainers");
  if (!requested.empty()) {
    for (const auto* list : {&containers, &init}) {
      for (const auto& c : *list) {
        if (c == requested) return requested;
      }
    }
    return InvalidArgumentError("container " + requested + " is not valid for pod " + name);
  }
  if (containers.size() == 1) return containers.front();
  if (containers.empty()) return InvalidArgumentError("a container name must be specified for pod " + name);
  std::string message = "a container name must be specified for pod " + name + ", choose one of: " + GoList(containers);
  if (!init.empty()) message += " or one of the init containers: " + GoList(init);
  return InvalidArgumentError(message);
}

}  // namespace moor::api
