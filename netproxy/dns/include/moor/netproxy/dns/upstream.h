#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "moor/common/status.h"

namespace moor::netproxy::dns {

// A DNS server names outside the cluster domain are forwarded to.
struct Upstream {
  std::uint32_t ip = 0;  // host byte order
  std::uint16_t port = 53;
  std::string ToString() const;  // "192.0.2.1:53"
  bool operator==(const Upstream&) const = default;
};

// "192.0.2.1:5353", or "192.0.2.1" for port 53. kInvalidArgument naming the text otherwise
// (IPv6 upstreams are not supported).
StatusOr<Upstream> ParseUpstream(std::string_view text);

// The IPv4 `nameserver` lines of a resolv.conf, in order, on port 53; IPv6 and malformed lines
// are skipped, and so is `exclude` (the cluster DNS's own address: forwarding to it would loop).
std::vector<Upstream> NameserversFromResolvConf(std::string_view content, std::uint32_t exclude = 0);

// Which upstream to ask first. Queries go to the upstream that answered last; when it fails
// the next one in configured order becomes the first choice. Thread-safe.
class UpstreamList {
 public:
  explicit UpstreamList(std::vector<Upstream> upstreams) : upstreams_(std::move(upstreams)) {}

  // Every upstream once, the preferred one first, then the rest in configured order after it.
  std::vector<Upstream> Order() const;
  void ReportSuccess(const Upstream& upstream);
  void ReportFailure(const Upstream& upstream);
  bool empty() const { return upstreams_.empty(); }

 private:
  const std::vector<Upstream> upstreams_;
  mutable std::mutex mu_;
  std::size_t preferred_ = 0;  // GUARDED_BY(mu_)
};

}  // namespace moor::netproxy::dns
