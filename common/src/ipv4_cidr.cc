#include "moor/common/ipv4_cidr.h"

#include <charconv>

namespace moor {

namespace {

// Parses a decimal number of up to `max_digits` digits without sign or leading '+'.
bool ParseDecimal(std::string_view text, int max_digits, int* out) {
  if (text.empty() || static_cast<int>(text.size()) > max_digits) return false;
  if (text.size() > 1 && text.front() == '0') return false;  // no octal-looking "010"
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

StatusOr<std::uint32_t> ParseIpv4Address(std::string_view text) {
  std::uint32_t address = 0;
  std::string_view rest = text;
  for (int i = 0; i < 4; ++i) {
    std::size_t dot = rest.find('.');
    std::string_view part = i < 3 ? rest.substr(0, dot) : rest;
    if (i < 3 && dot == std::string_view::npos) break;
    int octet = 0;
    if (!ParseDecimal(part, 3, &octet) || octet > 255) break;
    address = (address << 8) | static_cast<std::uint32_t>(octet);
    if (i == 3) return address;
    rest = rest.substr(dot + 1);
  }
  return InvalidArgumentError("\"" + std::string(text) + "\" is not an IPv4 address");
}

std::string FormatIpv4Address(std::uint32_t address) {
  return std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 0xff) + "." +
         std::to_string((address >> 8) & 0xff) + "." + std::to_string(address & 0xff);
}

StatusOr<Ipv4Cidr> Ipv4Cidr::Parse(std::string_view text) {
  std::size_t slash = text.find('/');
  int prefix_len = 0;
  if (slash == std::string_view::npos || !ParseDecimal(text.substr(slash + 1), 2, &prefix_len) || prefix_len > 32) {
    return InvalidArgumentError("\"" + std::string(text) + "\" is not an IPv4 CIDR like 10.42.0.0/16");
  }
  auto address = ParseIpv4Address(text.substr(0, slash));
  if (!address.ok()) {
    return InvalidArgumentError("\"" + std::string(text) + "\" is not an IPv4 CIDR like 10.42.0.0/16");
  }
  Ipv4Cidr cidr;
  cidr.prefix_len = prefix_len;
  cidr.network = *address;
  if ((cidr.network & ~cidr.Mask()) != 0) {
    return InvalidArgumentError("\"" + std::string(text) + "\" has host bits set; did you mean " +
                                FormatIpv4Address(cidr.network & cidr.Mask()) + "/" + std::to_string(prefix_len) + "?");
  }
  return cidr;
}

std::uint32_t Ipv4Cidr::Mask() const {
  return prefix_len == 0 ? 0u : ~std::uint32_t{0} << (32 - prefix_len);
}

bool Ipv4Cidr::ContainsAddress(std::uint32_t address) const { return (address & Mask()) == network; }

bool Ipv4Cidr::Contains(const Ipv4Cidr& inner) const {
  return inner.prefix_len >= prefix_len && ContainsAddress(inner.network);
}

bool Ipv4Cidr::Overlaps(const Ipv4Cidr& other) const { return Contains(other) || other.Contains(*this); }

std::string Ipv4Cidr::ToString() const { return FormatIpv4Address(network) + "/" + std::to_string(prefix_len); }

}  // namespace moor
