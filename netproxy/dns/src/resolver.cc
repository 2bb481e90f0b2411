#include "moor/netproxy/dns/resolver.h"

#include <set>

#include "moor/common/ipv4_cidr.h"
#include "moor/netproxy/dns/dns_name.h"

namespace moor::netproxy::dns {
namespace {

using Labels = std::vector<std::string>;

// "10-42-0-7" -> 10.42.0.7; nullopt for anything else.
std::optional<std::uint32_t> ParseDashedIpv4(const std::string& label) {
  std::string dotted = label;
  for (char& c : dotted) {
    if (c == '-') c = '.';
    else if (c == '.') return std::nullopt;
  }
  auto ip = ParseIpv4Address(dotted);
  if (!ip.ok()) return std::nullopt;
  return *ip;
}

class ZoneAnswerer {
 public:
  ZoneAnswerer(const Question& q, const ClusterView& view, const ResolverConfig& config)
      : q_(q), view_(view), config_(config) {}

  Resolution Answer(const Labels& rest) {
    r_.in_zone = true;
    if (q_.klass != kClassIn && q_.klass != kClassAny) {
      r_.rcode = kRcodeRefused;
      return r_;
    }
    if (rest.empty()) return Apex();
    const std::string& kind = rest.back();
    if (kind == "svc") return Svc(rest);
    if (kind == "pod") return Pod(rest);
    return NxDomain();
  }

 private:
  bool Wants(std::uint16_t type) const { return q_.type == type || q_.type == kTypeAny; }
  std::string Fqdn(const std::string& relative) const { return relative + "." + config_.domain; }

  Record ZoneSoa() const {
    SoaData soa;
    soa.mname = "ns.dns." + config_.domain;
    soa.rname = "hostmaster." + config_.domain;
    soa.serial = 1;
    soa.refresh = 7200;
    soa.retry = 1800;
    soa.expire = 86400;
    soa.minimum = config_.ttl;
    return Record::Soa(config_.domain, config_.ttl, soa);
  }

  Resolution NxDomain() {
    r_.rcode = kRcodeNxDomain;
    r_.answers.clear();
    r_.additional.clear();
    r_.authority = {ZoneSoa()};
    return r_;
  }
  // NODATA when nothing was added.
  Resolution Done() {
    if (r_.answers.empty()) {
      r_.additional.clear();
      r_.authority = {ZoneSoa()};
    }
    return r_;
  }

  Resolution Apex() {
    if (Wants(kTypeSoa)) r_.answers.push_back(ZoneSoa());
    if (Wants(kTypeNs)) r_.answers.push_back(Record::Ns(q_.name, config_.ttl, "ns.dns." + config_.domain));
    return Done();
  }

  void AddA(const std::string& owner, std::uint32_t ip) {
    if (Wants(kTypeA)) r_.answers.push_back(Record::A(owner, config_.ttl, ip));
  }

  // rest ends in "svc".
  Resolution Svc(const Labels& rest) {
    std::size_t n = rest.size();
    if (n == 1) return Done();  // svc.<domain>
    const std::string& ns = rest[n - 2];
    if (n == 2) return view_.HasNamespace(ns) ? Done() : NxDomain();
    const ServiceEntry* svc = view_.Find(ns, rest[n - 3]);
    if (svc == nullptr) return NxDomain();
    if (n == 3) return Service(*svc);
    if (n == 4) {
      if (!rest[0].empty() && rest[0][0] == '_') return PortNameNode(*svc, rest[0]);
      return EndpointHostName(*svc, rest[0]);
    }
    if (n == 5 && rest[0].size() > 1 && rest[0][0] == '_' && rest[1].size() > 1 && rest[1][0] == '_') {
      return ServiceSrv(*svc, rest[0].substr(1), rest[1].substr(1));
    }
    return NxDomain();
  }

  Resolution Service(const ServiceEntry& svc) {
    switch (svc.type) {
      case ServiceEntry::Type::kExternalName:
        if (svc.external_name.empty()) return Done();
        r_.answers.push_back(Record::Cname(q_.name, config_.ttl, svc.external_name));
        if (q_.type != kTypeCname) {
          std::string zone_suffix = "." + config_.domain;
          bool outside = svc.external_name != config_.domain &&
                         !(svc.external_name.size() > zone_suffix.size() &&
                           svc.external_name.ends_with(zone_suffix));
          if (outside) r_.chase = svc.external_name;
        }
        return Done();
      case ServiceEntry::Type::kClusterIp:
        if (svc.cluster_ip) AddA(q_.name, *svc.cluster_ip);
        return Done();
      case ServiceEntry::Type::kHeadless: {
        std::set<std::uint32_t> seen;
        for (const EndpointSubset& s : svc.subsets) {
          for (const EndpointAddress& a : s.addresses) {
            if (seen.insert(a.ip).second) AddA(q_.name, a.ip);
          }
        }
        return Done();
      }
    }
    return Done();
  }

  // _<proto> or _<port> below a Service: an empty non-terminal when some SRV name lies below.
  Resolution PortNameNode(const ServiceEntry& svc, const std::string& label) {
    std::string proto = label.substr(1);
    for (const ServicePort& p : SrvPorts(svc)) {
      if (!p.name.empty() && p.protocol == proto) return Done();
    }
    return NxDomain();
  }

