#include "moor/reconciler/service_ip_range.h"

namespace moor::reconciler {
namespace {

// First and last usable address (host order, 64-bit so /0 does not overflow).
std::pair<std::uint64_t, std::uint64_t> UsableRange(const Ipv4Cidr& cidr) {
  std::uint64_t first = cidr.network;
  std::uint64_t last = first + (std::uint64_t{1} << (32 - cidr.prefix_len)) - 1;
  if (cidr.prefix_len <= 30) {
    ++first;
    --last;
  }
  return {first, last};
}

}  // namespace

bool IsUsableServiceIp(const Ipv4Cidr& cidr, std::uint32_t address) {
  auto [first, last] = UsableRange(cidr);
  return address >= first && address <= last;
}

StatusOr<std::uint32_t> PickFreeServiceIp(const Ipv4Cidr& cidr, const std::set<std::uint32_t>& taken) {
  auto [first, last] = UsableRange(cidr);
  std::uint64_t candidate = first;
  // `taken` is sorted: walk it from the first usable address to the first gap.
  for (auto it = taken.lower_bound(static_cast<std::uint32_t>(first)); it != taken.end() && *it == candidate; ++it) {
    ++candidate;
  }
  if (candidate > last) {
    return ResourceExhaustedError("no free ClusterIP left in the service CIDR " + cidr.ToString() +
                                  ": delete unused Services or widen the serviceCIDR setting");
  }
  return static_cast<std::uint32_t>(candidate);
}

}  // namespace moor::reconciler
