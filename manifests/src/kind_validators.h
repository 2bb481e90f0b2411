#pragma once

#include "moor/manifests/object.h"
#include "reporter.h"

namespace moor::manifests::internal {

// Semantic validation per kind, as kube-apiserver's Validate<Kind> functions. Each runs only
// after the schema check passed, so fields have the right JSON types (accessors still
// tolerate anything). ObjectMeta is validated separately (meta_validation.h).
void ValidateDeployment(const Object& obj, Reporter& r);
void ValidateReplicaSet(const Object& obj, Reporter& r);
void ValidateDaemonSet(const Object& obj, Reporter& r);
void ValidateStatefulSet(const Object& obj, Reporter& r);
void ValidateJob(const Object& obj, Reporter& r);
void ValidateCronJob(const Object& obj, Reporter& r);

void ValidatePod(const Object& obj, Reporter& r);
void ValidateService(const Object& obj, Reporter& r);
void ValidateConfigMap(const Object& obj, Reporter& r);
void ValidateSecret(const Object& obj, Reporter& r);
void ValidateNamespace(const Object& obj, Reporter& r);
void ValidatePersistentVolumeClaim(const Object& obj, Reporter& r);
void ValidateResourceQuota(const Object& obj, Reporter& r);
void ValidateLimitRange(const Object& obj, Reporter& r);

void ValidateIngress(const Object& obj, Reporter& r);
void ValidateHorizontalPodAutoscaler(const Object& obj, Reporter& r);

// A PersistentVolumeClaimSpec at `path` (also used by StatefulSet volumeClaimTemplates).
void ValidatePvcSpec(const Object& spec, const std::string& path, Reporter& r);

}  // namespace moor::manifests::internal
