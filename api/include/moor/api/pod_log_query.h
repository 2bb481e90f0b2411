#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "moor/api/node_services.h"
#include "moor/common/status.h"
#include "moor/manifests/object.h"

namespace moor::api {

// GET /api/v1/namespaces/{ns}/pods/{name}/log, as kube-apiserver reads its query.
struct PodLogQuery {
  PodLogRequest request;                // ns and pod from the path; container as asked ("" = default)
  std::optional<int64_t> limit_bytes;   // stop after this many bytes
};

// Reads container, follow, previous, timestamps, tailLines and limitBytes (booleans as Go's
// strconv.ParseBool spells them; a bare key is true). kInvalidArgument for a malformed value
// ("invalid tailLines \"x\""), tailLines < 0, limitBytes < 1, and for sinceSeconds /
// sinceTime, which moor does not support yet. Unknown keys are ignored, as kube-apiserver does.
StatusOr<PodLogQuery> ParsePodLogQuery(const std::string& ns, const std::string& pod,
                                       const std::map<std::string, std::string>& query);

// The container whose log to read, chosen as kube-apiserver does: `requested` must name one
// of spec.containers or spec.initContainers ("container x is not valid for pod web"); when it
// is empty, the pod's only container ("a container name must be specified for pod web,
// choose one of: [a b]" when there are several). Errors are kInvalidArgument.
StatusOr<std::string> ResolveLogContainer(const manifests::Object& pod, const std::string& requested);

}  // namespace moor::api
