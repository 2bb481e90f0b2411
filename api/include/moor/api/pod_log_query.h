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

// Reads container, follow, previous, timestamps, tailLines, limitBytes, sinceSeconds (counted
// back from `now`) and sinceTime (RFC 3339) (booleans as Go's strconv.ParseBool spells them; a
// bare key is true). kInvalidArgument for a malformed value ("invalid tailLines \"x\""),
// tailLines < 0, limitBytes < 1, sinceSeconds < 1, and both since keys at once, with
// kube-apiserver's messages. Unknown keys are ignored, as kube-apiserver does.
StatusOr<PodLogQuery> ParsePodLogQuery(const std::string& ns, const std::string& pod,
                                       const std::map<std::string, std::string>& query,
                                       WallTime now = SystemClock().Now());

// The container whose log to read, chosen as kube-apiserver does: `requested` must name one
// of spec.containers or spec.initContainers ("container x is not valid for pod web"); when it
// is empty, the pod's only container ("a container name must be specified for pod web,
// choose one of: [a b]" when there are several). Errors are kInvalidArgument.
StatusOr<std::string> ResolveLogContainer(const manifests::Object& pod, const std::string& requested);

}  // namespace moor::api
