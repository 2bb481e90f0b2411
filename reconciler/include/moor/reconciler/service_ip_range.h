#pragma once

#include <cstdint>
#include <set>

#include "moor/common/ipv4_cidr.h"
#include "moor/common/status.h"

namespace moor::reconciler {

// Whether `address` may be a Service's ClusterIP in `cidr`: inside it and, for prefixes up to
// /30, neither its network nor its broadcast address.
bool IsUsableServiceIp(const Ipv4Cidr& cidr, std::uint32_t address);

// The lowest usable address of `cidr` (IsUsableServiceIp) that is not in `taken` (the
// addresses of existing Services and the reserved ones). kResourceExhausted, naming the CIDR,
// when every usable address is taken. Pure.
StatusOr<std::uint32_t> PickFreeServiceIp(const Ipv4Cidr& cidr, const std::set<std::uint32_t>& taken);

}  // namespace moor::reconciler
