#pragma once

#include <string>
#include <vector>

#include "moor/common/status.h"
#include "moor/manifests/object.h"
#include "verbs.h"

namespace moor::cli {

// `moor exec POD [-c C] [-n NS] [-i] [-t] -- CMD...`: runs CMD in a running container of POD
// through `runc exec` on the node's runtime, attached to this terminal. Only for pods whose
// node runs on this host.
void AddExecVerb(CLI::App& app, GlobalOptions& global, int& exit_code);

// The container an exec goes into, read from the Pod object.
struct ExecTarget {
  std::string container;     // its name
  std::string container_id;  // the runc container id (containerID "runc://<id>")
  std::string node;          // spec.nodeName
};

// Chooses the container (ChooseContainer without taking the first of several) and checks that
// it runs: kFailedPrecondition for a finished pod ("cannot exec into a container in a
// completed pod; current phase is Succeeded"), a pod on no node yet, or a container that is
// not running (`container "a" is not running: ContainerCreating`); kInvalidArgument for an
// unknown container or several without -c.
StatusOr<ExecTarget> ResolveExecTarget(const manifests::Object& pod, const std::string& requested_container);

// What a Node object says about its runtime (annotations written by its moor agent).
struct NodeRuntime {
  std::string runc_root;  // moor.dev/runc-root: the --root of that node's runc
  std::string host;       // moor.dev/host: hostname of the machine the agent runs on
};

// kFailedPrecondition naming the missing annotation.
StatusOr<NodeRuntime> NodeRuntimeOf(const manifests::Object& node);

// Ok when the node's agent runs on `local_host`; otherwise kFailedPrecondition "exec into
// pods on node X is not supported from this host yet (...)".
Status CheckExecFromHere(const std::string& node_name, const NodeRuntime& runtime, const std::string& local_host);

// runc --root ROOT exec [-t] ID CMD...
std::vector<std::string> RuncExecArgv(const NodeRuntime& runtime, const std::string& container_id, bool tty,
                                      const std::vector<std::string>& command);

}  // namespace moor::cli