  Resolution EndpointHostName(const ServiceEntry& svc, const std::string& host) {
    if (svc.type != ServiceEntry::Type::kHeadless) return NxDomain();
    bool found = false;
    for (const EndpointSubset& s : svc.subsets) {
      for (const EndpointAddress& a : s.addresses) {
        if (EndpointHost(a) != host) continue;
        if (!found) AddA(q_.name, a.ip);
        found = true;
      }
    }
    return found ? Done() : NxDomain();
  }

  // The ports SRV records can name: the Service's (ClusterIP) or the Endpoints' (headless).
  std::vector<ServicePort> SrvPorts(const ServiceEntry& svc) const {
    if (svc.type != ServiceEntry::Type::kHeadless) return svc.ports;
    std::vector<ServicePort> out;
    for (const EndpointSubset& s : svc.subsets) out.insert(out.end(), s.ports.begin(), s.ports.end());
    return out;
  }

  Resolution ServiceSrv(const ServiceEntry& svc, const std::string& port_name, const std::string& proto) {
    std::string svc_fqdn = Fqdn(svc.name + "." + svc.ns + ".svc");
    struct Target {
      std::uint16_t port;
      std::string host;
      std::uint32_t ip;
    };
    std::vector<Target> targets;
    bool exists = false;
    if (svc.type == ServiceEntry::Type::kHeadless) {
      for (const EndpointSubset& s : svc.subsets) {
        for (const ServicePort& p : s.ports) {
          if (p.name.empty() || p.name != port_name || p.protocol != proto) continue;
          exists = true;
          for (const EndpointAddress& a : s.addresses) {
            targets.push_back(Target{p.port, EndpointHost(a) + "." + svc_fqdn, a.ip});
          }
        }
      }
    } else if (svc.type == ServiceEntry::Type::kClusterIp) {
      for (const ServicePort& p : svc.ports) {
        if (p.name.empty() || p.name != port_name || p.protocol != proto) continue;
        exists = true;
        if (svc.cluster_ip) targets.push_back(Target{p.port, svc_fqdn, *svc.cluster_ip});
      }
    }
    if (!exists) return NxDomain();
    if (!Wants(kTypeSrv)) return Done();
    std::uint16_t weight = targets.empty() ? 0 : static_cast<std::uint16_t>(100 / targets.size());
    std::set<std::string> added;
    for (const Target& t : targets) {
      r_.answers.push_back(Record::Srv(q_.name, config_.ttl, 0, weight == 0 ? 1 : weight, t.port, t.host));
      if (added.insert(t.host).second) r_.additional.push_back(Record::A(t.host, config_.ttl, t.ip));
    }
    return Done();
  }

  // rest ends in "pod": <a-b-c-d>.<ns>.pod
  Resolution Pod(const Labels& rest) {
    std::size_t n = rest.size();
    if (n <= 2) return Done();  // pod.<domain>, <ns>.pod.<domain>
    if (n != 3) return NxDomain();
    auto ip = ParseDashedIpv4(rest[0]);
    if (!ip) return NxDomain();
    AddA(q_.name, *ip);
    return Done();
  }

  const Question& q_;
  const ClusterView& view_;
  const ResolverConfig& config_;
  Resolution r_;
};

// <d>.<c>.<b>.<a>.in-addr.arpa -> a.b.c.d; nullopt for any other name.
std::optional<std::uint32_t> ReverseAddress(const Labels& lower) {
  if (lower.size() != 6 || lower[4] != "in-addr" || lower[5] != "arpa") return std::nullopt;
  std::string dotted = lower[3] + "." + lower[2] + "." + lower[1] + "." + lower[0];
  auto ip = ParseIpv4Address(dotted);
  if (!ip.ok() || FormatIpv4Address(*ip) != dotted) return std::nullopt;  // no "010" octets
  return *ip;
}

// PTR for the addresses of Services and headless endpoints; other addresses fall through.
Resolution Reverse(const Question& q, std::uint32_t ip, const ClusterView& view, const ResolverConfig& config) {
  Resolution r;
  const std::string* name = view.ReverseName(ip);
  if (name == nullptr || (q.klass != kClassIn && q.klass != kClassAny)) return r;
  r.in_zone = true;
  if (q.type == kTypePtr || q.type == kTypeAny) {
    Record ptr;
    ptr.name = q.name;
    ptr.type = kTypePtr;
    ptr.ttl = config.ttl;
    ptr.target = *name + "." + config.domain;
    r.answers.push_back(ptr);
  }
  return r;
}

}  // namespace

Resolution Resolve(const Question& question, const ClusterView& view, const ResolverConfig& config) {
  Resolution outside;
  auto labels = NameToLabels(question.name);
  auto zone = NameToLabels(config.domain);
  if (!labels.ok() || !zone.ok()) return outside;
  Labels lower;
  for (const std::string& l : *labels) lower.push_back(LowerAscii(l));
  if (auto ip = ReverseAddress(lower)) return Reverse(question, *ip, view, config);
  if (lower.size() < zone->size()) return outside;
  std::size_t rest_size = lower.size() - zone->size();
  for (std::size_t i = 0; i < zone->size(); ++i) {
    if (lower[rest_size + i] != LowerAscii((*zone)[i])) return outside;
  }
  Labels rest(lower.begin(), lower.begin() + static_cast<std::ptrdiff_t>(rest_size));
  ZoneAnswerer answerer(question, view, config);
  return answerer.Answer(rest);
}

}  // namespace moor::netproxy::dns
