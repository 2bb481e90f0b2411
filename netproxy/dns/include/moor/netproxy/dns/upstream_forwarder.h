#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "moor/common/status.h"
#include "moor/netproxy/dns/upstream.h"

namespace moor::netproxy::dns {

// Sends queries to upstream DNS servers over real sockets. Thread-safe: each Forward() uses
// its own sockets.
class UpstreamForwarder {
 public:
  // `timeout` bounds the wait for each upstream (and each of its UDP and TCP attempts).
  UpstreamForwarder(std::vector<Upstream> upstreams, std::chrono::milliseconds timeout);

  // Sends `query` (a whole encoded query) to the upstreams in UpstreamList order until one
  // answers. The query goes out over UDP under a fresh random id (a reply must come from that
  // upstream with that id and the same question); a truncated (TC) reply is retried over TCP to
  // the same upstream. Returns the reply with the original id restored. kUnavailable when no
  // upstream answered in time or none is configured (the caller answers SERVFAIL).
  StatusOr<std::string> Forward(std::string_view query);

  bool empty() const { return list_.empty(); }

 private:
  StatusOr<std::string> ExchangeUdp(const Upstream& upstream, const std::string& query);
  StatusOr<std::string> ExchangeTcp(const Upstream& upstream, const std::string& query);

  UpstreamList list_;
  std::chrono::milliseconds timeout_;
};

}  // namespace moor::netproxy::dns
