#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "moor/common/command.h"
#include "moor/common/status.h"
#include "moor/netproxy/dns/cluster_watch.h"
#include "moor/netproxy/dns/query_handler.h"
#include "moor/netproxy/dns/upstream_forwarder.h"
#include "moor/store/cluster_client.h"

namespace moor::netproxy::dns {

struct ClusterDnsOptions {
  store::ClusterClient* cluster = nullptr;  // required; must outlive the server
  std::string listen_ip;                    // the cluster DNS IP, e.g. "10.43.0.10"
  int port = 53;                            // 0: any free port (the same for UDP and TCP)
  std::string domain = "cluster.local";
  // Where names outside `domain` go: "ip" or "ip:port". Empty: the IPv4 nameservers of
  // `resolv_conf` (listen_ip itself excluded); with resolv_conf "" too nothing is forwarded and
  // such names get SERVFAIL (for tests on a shared machine: no query leaves it).
  std::vector<std::string> upstreams;
  std::string resolv_conf = "/etc/resolv.conf";
  std::chrono::milliseconds upstream_timeout{2000};
  CommandRunner* runner = nullptr;  // runs `ip route`; nullptr: SystemCommandRunner()
};

// The cluster DNS (what CoreDNS's kubernetes plugin is to k3s), in-process: answers the
// cluster domain from a watched view of Services and Endpoints (resolver.h) and forwards every
// other name upstream, over UDP and TCP on listen_ip:port.
//
// To receive packets for listen_ip, which is on no interface, Start() adds the route
// `local <listen_ip>/32 dev lo table local` (not for a 127.0.0.0/8 address) and binds with
// IP_FREEBIND; replies leave from listen_ip. Stop() keeps that route so pods keep resolving
// across a restart; RemoveHostState() deletes it.
class ClusterDns {
 public:
  // Validates the options (kInvalidArgument naming the bad one), lists the cluster, adds the
  // route, binds both sockets (kUnavailable if the address is taken) and starts serving.
  static StatusOr<std::unique_ptr<ClusterDns>> Start(ClusterDnsOptions options);
  ~ClusterDns();
  ClusterDns(const ClusterDns&) = delete;
  ClusterDns& operator=(const ClusterDns&) = delete;

  // Stops serving and watching and closes the sockets; the route stays. Idempotent.
  void Stop();
  // Deletes the route Start() added (succeeds if it is gone). Call after Stop() on a clean
  // shutdown or in tests.
  Status RemoveHostState();

  int port() const { return port_; }
  const std::string& listen_ip() const { return options_.listen_ip; }

 private:
  struct UdpJob {
    std::string query;
    std::vector<char> peer;  // sockaddr_in bytes
  };

  explicit ClusterDns(ClusterDnsOptions options);
  void ServeUdp();
  void ForwardWorker();
  void AcceptTcp();
  void ServeTcpConnection(int fd);
  void SendUdp(const std::string& reply, const std::vector<char>& peer);

  ClusterDnsOptions options_;
  std::uint32_t listen_address_ = 0;
  int port_ = 0;
  bool route_added_ = false;
  std::unique_ptr<UpstreamForwarder> forwarder_;
  std::unique_ptr<QueryHandler> handler_;
  std::unique_ptr<ClusterWatch> watch_;
  int udp_fd_ = -1;
  int tcp_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: readable once Stop() begins

  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable jobs_cv_;
  std::deque<UdpJob> jobs_;                // GUARDED_BY(mu_)
  int tcp_connections_ = 0;                // GUARDED_BY(mu_)
  std::condition_variable tcp_done_cv_;
  std::vector<std::thread> threads_;
};

}  // namespace moor::netproxy::dns
