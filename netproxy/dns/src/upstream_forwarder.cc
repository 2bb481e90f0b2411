#include "moor/netproxy/dns/upstream_forwarder.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "moor/common/log.h"
#include "moor/netproxy/dns/dns_message.h"
#include "moor/netproxy/dns/dns_name.h"
#include "socket_util.h"

namespace moor::netproxy::dns {
namespace {

using Clock = std::chrono::steady_clock;

std::uint16_t RandomId() {
  std::uint16_t id = 0;
  if (getrandom(&id, sizeof(id), 0) != sizeof(id)) id = static_cast<std::uint16_t>(Clock::now().time_since_epoch().count());
  return id;
}

// The question section of an encoded message, lower-cased, for matching replies to queries.
std::optional<Question> FirstQuestion(std::string_view wire) {
  auto m = ParseMessage(wire);
  if (!m.ok() || m->questions.size() != 1) return std::nullopt;
  Question q = m->questions[0];
  q.name = LowerAscii(q.name);
  return q;
}

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

}  // namespace

UpstreamForwarder::UpstreamForwarder(std::vector<Upstream> upstreams, std::chrono::milliseconds timeout)
    : list_(std::move(upstreams)), timeout_(timeout) {}

StatusOr<std::string> UpstreamForwarder::Forward(std::string_view query) {
  auto header = ParseHeader(query);
  if (!header) return InvalidArgumentError("query shorter than a DNS header");
  if (list_.empty()) return UnavailableError("no upstream DNS server configured");
  std::string last_error;
  for (const Upstream& upstream : list_.Order()) {
    std::string out(query);
    std::uint16_t id = RandomId();
    SetMessageId(out, id);
    auto reply = ExchangeUdp(upstream, out);
    if (reply.ok()) {
      auto reply_header = ParseHeader(*reply);
      if (reply_header && reply_header->tc) reply = ExchangeTcp(upstream, out);
    }
    if (!reply.ok()) {
      last_error = upstream.ToString() + ": " + reply.status().message();
      LogDebug("dns upstream failed", {{"upstream", upstream.ToString()}, {"error", reply.status().message()}});
      list_.ReportFailure(upstream);
      continue;
    }
    list_.ReportSuccess(upstream);
    SetMessageId(*reply, header->id);
    return reply;
  }
  return UnavailableError("no upstream DNS server answered (last: " + last_error + ")");
}

StatusOr<std::string> UpstreamForwarder::ExchangeUdp(const Upstream& upstream, const std::string& query) {
  auto question = FirstQuestion(query);
  std::uint16_t id = ParseHeader(query)->id;
  MOOR_ASSIGN_OR_RETURN(UniqueFd fd, ConnectedSocket(SOCK_DGRAM, upstream.ip, upstream.port));
  if (send(fd.get(), query.data(), query.size(), 0) < 0) return UnavailableError(std::string("send: ") + std::strerror(errno));
  auto deadline = Clock::now() + timeout_;
  std::string buf(65535, '\0');
  while (true) {
    pollfd p{fd.get(), POLLIN, 0};
    int n = poll(&p, 1, RemainingMs(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return UnavailableError(std::string("poll: ") + std::strerror(errno));
    if (n == 0) return DeadlineExceededError("no answer within " + std::to_string(timeout_.count()) + " ms");
    ssize_t got = recv(fd.get(), buf.data(), buf.size(), 0);
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return UnavailableError(std::string("recv: ") + std::strerror(errno));  // e.g. ECONNREFUSED
    }
    std::string_view reply(buf.data(), static_cast<std::size_t>(got));
    auto h = ParseHeader(reply);
    if (!h || !h->qr || h->id != id) continue;  // not ours: keep waiting
    auto reply_question = FirstQuestion(reply);
    if (question && reply_question && *reply_question != *question) continue;  // a stale reply
    return std::string(reply);
  }
}

StatusOr<std::string> UpstreamForwarder::ExchangeTcp(const Upstream& upstream, const std::string& query) {
  auto deadline = Clock::now() + timeout_;
  MOOR_ASSIGN_OR_RETURN(UniqueFd fd, ConnectedSocket(SOCK_STREAM, upstream.ip, upstream.port, timeout_));
  MOOR_RETURN_IF_ERROR(WriteTcpMessage(fd.get(), query, deadline));
  MOOR_ASSIGN_OR_RETURN(std::string reply, ReadTcpMessage(fd.get(), deadline));
  auto h = ParseHeader(reply);
  if (!h || !h->qr || h->id != ParseHeader(query)->id) return UnavailableError("TCP reply does not match the query");
  return reply;
}

}  // namespace moor::netproxy::dns
