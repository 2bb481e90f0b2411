#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "moor/common/status.h"

namespace moor {

// An IPv4 prefix such as "10.42.0.0/16". Parse() accepts only canonical prefixes (no host bits
// set), so "10.42.0.1/16" is rejected rather than silently widened.
struct Ipv4Cidr {
  std::uint32_t network = 0;  // host byte order
  int prefix_len = 0;         // 0..32

  static StatusOr<Ipv4Cidr> Parse(std::string_view text);

  std::uint32_t Mask() const;
  // True if every address of `inner` is inside this prefix.
  bool Contains(const Ipv4Cidr& inner) const;
  bool ContainsAddress(std::uint32_t address) const;
  bool Overlaps(const Ipv4Cidr& other) const;
  std::string ToString() const;

  bool operator==(const Ipv4Cidr&) const = default;
};

// "10.42.0.7" -> host-order address; kInvalidArgument for anything else.
StatusOr<std::uint32_t> ParseIpv4Address(std::string_view text);
std::string FormatIpv4Address(std::uint32_t address);

}  // namespace moor
