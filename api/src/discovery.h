#pragma once

#include <optional>
#include <string>

#include "moor/manifests/object.h"

namespace moor::api {

using manifests::Object;

// The Kubernetes version moor's API reports: within kubectl 1.32's supported skew. The
// "+moor" suffix says it is moor's API shaped like this version of kube-apiserver.
inline constexpr const char* kKubernetesMajor = "1";
inline constexpr const char* kKubernetesMinor = "32";
inline constexpr const char* kGitVersion = "v1.32.0+moor";

// GET /version
Object VersionInfo();
// GET /api (APIVersions). server_address: "127.0.0.1:6443".
Object CoreApiVersions(const std::string& server_address);
// GET /apis (APIGroupList): every non-core group of manifests::SupportedKinds().
Object ApiGroupList();
// GET /api/v1, /apis/<group>/<version> (APIResourceList); nullopt if nothing is served there.
std::optional<Object> ApiResourceList(const std::string& group, const std::string& version);

}  // namespace moor::api
