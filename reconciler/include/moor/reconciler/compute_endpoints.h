#pragma once

#include <map>
#include <string>
#include <vector>

#include "moor/manifests/object.h"

namespace moor::reconciler {

// The label that marks an Endpoints object as written by the EndpointsController (the value
// Kubernetes' EndpointSlice controller uses). Endpoints without it belong to someone else and
// are never deleted.
inline constexpr char kEndpointsManagedByLabel[] = "endpoints.kubernetes.io/managed-by";
inline constexpr char kEndpointsManagedByValue[] = "endpoint-controller";
// Kubernetes' label on the Endpoints of a headless Service (spec.clusterIP "None").
inline constexpr char kHeadlessServiceLabel[] = "service.kubernetes.io/headless";

// The v1 Endpoints object that Kubernetes' endpoints controller keeps for `service`, given the
// pods that exist (`pods` may hold any pods: those in other namespaces or not matching the
// Service's spec.selector are ignored). Pure; never throws on mistyped fields.
//
// - A pod counts if it has status.podIP, is not terminal (phase Succeeded/Failed), and is not
//   terminating (metadata.deletionTimestamp) unless spec.publishNotReadyAddresses is true.
// - Its address {ip, nodeName, targetRef {kind: Pod, namespace, name, uid}} goes to
//   `addresses` when its Ready condition is True or publishNotReadyAddresses is true, else to
//   `notReadyAddresses`.
// - Each Service port gives an endpoint port {name (if any), port, protocol, appProtocol (if
//   any)}; port is the targetPort: a number, or a name looked up in the pod's
//   containers[].ports[] (same name and protocol) — a pod without that name is left out for
//   that port; an absent targetPort means the Service port. A headless Service without ports
//   lists its pods with no ports; any other Service without ports lists none.
// - Pods with the same set of resolved ports share one subset. Addresses are sorted by IP
//   (then pod uid), ports by name, port and protocol, subsets by their ports: the same input
//   always yields the same object. No pods: no `subsets` field.
// - metadata: the Service's name and namespace; labels: the Service's, plus the headless label
//   for a headless Service and kEndpointsManagedByLabel.
// The selector is not checked for emptiness here: the controller decides whether a Service
// gets Endpoints at all (only with a non-empty spec.selector).
manifests::Object ComputeEndpoints(const manifests::Object& service, const std::vector<manifests::Object>& pods);

// True if `endpoints` carries kEndpointsManagedByLabel with kEndpointsManagedByValue.
bool IsManagedEndpoints(const manifests::Object& endpoints);

// True if the labels and subsets of two Endpoints objects are the same (an absent field equals
// an empty one); everything else (resourceVersion, annotations, ...) is ignored.
bool SameEndpointsContent(const manifests::Object& a, const manifests::Object& b);

// The non-empty spec.selector of a Service as a label map, or an empty map when it has none
// (absent, null, {} or mistyped).
std::map<std::string, std::string> ServiceSelector(const manifests::Object& service);

}  // namespace moor::reconciler
