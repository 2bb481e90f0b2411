#include "moor/netproxy/dns/cluster_dns.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "moor/common/files.h"
#include "moor/common/ipv4_cidr.h"
#include "moor/common/log.h"
#include "moor/netproxy/dns/dns_name.h"
#include "moor/netproxy/dns/host_route.h"
#include "socket_util.h"

namespace moor::netproxy::dns {
namespace {

constexpr int kForwardWorkers = 4;
constexpr std::size_t kMaxQueuedForwards = 512;  // more: drop (the client retries)
constexpr int kMaxTcpConnections = 64;
constexpr std::chrono::seconds kTcpIdleTimeout{10};

bool IsLoopback(std::uint32_t address) { return (address >> 24) == 127; }

// Waits until `fd` is readable or `wake_fd` is (Stop()); true if `fd` is.
bool WaitReadable(int fd, int wake_fd, int timeout_ms = -1) {
  pollfd p[2] = {{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
  while (true) {
    int n = poll(p, 2, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    if (p[1].revents != 0) return false;
    return p[0].revents != 0;
  }
}

}  // namespace

ClusterDns::ClusterDns(ClusterDnsOptions options) : options_(std::move(options)) {}

StatusOr<std::unique_ptr<ClusterDns>> ClusterDns::Start(ClusterDnsOptions options) {
  if (options.cluster == nullptr) return InvalidArgumentError("cluster DNS: no cluster client");
  auto address = ParseIpv4Address(options.listen_ip);
  if (!address.ok()) return InvalidArgumentError("cluster DNS: listen address \"" + options.listen_ip + "\" is not an IPv4 address");
  if (options.port < 0 || options.port > 65535) return InvalidArgumentError("cluster DNS: port " + std::to_string(options.port) + " is out of range");
  options.domain = LowerAscii(options.domain);
  while (!options.domain.empty() && options.domain.back() == '.') options.domain.pop_back();
  if (options.domain.empty() || !NameToLabels(options.domain).ok()) {
    return InvalidArgumentError("cluster DNS: domain \"" + options.domain + "\" is not a DNS name");
  }
  std::vector<Upstream> upstreams;
  for (const std::string& text : options.upstreams) {
    MOOR_ASSIGN_OR_RETURN(Upstream up, ParseUpstream(text));
    upstreams.push_back(up);
  }
  if (options.upstreams.empty() && !options.resolv_conf.empty()) {
    auto content = ReadFileLimited(options.resolv_conf, 1 << 20);
    if (content.ok()) upstreams = NameserversFromResolvConf(*content, *address);
    if (upstreams.empty()) {
      LogWarn("cluster DNS has no upstream server: names outside the cluster domain get SERVFAIL",
              {{"resolv_conf", options.resolv_conf}});
    }
  }
  if (options.runner == nullptr) options.runner = &SystemCommandRunner();

  std::unique_ptr<ClusterDns> dns(new ClusterDns(std::move(options)));
  dns->listen_address_ = *address;
  dns->forwarder_ = std::make_unique<UpstreamForwarder>(upstreams, dns->options_.upstream_timeout);
  ResolverConfig resolver;
  resolver.domain = dns->options_.domain;
  dns->handler_ = std::make_unique<QueryHandler>(resolver, dns->forwarder_.get());
  MOOR_ASSIGN_OR_RETURN(dns->watch_, ClusterWatch::Start(dns->options_.cluster));

  if (!IsLoopback(*address)) {
    MOOR_RETURN_IF_ERROR(AddLocalRoute(*dns->options_.runner, dns->options_.listen_ip));
    dns->route_added_ = true;
  }
  MOOR_ASSIGN_OR_RETURN(UniqueFd udp, BoundSocket(SOCK_DGRAM, *address, static_cast<std::uint16_t>(dns->options_.port)));
  MOOR_ASSIGN_OR_RETURN(std::uint16_t port, LocalPort(udp.get()));
  MOOR_ASSIGN_OR_RETURN(UniqueFd tcp, BoundSocket(SOCK_STREAM, *address, port));
  UniqueFd wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake.valid()) return UnavailableError(std::string("eventfd: ") + std::strerror(errno));
  dns->port_ = port;
  dns->udp_fd_ = udp.Release();
  dns->tcp_fd_ = tcp.Release();
  dns->wake_fd_ = wake.Release();

  ClusterDns* self = dns.get();
  self->threads_.emplace_back([self] { self->ServeUdp(); });
  for (int i = 0; i < kForwardWorkers; ++i) self->threads_.emplace_back([self] { self->ForwardWorker(); });
  self->threads_.emplace_back([self] { self->AcceptTcp(); });
  LogInfo("cluster DNS serving", {{"address", self->options_.listen_ip + ":" + std::to_string(port)},
                                  {"domain", self->options_.domain},
                                  {"upstreams", std::to_string(upstreams.size())}});
  return dns;
}

ClusterDns::~ClusterDns() { Stop(); }

void ClusterDns::Stop() {
  if (stopping_.exchange(true)) return;
  if (wake_fd_ >= 0) {
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof(one));
  }
  {
    std::unique_lock<std::mutex> lock(mu_);
    jobs_cv_.notify_all();
    // TCP connection threads are detached; they notice the wake fd within their poll.
    tcp_done_cv_.wait(lock, [this] { return tcp_connections_ == 0; });
  }
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  if (watch_) watch_->Stop();
  for (int* fd : {&udp_fd_, &tcp_fd_, &wake_fd_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

Status ClusterDns::RemoveHostState() {
  if (IsLoopback(listen_address_)) return Status::Ok();
  return RemoveLocalRoute(*options_.runner, options_.listen_ip);
}

void ClusterDns::ServeUdp() {
  std::string buf(65535, '\0');
  while (!stopping_) {
    if (!WaitReadable(udp_fd_, wake_fd_)) continue;
    sockaddr_in peer{};
    socklen_t peer_len = sizeof(peer);
    ssize_t n = recvfrom(udp_fd_, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&peer), &peer_len);
    if (n < 0) continue;
    std::string_view query(buf.data(), static_cast<std::size_t>(n));
    std::vector<char> peer_bytes(reinterpret_cast<char*>(&peer), reinterpret_cast<char*>(&peer) + peer_len);
    auto view = watch_->View();
    auto reply = handler_->Handle(query, Transport::kUdp, *view, false);
    if (reply) {
      SendUdp(*reply, peer_bytes);
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (jobs_.size() >= kMaxQueuedForwards) continue;
    jobs_.push_back(UdpJob{std::string(query), std::move(peer_bytes)});
    jobs_cv_.notify_one();
  }
}

void ClusterDns::ForwardWorker() {
  while (true) {
    UdpJob job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      jobs_cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    auto view = watch_->View();
    auto reply = handler_->Handle(job.query, Transport::kUdp, *view, true);
    if (reply) SendUdp(*reply, job.peer);
  }
}

void ClusterDns::SendUdp(const std::string& reply, const std::vector<char>& peer) {
  if (reply.empty()) return;
  sendto(udp_fd_, reply.data(), reply.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(peer.data()),
         static_cast<socklen_t>(peer.size()));
}

void ClusterDns::AcceptTcp() {
  while (!stopping_) {
    if (!WaitReadable(tcp_fd_, wake_fd_)) continue;
    int fd = accept4(tcp_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mu_);
    if (tcp_connections_ >= kMaxTcpConnections || stopping_) {
      close(fd);
      continue;
    }
    ++tcp_connections_;
    std::thread([this, fd] { ServeTcpConnection(fd); }).detach();
  }
}

void ClusterDns::ServeTcpConnection(int raw_fd) {
  UniqueFd fd(raw_fd);
  while (!stopping_) {
    auto deadline = std::chrono::steady_clock::now() + kTcpIdleTimeout;
    if (!WaitReadable(fd.get(), wake_fd_, static_cast<int>(std::chrono::milliseconds(kTcpIdleTimeout).count()))) break;
    auto query = ReadTcpMessage(fd.get(), deadline);
    if (!query.ok()) break;
    auto view = watch_->View();
    auto reply = handler_->Handle(*query, Transport::kTcp, *view, true);
    if (!reply || reply->empty()) break;
    if (!WriteTcpMessage(fd.get(), *reply, std::chrono::steady_clock::now() + kTcpIdleTimeout).ok()) break;
  }
  fd.Reset();
  std::lock_guard<std::mutex> lock(mu_);
  --tcp_connections_;
  tcp_done_cv_.notify_all();
}

}  // namespace moor::netproxy::dns
