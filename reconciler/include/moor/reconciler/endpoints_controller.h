#pragma once

#include <memory>

#include "moor/common/status.h"
#include "moor/store/store.h"

namespace moor::reconciler {

struct EndpointsControllerOptions {
  store::Store* store = nullptr;  // required, not owned; must outlive the controller
};

// Kubernetes' endpoints controller: for every Service with a non-empty spec.selector, keeps a
// v1 Endpoints object of the same namespace and name equal to ComputeEndpoints(service, pods)
// (compute_endpoints.h), driven by watches on Services, Pods and Endpoints (no polling: a pod's
// readiness change shows within one reconcile).
//
// - Writes only when labels or subsets differ from the stored Endpoints, with the stored
//   resourceVersion as precondition (a conflict is retried); an unchanged Service or pod
//   causes no write. A same-named Endpoints of a Service with a selector is taken over, as
//   Kubernetes does.
// - Deletes the Endpoints when its Service is deleted or loses its selector — only Endpoints
//   carrying kEndpointsManagedByLabel; a hand-written Endpoints of a selectorless Service is
//   never touched. Managed Endpoints whose Service went while moor was down go at start.
class EndpointsController {
 public:
  // Starts the watches and the worker thread and returns; the first reconciles run once the
  // Services, Pods and Endpoints have been listed. Fails only on missing options.
  static StatusOr<std::unique_ptr<EndpointsController>> Start(EndpointsControllerOptions options);
  virtual ~EndpointsController() = default;
  // Stops the threads; no write happens after it returns. Idempotent.
  virtual void Stop() = 0;
};

}  // namespace moor::reconciler
