#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "moor/common/status.h"
#include "moor/manifests/object.h"

namespace moor::runtime {

using manifests::Object;
using manifests::ObjectKey;

// Reads a ConfigMap or Secret for env and volumes; kNotFound if absent.
using ObjectLookup = std::function<StatusOr<Object>(const ObjectKey&)>;

// What downward-API references (fieldRef) can see.
struct PodFacts {
  std::string pod_ip;
  std::string host_ip;
  std::string node_name;
};

// Kubernetes' $(VAR) expansion (third_party/forked/golang/expansion): "$(NAME)" becomes the
// value of NAME if it is defined and stays as written otherwise; "$$" is a literal "$".
std::string ExpandVariables(const std::string& input, const std::map<std::string, std::string>& vars);

// The container's environment as "KEY=value" entries, in the order a runtime applies them:
// the image config's Env, then envFrom (ConfigMap / Secret, with prefix), then env (value with
// $(VAR) expansion over what came before, valueFrom configMapKeyRef / secretKeyRef / fieldRef /
// resourceFieldRef). Later entries replace earlier ones of the same name. Errors are
// kFailedPrecondition with kubelet's words (`configmap "cfg" not found`,
// `couldn't find key db in Secret default/creds`); optional references that are missing are skipped.
StatusOr<std::vector<std::string>> ResolveContainerEnv(const Object& pod, const Object& container,
                                                       const Object& image_config, const PodFacts& facts,
                                                       const ObjectLookup& lookup);

// The process argv (kubelet's rules): command replaces the image Entrypoint and drops its Cmd;
// args replace Cmd; both expanded with $(VAR) over `env`. kInvalidArgument if nothing is left.
StatusOr<std::vector<std::string>> ResolveContainerArgs(const Object& container, const Object& image_config,
                                                        const std::vector<std::string>& env);

// The decoded data of a ConfigMap (data + binaryData) or Secret (data base64-decoded, then
// stringData), key -> bytes.
StatusOr<std::map<std::string, std::string>> ObjectDataOf(const Object& obj);

}  // namespace moor::runtime
