#pragma once

#include <compare>
#include <string>
#include <vector>

#include "moor/manifests/object.h"

namespace moor::netproxy {

// One ready backend of a service port: a pod address and the resolved target port.
struct Backend {
  std::string ip;  // dotted IPv4, "10.42.0.7"
  int port = 0;
  auto operator<=>(const Backend&) const = default;
};

// One (ClusterIP, protocol, port) of a Service and where its traffic goes.
struct ServicePort {
  std::string cluster_ip;      // dotted IPv4, "10.43.0.20"
  std::string protocol;        // "tcp" | "udp" | "sctp" (nftables' spelling)
  int port = 0;
  std::string ns;              // the Service's namespace
  std::string name;            // the Service's name
  std::string port_name;       // spec.ports[].name ("" for a single unnamed port)
  int node_port = 0;           // spec.ports[].nodePort of a NodePort/LoadBalancer Service; 0: none
  std::vector<Backend> backends;  // ready endpoints only; sorted, no duplicates; may be empty
  auto operator<=>(const ServicePort&) const = default;
};

// Everything the service proxy programs, in a deterministic order (by ClusterIP as a number,
// then protocol, then port), so two builds from the same objects compare equal.
struct ServiceTable {
  std::vector<ServicePort> ports;
  bool operator==(const ServiceTable&) const = default;
};

// Builds the table from v1 Services and v1 Endpoints (any namespaces, any order). A Service
// contributes one entry per spec.ports[] when it has an IPv4 spec.clusterIP; headless Services
// ("None"), ExternalName Services, Services without a clusterIP yet, and ports without a valid
// port number are left out. A NodePort or LoadBalancer Service's entries carry their valid
// spec.ports[].nodePort (LoadBalancer is served as NodePort). The backends of an entry are the `addresses` (never
// `notReadyAddresses`) of the Endpoints object with the Service's namespace/name, taken from
// every subset that has a port whose name equals the Service port's name (and whose protocol
// matches), at that endpoint port. Never fails: malformed fields read as absent.
ServiceTable BuildServiceTable(const std::vector<manifests::Object>& services,
                               const std::vector<manifests::Object>& endpoints);

}  // namespace moor::netproxy
