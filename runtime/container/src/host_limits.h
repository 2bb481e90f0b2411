#pragma once

#include <cstdint>
#include <string_view>

namespace moor::runtime {

// What this process may hand to its containers.
struct HostLimits {
  std::uint64_t nofile_limit = 1048576;             // RLIMIT_NOFILE for containers
  std::uint64_t bounding_capabilities = ~std::uint64_t{0};  // CapBnd
};

// Reads /proc/self/status and getrlimit(RLIMIT_NOFILE).
HostLimits DetectHostLimits();

// The hex mask after `key` ("CapBnd") in /proc/<pid>/status text; ~0 if absent.
std::uint64_t ParseCapabilityMask(std::string_view status, std::string_view key);

// 1048576 (the kubelet/Docker value) when the process may raise hard limits
// (CAP_SYS_RESOURCE in `effective_caps`), else min(1048576, current_hard_limit): runc cannot
// give a container more than its caller has.
std::uint64_t ContainerNofileLimit(std::uint64_t effective_caps, std::uint64_t current_hard_limit);

}  // namespace moor::runtime
