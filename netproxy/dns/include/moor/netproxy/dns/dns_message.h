#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "moor/common/status.h"

namespace moor::netproxy::dns {

// RFC 1035 messages. Names are in presentation form (dns_name.h).

enum RecordType : std::uint16_t {
  kTypeA = 1,
  kTypeNs = 2,
  kTypeCname = 5,
  kTypeSoa = 6,
  kTypePtr = 12,
  kTypeMx = 15,
  kTypeTxt = 16,
  kTypeAaaa = 28,
  kTypeSrv = 33,
  kTypeOpt = 41,
  kTypeAny = 255,
};

constexpr std::uint16_t kClassIn = 1;
constexpr std::uint16_t kClassAny = 255;

enum Rcode : std::uint8_t {
  kRcodeNoError = 0,
  kRcodeFormErr = 1,
  kRcodeServFail = 2,
  kRcodeNxDomain = 3,
  kRcodeNotImp = 4,
  kRcodeRefused = 5,
};

constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kClassicUdpSize = 512;  // without EDNS (RFC 1035 4.2.1)

struct Header {
  std::uint16_t id = 0;
  bool qr = false;  // a response
  std::uint8_t opcode = 0;
  bool aa = false;
  bool tc = false;
  bool rd = false;
  bool ra = false;
  bool ad = false;
  bool cd = false;
  std::uint8_t rcode = 0;
  bool operator==(const Header&) const = default;
};

struct Question {
  std::string name;
  std::uint16_t type = kTypeA;
  std::uint16_t klass = kClassIn;
  bool operator==(const Question&) const = default;
};

struct SoaData {
  std::string mname;
  std::string rname;
  std::uint32_t serial = 0;
  std::uint32_t refresh = 0;
  std::uint32_t retry = 0;
  std::uint32_t expire = 0;
  std::uint32_t minimum = 0;
  bool operator==(const SoaData&) const = default;
};

// One resource record. Which fields carry the data depends on `type`:
// A: ipv4; CNAME, NS, PTR: target; MX: priority (preference) + target; SRV: priority, weight,
// port, target; SOA: soa; every other type (AAAA, TXT, OPT, ...): data holds the RDATA as is.
struct Record {
  std::string name;
  std::uint16_t type = kTypeA;
  std::uint16_t klass = kClassIn;  // OPT: the sender's UDP payload size
  std::uint32_t ttl = 0;           // OPT: extended rcode and flags
  std::uint32_t ipv4 = 0;          // host byte order
  std::string target;
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::uint16_t port = 0;
  SoaData soa;
  std::string data;

  static Record A(std::string name, std::uint32_t ttl, std::uint32_t ipv4);
  static Record Cname(std::string name, std::uint32_t ttl, std::string target);
  static Record Srv(std::string name, std::uint32_t ttl, std::uint16_t priority, std::uint16_t weight,
                    std::uint16_t port, std::string target);
  static Record Soa(std::string name, std::uint32_t ttl, SoaData soa);
  static Record Ns(std::string name, std::uint32_t ttl, std::string target);
  // An EDNS(0) OPT pseudo-record advertising `udp_size`.
  static Record Opt(std::uint16_t udp_size);

  bool operator==(const Record&) const = default;
};

struct Message {
  Header header;
  std::vector<Question> questions;
  std::vector<Record> answers;
  std::vector<Record> authority;
  std::vector<Record> additional;

  // The OPT record of the additional section, if any.
  const Record* Edns() const;
};

// The 12-byte header alone (enough to answer FORMERR with the right id); nullopt if shorter.
std::optional<Header> ParseHeader(std::string_view wire);

// Parses a whole message. kInvalidArgument naming the defect for anything malformed: a
// truncated header, question or record, a label over 63 bytes, a name over 255 bytes, a
// compression pointer that does not point backwards (loops), an RDATA that does not match its
// type's layout. Bytes after the last record are ignored. Never reads outside `wire`.
StatusOr<Message> ParseMessage(std::string_view wire);

// Encodes `message`, compressing names (owner names and the names inside CNAME, NS, PTR, MX
// and SOA data; SRV targets are written in full as RFC 2782 asks). If the result would exceed
// `max_size`, the additional section (except OPT) is dropped; if it still does not fit, only the
// header, question and OPT are sent, with TC set. kInvalidArgument for a name that cannot be
// encoded.
StatusOr<std::string> SerializeMessage(const Message& message, std::size_t max_size = 65535);

// Sets the id of an encoded message in place (no-op when shorter than a header).
void SetMessageId(std::string& wire, std::uint16_t id);

}  // namespace moor::netproxy::dns
