#pragma once

#include <string>
#include <vector>

#include "moor/manifests/object.h"
#include "reporter.h"

namespace moor::manifests::internal {

// What the owning kind allows for spec.restartPolicy of the pod (spec).
struct PodSpecRules {
  std::vector<std::string> restart_policies = {"Always", "OnFailure", "Never"};
  bool restart_policy_required = false;  // Job templates must say OnFailure or Never
  // Volume names provided outside the pod spec (StatefulSet volumeClaimTemplates), which
  // volumeMounts may reference.
  std::vector<std::string> extra_volumes;
};

// ValidatePodSpec: containers (names unique DNS-1123 labels, image, ports, env, mounts,
// resources with requests <= limits, probes), volumes, restartPolicy, dnsPolicy, ...
void ValidatePodSpec(const Object& spec, const std::string& path, const PodSpecRules& rules, Reporter& r);

// A pod template at `path` ("spec.template"): its labels/annotations and its spec.
void ValidatePodTemplate(const Object& tmpl, const std::string& path, const PodSpecRules& rules, Reporter& r);

// resources {limits, requests}: resource names, non-negative values, requests <= limits.
void ValidateResourceRequirements(const Object& resources, const std::string& path, Reporter& r);

// A port number (1..65535) or, when allow_name, an IANA_SVC_NAME, at `path`.
void ValidatePortNumOrName(const Object& port, const std::string& path, bool allow_name, Reporter& r);

}  // namespace moor::manifests::internal
