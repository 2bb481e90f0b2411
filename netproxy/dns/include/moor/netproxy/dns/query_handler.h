#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "moor/netproxy/dns/cluster_view.h"
#include "moor/netproxy/dns/dns_message.h"
#include "moor/netproxy/dns/resolver.h"
#include "moor/netproxy/dns/upstream_forwarder.h"

namespace moor::netproxy::dns {

enum class Transport { kUdp, kTcp };

// Turns one query into one reply: cluster names from the view (Resolve), the rest through the
// forwarder. Thread-safe (the forwarder is).
class QueryHandler {
 public:
  // `forwarder` may be null: names outside the domain then get SERVFAIL.
  QueryHandler(ResolverConfig config, UpstreamForwarder* forwarder) : config_(std::move(config)), forwarder_(forwarder) {}

  // The reply to send for `wire`:
  // - "" (send nothing) for a packet shorter than a header or that is itself a response;
  // - FORMERR for a malformed query or one without exactly one question, NOTIMP for an opcode
  //   other than QUERY;
  // - the cluster zone's answer (AA set), an upstream's reply (SERVFAIL if none answered).
  // Over UDP a reply is cut to 512 bytes, or to the query's EDNS size (at most 1232), with TC.
  // With `may_block` false nothing is sent upstream: nullopt means "call again with true on a
  // thread that may wait for upstream servers".
  std::optional<std::string> Handle(std::string_view wire, Transport transport, const ClusterView& view,
                                    bool may_block);

 private:
  std::string Reply(const Message& query, Message reply, Transport transport) const;
  std::string ServFail(const Message& query, Transport transport) const;
  // Upstream answers for (name, type), appended to `out`; nothing on failure.
  void Chase(const Question& question, std::vector<Record>* out);

  ResolverConfig config_;
  UpstreamForwarder* forwarder_;
};

}  // namespace moor::netproxy::dns
