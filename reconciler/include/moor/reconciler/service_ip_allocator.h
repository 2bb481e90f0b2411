#pragma once

#include <memory>
#include <string>
#include <vector>

#include "moor/common/status.h"
#include "moor/store/store.h"

namespace moor::reconciler {

struct ServiceIPAllocatorOptions {
  store::Store* store = nullptr;  // required, not owned; must outlive the allocator
  std::string service_cidr = "10.43.0.0/16";
  // Never handed out (a Service may still ask for one explicitly, as kube-dns asks for .10).
  std::vector<std::string> reserved = {"10.43.0.1", "10.43.0.10"};
  // "first-last", inclusive: where node ports of NodePort / LoadBalancer Services come from
  // (kube-apiserver's --service-node-port-range).
  std::string node_port_range = "30000-32767";
};

// kube-apiserver's ClusterIP allocation, as a controller watching Services:
//
// - A Service without spec.clusterIP (and not of type ExternalName) gets the lowest free usable
//   address of the CIDR — not the network or broadcast address, not a reserved one, not one
//   another Service has — written as spec.clusterIP, spec.clusterIPs [ip], spec.ipFamilies
//   [IPv4] and spec.ipFamilyPolicy SingleStack with the resourceVersion precondition (a
//   conflict is retried on the newer object). Lowest-free, not random: the result is
//   predictable, at the price of reusing a deleted Service's address at once.
//   One worker allocates, from a fresh list of the store each time, so two Services never get
//   the same address from it.
// - "None" (headless) is left alone. A user-given clusterIP that is valid is kept (clusterIPs
//   is filled in if missing); one outside the CIDR, or already used by an older Service, is
//   left as is and gets a Warning Event on the Service (reason ClusterIPOutOfRange or
//   ClusterIPAlreadyAllocated), once per address.
// - A full CIDR gives a Warning Event (ClusterIPNotAllocated) and retries with backoff.
// - Node ports, once the Service has its ClusterIP: every spec.ports[] of a NodePort or
//   LoadBalancer Service (LoadBalancer is served as NodePort: no load balancer exists) without
//   `nodePort` gets the lowest port of node_port_range that no port of any Service holds
//   (unique across Services and protocols), written in one update. A user-given
//   nodePort outside the range, or held by another Service (the one seen first, else the
//   older, keeps it), or by an earlier port of the same Service, stays as it is and gets a
//   Warning Event (NodePortOutOfRange / NodePortAlreadyAllocated), once per port; a full
//   range gives NodePortNotAllocated and retries with backoff.
class ServiceIPAllocator {
 public:
  // Fails on missing store, an unparsable CIDR or reserved address; otherwise starts the watch
  // and worker threads and returns.
  static StatusOr<std::unique_ptr<ServiceIPAllocator>> Start(ServiceIPAllocatorOptions options);
  virtual ~ServiceIPAllocator() = default;
  // Stops the threads; no write happens after it returns. Idempotent.
  virtual void Stop() = 0;
};

}  // namespace moor::reconciler
