#pragma once

#include <string>
#include <string_view>

#include "moor/common/status.h"
#include "moor/manifests/object.h"

namespace moor::store {

// The rules kube-apiserver applies to the life of a Namespace (its namespace storage and the
// NamespaceLifecycle admission plugin), kept apart from SQLite. Pure; see WriteOp in
// moor/store/store.h for the contract the store builds from them.

// "default", "kube-system" and "kube-public": kube-apiserver refuses to delete them.
bool IsImmortalNamespace(std::string_view name);

// The status a new Namespace gets: {"phase": "Active"}.
manifests::Object ActiveNamespaceStatus();
// `status` (a Namespace's, possibly null) with phase "Terminating".
manifests::Object TerminatingNamespaceStatus(const manifests::Object& status);

// PermissionDenied (HTTP 403 Forbidden): `namespaces "default" is forbidden: this namespace
// may not be deleted`.
Status ImmortalNamespaceDelete(std::string_view name);
// PermissionDenied (HTTP 403 Forbidden) for a create of `key` in a namespace being deleted:
// `configmaps "x" is forbidden: unable to create new content in namespace ns because it is
// being terminated`.
Status NamespaceTerminatingCreate(const manifests::ObjectKey& key);

}  // namespace moor::store
