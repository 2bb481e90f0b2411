#pragma once

#include <string>
#include <vector>

#include "moor/common/status.h"
#include "moor/manifests/kinds.h"

namespace moor::cli {

struct ResourceRequest {
  const manifests::KindInfo* kind = nullptr;
  std::vector<std::string> names;  // empty: every object of the kind
};

// Reads kubectl-style resource arguments: "deploy", "deploy,svc", "deploy web api",
// "deploy/web svc/web", and "all" (the workload kinds `kubectl get all` shows).
StatusOr<std::vector<ResourceRequest>> ParseResourceArgs(const std::vector<std::string>& args);

}  // namespace moor::cli
