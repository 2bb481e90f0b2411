#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "moor/netproxy/dns/dns_message.h"

namespace moor::netproxy::dns::testing {

// Sends one query to ip:port over UDP (or TCP) from an ephemeral port and waits up to
// `timeout` for the reply with its id. nullopt on timeout or a reply that does not parse.
std::optional<Message> Ask(const std::string& ip, int port, const std::string& name, std::uint16_t type = kTypeA,
                           bool tcp = false, std::optional<std::uint16_t> edns = std::nullopt,
                           std::chrono::milliseconds timeout = std::chrono::seconds(3));
// The same with raw bytes; "" on timeout.
std::string AskRaw(const std::string& ip, int port, const std::string& wire, bool tcp = false,
                   std::chrono::milliseconds timeout = std::chrono::seconds(3));

// A DNS server on 127.0.0.1:<port> (0: a free one; UDP and TCP) answering every query with `answer`.
// Over UDP, replies longer than 512 bytes are sent cut with TC (as a real server does without
// EDNS), so the caller must retry over TCP. With answer == nullptr it never replies.
class FakeUpstream {
 public:
  using AnswerFn = std::function<Message(const Message& query)>;
  explicit FakeUpstream(AnswerFn answer, int port = 0);
  ~FakeUpstream();
  int port() const { return port_; }
  int udp_queries() const { return udp_queries_; }
  int tcp_queries() const { return tcp_queries_; }
  // The id of the last query received (over either transport).
  std::uint16_t last_id() const { return last_id_; }

 private:
  void Serve();

  AnswerFn answer_;
  int udp_fd_ = -1;
  int tcp_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> udp_queries_{0};
  std::atomic<int> tcp_queries_{0};
  std::atomic<std::uint16_t> last_id_{0};
  std::thread thread_;
};

}  // namespace moor::netproxy::dns::testing
