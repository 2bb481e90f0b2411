#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "moor/manifests/object.h"

namespace moor::netproxy::dns {

struct ServicePort {
  std::string name;      // "" for a single unnamed port
  std::string protocol;  // lower case: "tcp", "udp", "sctp"
  std::uint16_t port = 0;
  bool operator==(const ServicePort&) const = default;
};

struct EndpointAddress {
  std::uint32_t ip = 0;  // host byte order
  std::string hostname;  // lower case; "" if the address has none
  bool operator==(const EndpointAddress&) const = default;
};

// One Endpoints subset: its ready addresses (never notReadyAddresses) and its ports.
struct EndpointSubset {
  std::vector<EndpointAddress> addresses;
  std::vector<ServicePort> ports;
  bool operator==(const EndpointSubset&) const = default;
};

// What DNS needs of one Service and its Endpoints. Names are lower case.
struct ServiceEntry {
  enum class Type { kClusterIp, kHeadless, kExternalName };
  std::string ns;
  std::string name;
  Type type = Type::kClusterIp;
  std::optional<std::uint32_t> cluster_ip;  // kClusterIp, once allocated
  std::string external_name;                // kExternalName (without a trailing dot)
  std::vector<ServicePort> ports;           // spec.ports
  std::vector<EndpointSubset> subsets;      // from the Endpoints of the same name
};

// An immutable snapshot of the cluster's Services and Endpoints, as the resolver reads it.
// Built whole from object lists; publish it as shared_ptr<const ClusterView> across threads.
class ClusterView {
 public:
  ClusterView() = default;
  // Objects that are not a v1 Service / Endpoints or have no name are ignored; fields that are
  // missing or malformed read as absent (a Service without a valid clusterIP has no A record).
  static ClusterView Build(const std::vector<manifests::Object>& services,
                           const std::vector<manifests::Object>& endpoints);

  void Add(ServiceEntry entry);
  // nullptr if absent. `ns` and `name` must be lower case.
  const ServiceEntry* Find(const std::string& ns, const std::string& name) const;
  // True if some Service lives in `ns` (the view has no Namespace objects).
  bool HasNamespace(const std::string& ns) const { return namespaces_.count(ns) > 0; }
  // The name an address is known by, relative to the domain: "<svc>.<ns>.svc" for a clusterIP,
  // "<host>.<svc>.<ns>.svc" for a headless Service's ready address (host: its hostname or its
  // dashed form). nullptr if none; the first Service added wins.
  const std::string* ReverseName(std::uint32_t ip) const;
  std::size_t size() const { return services_.size(); }

 private:
  std::map<std::pair<std::string, std::string>, ServiceEntry> services_;
  std::set<std::string> namespaces_;
  std::map<std::uint32_t, std::string> reverse_;
};

// "10-42-0-7" for 10.42.0.7: how a headless Service's address without hostname is named.
std::string DashedIpv4(std::uint32_t ip);
// The hostname of a headless Service's address, else its dashed form.
std::string EndpointHost(const EndpointAddress& address);

}  // namespace moor::netproxy::dns
