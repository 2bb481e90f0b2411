#pragma once

#include <string>

#include "moor/common/status.h"
#include "moor/manifests/object.h"
#include "verbs.h"

namespace moor::cli {

// `moor logs POD [-c C] [-f] [-p|--previous] [--tail N] [--timestamps] [-n NS]`
void AddLogsVerb(CLI::App& app, GlobalOptions& global, int& exit_code);

// The pod name of a POD argument: "web", "pod/web", "pods/web" or "po/web". kInvalidArgument
// for another kind ("deploy/web") or an empty name.
StatusOr<std::string> ParsePodArg(const std::string& arg);

// Which container of `pod` a verb works on.
struct ContainerChoice {
  std::string name;
  std::string notice;  // for stderr when a default was taken among several, else ""
};

// `requested` (-c) must name one of the pod's containers or init containers. Without it: the
// container named by the annotation kubectl.kubernetes.io/default-container, else the only
// container; with several, the first when `first_if_several` (with kubectl's notice
// `Defaulted container "a" out of: a, b, i (init)`), else kInvalidArgument listing the names.
StatusOr<ContainerChoice> ChooseContainer(const manifests::Object& pod, const std::string& requested,
                                          bool first_if_several);

}  // namespace moor::cli
