#pragma once

#include <string>
#include <string_view>

#include "moor/common/status.h"

namespace moor::runtime {

// An image reference as Docker and Kubernetes write them, normalized:
//   "nginx"                      -> docker.io / library/nginx : latest
//   "nginx:1.25"                 -> docker.io / library/nginx : 1.25
//   "ghcr.io/org/app@sha256:..." -> ghcr.io   / org/app       @ sha256:...
//   "127.0.0.1:5000/app:v1"      -> 127.0.0.1:5000 / app      : v1
struct ImageReference {
  std::string registry;    // "docker.io", "ghcr.io", "127.0.0.1:5000"
  std::string repository;  // "library/nginx", "org/app"
  std::string tag;         // empty only when a digest is given without a tag
  std::string digest;      // "sha256:<64 hex>" or empty

  // "docker.io/library/nginx:1.25", "ghcr.io/org/app@sha256:..." (tag and digest both kept).
  std::string String() const;
  // True when the reference names `:latest` explicitly or implicitly and has no digest
  // (Kubernetes then defaults imagePullPolicy to Always).
  bool IsLatest() const;
};

// kInvalidArgument with the reason ("invalid reference format: uppercase repository name").
StatusOr<ImageReference> ParseImageReference(std::string_view text);

}  // namespace moor::runtime
