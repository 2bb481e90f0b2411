#include "moor/netproxy/dns/upstream.h"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "moor/common/ipv4_cidr.h"

namespace moor::netproxy::dns {

std::string Upstream::ToString() const { return FormatIpv4Address(ip) + ":" + std::to_string(port); }

StatusOr<Upstream> ParseUpstream(std::string_view text) {
  Upstream up;
  std::string_view host = text;
  auto colon = text.find(':');
  if (colon != std::string_view::npos) {
    host = text.substr(0, colon);
    std::string_view port = text.substr(colon + 1);
    int value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value <= 0 || value > 65535) {
      return InvalidArgumentError("upstream DNS server \"" + std::string(text) +
                                  "\": expected an IPv4 address with an optional :port (1-65535)");
    }
    up.port = static_cast<std::uint16_t>(value);
  }
  auto ip = ParseIpv4Address(host);
  if (!ip.ok()) {
    return InvalidArgumentError("upstream DNS server \"" + std::string(text) +
                                "\": expected an IPv4 address with an optional :port");
  }
  up.ip = *ip;
  return up;
}

std::vector<Upstream> NameserversFromResolvConf(std::string_view content, std::uint32_t exclude) {
  std::vector<Upstream> out;
  std::istringstream in{std::string(content)};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string keyword, address;
    if (!(words >> keyword >> address) || keyword != "nameserver") continue;
    auto ip = ParseIpv4Address(address);
    if (!ip.ok() || *ip == exclude) continue;
    Upstream up;
    up.ip = *ip;
    if (std::find(out.begin(), out.end(), up) == out.end()) out.push_back(up);
  }
  return out;
}

std::vector<Upstream> UpstreamList::Order() const {
  std::size_t first;
  {
    std::lock_guard<std::mutex> lock(mu_);
    first = preferred_;
  }
  std::vector<Upstream> out;
  for (std::size_t i = 0; i < upstreams_.size(); ++i) out.push_back(upstreams_[(first + i) % upstreams_.size()]);
  return out;
}

void UpstreamList::ReportSuccess(const Upstream& upstream) {
  std::lock_guard<std::mutex> lock(mu_);
  for (std::size_t i = 0; i < upstreams_.size(); ++i) {
    if (upstreams_[i] == upstream) preferred_ = i;
  }
}

void UpstreamList::ReportFailure(const Upstream& upstream) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!upstreams_.empty() && upstreams_[preferred_] == upstream) preferred_ = (preferred_ + 1) % upstreams_.size();
}

}  // namespace moor::netproxy::dns
