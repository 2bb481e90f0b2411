#pragma once

#include <chrono>
#include <memory>

#include "moor/common/status.h"
#include "moor/store/store.h"

namespace moor::reconciler {

struct NamespaceControllerOptions {
  store::Store* store = nullptr;  // required, not owned; must outlive the controller
  // How long a namespace whose content is still going (Terminating pods) waits before it is
  // looked at again without a Pod deletion having woken it. A safety net: Pod deletions in a
  // Terminating namespace wake it at once.
  std::chrono::milliseconds recheck_interval{5000};
};

// Kubernetes' namespace controller: empties a Namespace that is being deleted, then removes it.
//
// For a Namespace with metadata.deletionTimestamp set (the store marks a non-empty Namespace so
// on delete; see WriteOp in moor/store/store.h), a reconcile deletes, with default options,
// every object of every namespaced kind moor serves (manifests::SupportedKinds) in that
// namespace — Events too — each with its uid as precondition. Bound Pods are thereby only
// marked Terminating; their node agent stops them and removes them. Once nothing is left, the
// controller deletes the Namespace again (uid precondition), which the store now removes.
//
// Driven by a watch of Namespaces (keyed by name; every Terminating one is reconciled after
// each list, so a restart resumes from the store) and of Pods (a Pod removed from a
// Terminating namespace wakes it at once). Creates in a Terminating namespace are refused by
// the store, so a controller cannot refill it. Errors are retried with backoff (ControllerLoop).
class NamespaceController {
 public:
  // Starts the watches and the worker thread and returns. Fails only on missing options.
  static StatusOr<std::unique_ptr<NamespaceController>> Start(NamespaceControllerOptions options);
  virtual ~NamespaceController() = default;
  // Stops the threads; no write happens after it returns. Idempotent.
  virtual void Stop() = 0;
};

}  // namespace moor::reconciler
