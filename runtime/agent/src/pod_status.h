#pragma once

#include <string>

#include "moor/manifests/object.h"
#include "pod_observation.h"

namespace moor::runtime {

using manifests::Object;

// The pod's status as Kubernetes reports it, from what the agent observed (pure): phase,
// conditions (PodScheduled, Initialized, ContainersReady, Ready — lastTransitionTime kept from
// `previous` while a condition does not change), initContainerStatuses / containerStatuses
// (state, lastState, ready, started, restartCount, image, imageID, containerID), podIP(s),
// hostIP(s), startTime, qosClass.
Object BuildPodStatus(const Object& pod, const PodObservation& observation, const Object& previous,
                      const std::string& host_ip);

// "Guaranteed" | "Burstable" | "BestEffort" from the containers' requests and limits.
std::string QosClassOf(const Object& pod);

}  // namespace moor::runtime
