#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "moor/common/status.h"
#include "moor/manifests/object.h"

namespace moor::store {

// Pure rules the store applies to objects, kept apart from SQLite so they read (and test)
// on their own. None of them throws.

// "deployments.apps", "pods"; for a kind moor does not know, its lower-case plural.
std::string GroupResourceOf(std::string_view kind);

// kube-apiserver's messages, e.g. `deployments.apps "web" already exists`.
Status AlreadyExists(const manifests::ObjectKey& key);
Status NotFound(const manifests::ObjectKey& key);
Status StaleResourceVersion(const manifests::ObjectKey& key);
Status UidMismatch(const manifests::ObjectKey& key, std::string_view precondition_uid, std::string_view stored_uid);
Status DeletePreconditionFailed(const manifests::ObjectKey& key, int64_t precondition_rv, int64_t stored_rv);
// A create of a name whose object is still being deleted (kAlreadyExists), and an update of
// such an object (kConflict).
Status BeingDeletedExists(const manifests::ObjectKey& key);
Status BeingDeletedUpdate(const manifests::ObjectKey& key);

// A random UUID in version-4 format ("3f0c...-....-4...-[89ab]...-............").
std::string NewUid();
// `length` random characters from [a-z0-9], as the suffix of metadata.generateName.
std::string RandomNameSuffix(size_t length = 5);

// metadata.resourceVersion of `obj` (a decimal string, or a number): nullopt if absent or
// empty; kInvalidArgument if it is not a non-negative integer.
StatusOr<std::optional<int64_t>> ResourceVersionOf(const manifests::Object& obj);
// metadata.<field> as a string; "" if absent or not a string.
std::string MetadataString(const manifests::Object& obj, std::string_view field);

// True if `a` and `b` are equal outside `metadata` and `status`: the part whose change
// bumps metadata.generation.
bool SpecEqual(const manifests::Object& a, const manifests::Object& b);

// `input` with every ServerPopulatedFields() value it leaves unset copied from `stored`: an
// update or apply keeps what a controller filled in (a Pod's spec.nodeName, a Service's
// clusterIP), as the Kubernetes API server does. Except what the new spec makes meaningless (as
// Kubernetes' Service strategy): a Service's node ports unless it is (still) NodePort or
// LoadBalancer, its cluster IPs if it became ExternalName.
manifests::Object KeepServerPopulatedFields(const manifests::Object& input, const manifests::Object& stored);

// Compact JSON; invalid UTF-8 is replaced rather than thrown on. Deterministic (object
// keys are sorted), so equal trees give equal text.
std::string DumpJson(const manifests::Object& obj);

}  // namespace moor::store
