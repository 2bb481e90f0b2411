#include "moor/netproxy/dns/query_handler.h"

#include <algorithm>

#include "moor/common/log.h"

namespace moor::netproxy::dns {
namespace {

constexpr std::uint16_t kMaxEdnsUdpSize = 1232;  // avoids IP fragmentation (DNS flag day 2020)

std::size_t MaxSize(const Message& query, Transport transport) {
  if (transport == Transport::kTcp) return 65535;
  const Record* edns = query.Edns();
  if (edns == nullptr) return kClassicUdpSize;
  return std::clamp<std::size_t>(edns->klass, kClassicUdpSize, kMaxEdnsUdpSize);
}

// A reply to a query whose body could not be read: its id, opcode and RD, nothing else.
std::string HeaderOnlyReply(const Header& query, std::uint8_t rcode) {
  Message reply;
  reply.header.id = query.id;
  reply.header.qr = true;
  reply.header.opcode = query.opcode;
  reply.header.rd = query.rd;
  reply.header.rcode = rcode;
  auto wire = SerializeMessage(reply);
  return wire.ok() ? *wire : "";
}

}  // namespace

std::optional<std::string> QueryHandler::Handle(std::string_view wire, Transport transport, const ClusterView& view,
                                                bool may_block) {
  auto header = ParseHeader(wire);
  if (!header || header->qr) return std::string();
  auto parsed = ParseMessage(wire);
  if (!parsed.ok()) return HeaderOnlyReply(*header, kRcodeFormErr);
  const Message& query = *parsed;
  if (query.header.opcode != 0) return HeaderOnlyReply(*header, kRcodeNotImp);
  if (query.questions.size() != 1) return HeaderOnlyReply(*header, kRcodeFormErr);

  Resolution resolution = Resolve(query.questions[0], view, config_);
  if (!resolution.in_zone) {
    if (forwarder_ == nullptr || forwarder_->empty()) return ServFail(query, transport);
    if (!may_block) return std::nullopt;
    auto reply = forwarder_->Forward(wire);
    if (!reply.ok()) {
      LogDebug("dns forward failed", {{"name", query.questions[0].name}, {"error", reply.status().message()}});
      return ServFail(query, transport);
    }
    if (reply->size() <= MaxSize(query, transport)) return std::move(*reply);
    // Fetched over TCP but too long for the client's UDP: re-encode cut, with TC.
    auto upstream = ParseMessage(*reply);
    if (!upstream.ok()) return ServFail(query, transport);
    auto cut = SerializeMessage(*upstream, MaxSize(query, transport));
    return cut.ok() ? *cut : ServFail(query, transport);
  }

  Message reply;
  reply.header.aa = resolution.rcode != kRcodeRefused;
  reply.header.rcode = resolution.rcode;
  reply.answers = std::move(resolution.answers);
  reply.authority = std::move(resolution.authority);
  reply.additional = std::move(resolution.additional);
  if (!resolution.chase.empty() && forwarder_ != nullptr && !forwarder_->empty()) {
    if (!may_block) return std::nullopt;
    Chase(Question{resolution.chase, query.questions[0].type, kClassIn}, &reply.answers);
  }
  return Reply(query, std::move(reply), transport);
}

std::string QueryHandler::Reply(const Message& query, Message reply, Transport transport) const {
  reply.header.id = query.header.id;
  reply.header.qr = true;
  reply.header.rd = query.header.rd;
  reply.header.ra = forwarder_ != nullptr && !forwarder_->empty();
  reply.header.cd = query.header.cd;
  reply.questions = query.questions;
  if (query.Edns() != nullptr) reply.additional.push_back(Record::Opt(kMaxEdnsUdpSize));
  auto wire = SerializeMessage(reply, MaxSize(query, transport));
  if (!wire.ok()) {
    LogWarn("dns reply cannot be encoded", {{"name", query.questions[0].name}, {"error", wire.status().message()}});
    return ServFail(query, transport);
  }
  return *wire;
}

std::string QueryHandler::ServFail(const Message& query, Transport transport) const {
  Message reply;
  reply.header.id = query.header.id;
  reply.header.qr = true;
  reply.header.rd = query.header.rd;
  reply.header.rcode = kRcodeServFail;
  reply.questions = query.questions;
  auto wire = SerializeMessage(reply, MaxSize(query, transport));
  return wire.ok() ? *wire : HeaderOnlyReply(query.header, kRcodeServFail);
}

void QueryHandler::Chase(const Question& question, std::vector<Record>* out) {
  Message query;
  query.header.id = 0;
  query.header.rd = true;
  query.questions.push_back(question);
  query.additional.push_back(Record::Opt(kMaxEdnsUdpSize));
  auto wire = SerializeMessage(query);
  if (!wire.ok()) return;
  auto reply = forwarder_->Forward(*wire);
  if (!reply.ok()) return;
  auto parsed = ParseMessage(*reply);
  if (!parsed.ok() || parsed->header.rcode != kRcodeNoError) return;
  for (Record& rec : parsed->answers) out->push_back(std::move(rec));
}

}  // namespace moor::netproxy::dns
