#pragma once

#include <map>
#include <string>
#include <vector>

#include "container_env.h"
#include "moor/runtime/container_spec.h"

namespace moor::runtime {

// What the sandbox gives every container of a pod.
struct SandboxFacts {
  std::string netns_path;
  std::string hostname;
  std::string hosts_file;        // host path bind-mounted at /etc/hosts
  std::string resolv_conf_file;  // host path bind-mounted at /etc/resolv.conf
  std::string hostname_file;     // host path bind-mounted at /etc/hostname
};

// Turns one entry of a pod's containers[] / initContainers[] into a ContainerSpec (pure: every
// input is passed in). `volume_paths` maps volume names to host paths (PodVolumes::Prepare);
// `layers` are the image's unpacked layer dirs. kInvalidArgument for a volumeMount naming an
// unknown volume or a bad subPath, or a resource quantity that does not parse.
StatusOr<ContainerSpec> BuildContainerSpec(const Object& pod, const Object& container, const Object& image_config,
                                           const std::vector<std::string>& env, const std::vector<std::string>& args,
                                           const std::map<std::string, std::string>& volume_paths,
                                           const SandboxFacts& sandbox);

// cgroup limits from `resources` (requests.cpu -> shares, limits.cpu -> quota, limits.memory).
StatusOr<ResourceLimits> ResourceLimitsOf(const Object& container);

// The pod's hostname: spec.hostname, else the pod's name, cut to 63 characters (a DNS label, and
// what sethostname takes).
std::string PodHostname(const Object& pod);

// /etc/hosts as kubelet writes it (localhost entries, then "<podIP>\t<hostname>", hostAliases).
std::string PodHostsFile(const Object& pod, const std::string& pod_ip, const std::string& hostname);

// /etc/resolv.conf for dnsPolicy ClusterFirst (the default): the cluster DNS, the search path
// <ns>.svc.<domain> svc.<domain> <domain>, ndots:5; dnsPolicy Default copies `host_resolv_conf`;
// spec.dnsConfig adds nameservers, searches and options.
std::string PodResolvConf(const Object& pod, const std::string& cluster_dns, const std::string& cluster_domain,
                          const std::string& host_resolv_conf);

// A stable hash of the parts of a container spec that require a restart when changed (image,
// command, args, env, ports, volumeMounts, resources, securityContext, probes excluded).
std::string ContainerSpecHash(const Object& container);

}  // namespace moor::runtime
