#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "moor/netproxy/dns/cluster_view.h"
#include "moor/netproxy/dns/dns_message.h"

namespace moor::netproxy::dns {

struct ResolverConfig {
  std::string domain = "cluster.local";  // lower case, no trailing dot
  std::uint32_t ttl = 5;                 // seconds, on every record
};

// What the cluster zone says about one question.
struct Resolution {
  // False: the name is outside the cluster domain; the server forwards the query upstream and
  // nothing else here is meaningful.
  bool in_zone = false;
  std::uint8_t rcode = kRcodeNoError;
  std::vector<Record> answers;
  std::vector<Record> authority;   // the zone's SOA for NXDOMAIN and NODATA
  std::vector<Record> additional;  // A records of SRV targets
  // An ExternalName CNAME to a name outside the zone: the server may resolve `chase` (for the
  // question's type) upstream and append those answers. "" otherwise.
  std::string chase;
};

// Answers `question` from the cluster view, as CoreDNS's kubernetes plugin (k3s's Corefile,
// `pods insecure`) does:
// - <svc>.<ns>.svc.<domain> A: the clusterIP; a headless Service: its ready endpoint addresses;
//   an ExternalName Service: a CNAME (for every type).
// - <host>.<svc>.<ns>.svc.<domain> A for a headless Service's ready address whose hostname is
//   <host> or whose address written with dashes ("10-42-0-7") is <host>.
// - _<port>._<proto>.<svc>.<ns>.svc.<domain> SRV for a named port: the Service name (ClusterIP)
//   or one record per ready address (headless), targets' A records in additional.
// - <a-b-c-d>.<ns>.pod.<domain> A: a.b.c.d.
// - Names that exist but have no record of the asked type: NOERROR, no answer, SOA (NODATA).
// - Every other name in the domain: NXDOMAIN with the SOA in authority.
// - <d>.<c>.<b>.<a>.in-addr.arpa PTR for a clusterIP or a headless Service's ready address
//   (ClusterView::ReverseName); other reverse names are not in the zone (forwarded, as CoreDNS's
//   `fallthrough in-addr.arpa`).
// Names compare case-insensitively; answers carry the question's name as asked. A class other
// than IN/ANY inside the zone is REFUSED.
Resolution Resolve(const Question& question, const ClusterView& view, const ResolverConfig& config);

}  // namespace moor::netproxy::dns
