#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "moor/common/clock.h"
#include "moor/common/status.h"

namespace moor::api {

// Seams through which the API server reaches the node agent of this host without depending on
// runtime/: cli/ wires the real ones, tests pass fakes.

// GET /api/v1/namespaces/{ns}/pods/{name}/log?container=&follow=&previous=&tailLines=&timestamps=
struct PodLogRequest {
  std::string ns;
  std::string pod;
  std::string container;     // "" = the pod's only container (error if it has several)
  bool follow = false;
  bool previous = false;     // the last terminated instance of the container
  bool timestamps = false;
  std::optional<int> tail_lines;
  std::optional<WallTime> since;  // only lines written at or after this (sinceSeconds / sinceTime)
  // Set by the API server: returns false once the client went away or the server is
  // stopping. A following source polls it while it waits for new output (a client that leaves
  // during silence is otherwise only noticed at the next write). May be empty: always true.
  std::function<bool()> keep_following;
};

class PodLogSource {
 public:
  virtual ~PodLogSource() = default;
  // Writes the log to `sink` (chunks of whole lines) until done, or with follow until the
  // container is gone or `sink` returns false (client went away). Errors as kube-apiserver
  // words them: kNotFound ("pods \"web\" not found"), kInvalidArgument ("a container name must
  // be specified for pod web, choose one of: [a b]", "previous terminated container \"a\" in pod
  // \"web\" not found"), kFailedPrecondition (container not started yet: "container \"a\" in pod
  // \"web\" is waiting to start: ContainerCreating").
  virtual Status Stream(const PodLogRequest& request, const std::function<bool(std::string_view)>& sink) = 0;
};

// Images of this node: /moor/v1/images
struct ImageSummary {
  std::string id;                        // "sha256:..."
  std::vector<std::string> references;   // "docker.io/library/nginx:1.25"
  std::int64_t size = 0;
  bool in_use = false;                   // a container on this node uses it
};

class ImageService {
 public:
  virtual ~ImageService() = default;
  virtual StatusOr<std::vector<ImageSummary>> List() = 0;
  virtual StatusOr<ImageSummary> Pull(const std::string& reference) = 0;
  // kFailedPrecondition if a container uses it.
  virtual Status Remove(const std::string& reference_or_id) = 0;
  // `path` is a file on the server's host (docker save or OCI archive).
  virtual StatusOr<std::vector<ImageSummary>> Import(const std::string& path) = 0;
  // Removes images no container uses and no reference names; returns the removed ids.
  virtual StatusOr<std::vector<std::string>> Prune() = 0;
};

}  // namespace moor::api
