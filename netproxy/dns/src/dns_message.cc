#include "moor/netproxy/dns/dns_message.h"

#include <map>

#include "moor/netproxy/dns/dns_name.h"

namespace moor::netproxy::dns {
namespace {

constexpr std::size_t kMaxWireName = 255;

// Bounds-checked reads from a message; every failure is a malformed message.
class Reader {
 public:
  explicit Reader(std::string_view wire) : wire_(wire) {}

  std::size_t pos() const { return pos_; }
  std::size_t remaining() const { return wire_.size() - pos_; }

  Status U8(std::uint8_t* out) {
    if (remaining() < 1) return Truncated();
    *out = static_cast<std::uint8_t>(wire_[pos_++]);
    return Status::Ok();
  }
  Status U16(std::uint16_t* out) {
    if (remaining() < 2) return Truncated();
    *out = static_cast<std::uint16_t>((Byte(pos_) << 8) | Byte(pos_ + 1));
    pos_ += 2;
    return Status::Ok();
  }
  Status U32(std::uint32_t* out) {
    if (remaining() < 4) return Truncated();
    *out = (std::uint32_t{Byte(pos_)} << 24) | (std::uint32_t{Byte(pos_ + 1)} << 16) |
           (std::uint32_t{Byte(pos_ + 2)} << 8) | std::uint32_t{Byte(pos_ + 3)};
    pos_ += 4;
    return Status::Ok();
  }
  Status Bytes(std::size_t n, std::string* out) {
    if (remaining() < n) return Truncated();
    out->assign(wire_.substr(pos_, n));
    pos_ += n;
    return Status::Ok();
  }

  // A possibly compressed name starting at the current position. Pointers must point strictly
  // before the label that holds them, so a chain always ends.
  Status Name(std::string* out) {
    std::vector<std::string> labels;
    std::size_t at = pos_;
    std::size_t wire_len = 1;
    bool jumped = false;
    while (true) {
      if (at >= wire_.size()) return Truncated();
      std::uint8_t len = Byte(at);
      if ((len & 0xC0) == 0xC0) {
        if (at + 1 >= wire_.size()) return Truncated();
        std::size_t target = (static_cast<std::size_t>(len & 0x3F) << 8) | Byte(at + 1);
        if (target >= at) return InvalidArgumentError("compression pointer does not point backwards");
        if (!jumped) pos_ = at + 2;
        jumped = true;
        at = target;
        continue;
      }
      if ((len & 0xC0) != 0) return InvalidArgumentError("unsupported label type");
      if (len == 0) {
        if (!jumped) pos_ = at + 1;
        break;
      }
      if (at + 1 + len > wire_.size()) return Truncated();
      wire_len += len + 1;
      if (wire_len > kMaxWireName) return InvalidArgumentError("name longer than 255 bytes");
      labels.emplace_back(wire_.substr(at + 1, len));
      at += 1 + len;
    }
    *out = LabelsToName(labels);
    return Status::Ok();
  }

 private:
  std::uint8_t Byte(std::size_t i) const { return static_cast<std::uint8_t>(wire_[i]); }
  static Status Truncated() { return InvalidArgumentError("message truncated"); }

  std::string_view wire_;
  std::size_t pos_ = 0;
};

Header DecodeHeader(std::string_view wire) {
  Header h;
  auto b = [&](int i) { return static_cast<std::uint8_t>(wire[i]); };
  h.id = static_cast<std::uint16_t>((b(0) << 8) | b(1));
  h.qr = (b(2) & 0x80) != 0;
  h.opcode = (b(2) >> 3) & 0x0F;
  h.aa = (b(2) & 0x04) != 0;
  h.tc = (b(2) & 0x02) != 0;
  h.rd = (b(2) & 0x01) != 0;
  h.ra = (b(3) & 0x80) != 0;
  h.ad = (b(3) & 0x20) != 0;
  h.cd = (b(3) & 0x10) != 0;
  h.rcode = b(3) & 0x0F;
  return h;
}

Status ParseRdata(Reader& r, std::uint16_t rdlength, Record* rec) {
  std::size_t end = r.pos() + rdlength;
  if (r.remaining() < rdlength) return InvalidArgumentError("record data truncated");
  switch (rec->type) {
    case kTypeA:
      if (rdlength != 4) return InvalidArgumentError("A record data is not 4 bytes");
      MOOR_RETURN_IF_ERROR(r.U32(&rec->ipv4));
      break;
    case kTypeCname:
    case kTypeNs:
    case kTypePtr:
      MOOR_RETURN_IF_ERROR(r.Name(&rec->target));
      break;
    case kTypeMx:
      MOOR_RETURN_IF_ERROR(r.U16(&rec->priority));
      MOOR_RETURN_IF_ERROR(r.Name(&rec->target));
      break;
    case kTypeSrv:
      MOOR_RETURN_IF_ERROR(r.U16(&rec->priority));
      MOOR_RETURN_IF_ERROR(r.U16(&rec->weight));
      MOOR_RETURN_IF_ERROR(r.U16(&rec->port));
      MOOR_RETURN_IF_ERROR(r.Name(&rec->target));
      break;
    case kTypeSoa:
      MOOR_RETURN_IF_ERROR(r.Name(&rec->soa.mname));
      MOOR_RETURN_IF_ERROR(r.Name(&rec->soa.rname));
      MOOR_RETURN_IF_ERROR(r.U32(&rec->soa.serial));
      MOOR_RETURN_IF_ERROR(r.U32(&rec->soa.refresh));
      MOOR_RETURN_IF_ERROR(r.U32(&rec->soa.retry));
      MOOR_RETURN_IF_ERROR(r.U32(&rec->soa.expire));
      MOOR_RETURN_IF_ERROR(r.U32(&rec->soa.minimum));
      break;
    default:
      MOOR_RETURN_IF_ERROR(r.Bytes(rdlength, &rec->data));
      break;
  }
  if (r.pos() != end) return InvalidArgumentError("record data length does not match its content");
  return Status::Ok();
}

Status ParseRecords(Reader& r, std::uint16_t count, std::vector<Record>* out) {
  for (std::uint16_t i = 0; i < count; ++i) {
    Record rec;
    std::uint16_t rdlength = 0;
    MOOR_RETURN_IF_ERROR(r.Name(&rec.name));
    MOOR_RETURN_IF_ERROR(r.U16(&rec.type));
    MOOR_RETURN_IF_ERROR(r.U16(&rec.klass));
    MOOR_RETURN_IF_ERROR(r.U32(&rec.ttl));
    MOOR_RETURN_IF_ERROR(r.U16(&rdlength));
    MOOR_RETURN_IF_ERROR(ParseRdata(r, rdlength, &rec));
    out->push_back(std::move(rec));
  }
  return Status::Ok();
}

// Appends to a message being encoded, remembering where each name suffix was written.
class Writer {
 public:
  std::string& out() { return out_; }

  void U8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U16(std::uint16_t v) {
    out_.push_back(static_cast<char>(v >> 8));
    out_.push_back(static_cast<char>(v & 0xFF));
  }
  void U32(std::uint32_t v) {
    U16(static_cast<std::uint16_t>(v >> 16));
    U16(static_cast<std::uint16_t>(v & 0xFFFF));
  }
  void PutU16At(std::size_t at, std::uint16_t v) {
    out_[at] = static_cast<char>(v >> 8);
    out_[at + 1] = static_cast<char>(v & 0xFF);
  }

  Status Name(const std::string& name, bool compress) {
    MOOR_ASSIGN_OR_RETURN(std::vector<std::string> labels, NameToLabels(name));
    for (std::size_t i = 0; i < labels.size(); ++i) {
      std::vector<std::string> suffix(labels.begin() + static_cast<std::ptrdiff_t>(i), labels.end());
      std::string key = LowerAscii(LabelsToName(suffix));
      if (compress) {
        auto it = offsets_.find(key);
        if (it != offsets_.end()) {
          U16(static_cast<std::uint16_t>(0xC000 | it->second));
          return Status::Ok();
        }
      }
      if (out_.size() < 0x4000 && !offsets_.count(key)) offsets_[key] = out_.size();
      U8(static_cast<std::uint8_t>(labels[i].size()));
      out_ += labels[i];
    }
    U8(0);
    return Status::Ok();
  }

 private:
  std::string out_;
  std::map<std::string, std::size_t> offsets_;
};

Status WriteRecord(Writer& w, const Record& rec) {
  MOOR_RETURN_IF_ERROR(w.Name(rec.name, true));
  w.U16(rec.type);
  w.U16(rec.klass);
  w.U32(rec.ttl);
  std::size_t length_at = w.out().size();
  w.U16(0);
  std::size_t start = w.out().size();
  switch (rec.type) {
    case kTypeA:
      w.U32(rec.ipv4);
      break;
    case kTypeCname:
    case kTypeNs:
    case kTypePtr:
      MOOR_RETURN_IF_ERROR(w.Name(rec.target, true));
      break;
    case kTypeMx:
      w.U16(rec.priority);
      MOOR_RETURN_IF_ERROR(w.Name(rec.target, true));
      break;
    case kTypeSrv:
      w.U16(rec.priority);
      w.U16(rec.weight);
      w.U16(rec.port);
      MOOR_RETURN_IF_ERROR(w.Name(rec.target, false));
      break;
    case kTypeSoa:
      MOOR_RETURN_IF_ERROR(w.Name(rec.soa.mname, true));
      MOOR_RETURN_IF_ERROR(w.Name(rec.soa.rname, true));
      w.U32(rec.soa.serial);
      w.U32(rec.soa.refresh);
      w.U32(rec.soa.retry);
      w.U32(rec.soa.expire);
      w.U32(rec.soa.minimum);
      break;
    default:
      if (rec.data.size() > 0xFFFF) return InvalidArgumentError("record data longer than 65535 bytes");
      w.out() += rec.data;
      break;
  }
  w.PutU16At(length_at, static_cast<std::uint16_t>(w.out().size() - start));
  return Status::Ok();
}

StatusOr<std::string> Encode(const Message& m, bool with_additional, bool with_records, bool tc) {
  Writer w;
  const Header& h = m.header;
  w.U16(h.id);
  w.U8(static_cast<std::uint8_t>((h.qr ? 0x80 : 0) | ((h.opcode & 0x0F) << 3) | (h.aa ? 0x04 : 0) |
                                 ((h.tc || tc) ? 0x02 : 0) | (h.rd ? 0x01 : 0)));
  w.U8(static_cast<std::uint8_t>((h.ra ? 0x80 : 0) | (h.ad ? 0x20 : 0) | (h.cd ? 0x10 : 0) | (h.rcode & 0x0F)));
  std::vector<const Record*> additional;
  for (const Record& rec : m.additional) {
    if (rec.type == kTypeOpt || with_additional) additional.push_back(&rec);
  }
  std::size_t an = with_records ? m.answers.size() : 0;
  std::size_t ns = with_records ? m.authority.size() : 0;
  if (m.questions.size() > 0xFFFF || an > 0xFFFF || ns > 0xFFFF || additional.size() > 0xFFFF) {
    return InvalidArgumentError("too many records for one message");
  }
  w.U16(static_cast<std::uint16_t>(m.questions.size()));
  w.U16(static_cast<std::uint16_t>(an));
  w.U16(static_cast<std::uint16_t>(ns));
  w.U16(static_cast<std::uint16_t>(additional.size()));
  for (const Question& q : m.questions) {
    MOOR_RETURN_IF_ERROR(w.Name(q.name, true));
    w.U16(q.type);
    w.U16(q.klass);
  }
  for (std::size_t i = 0; i < an; ++i) MOOR_RETURN_IF_ERROR(WriteRecord(w, m.answers[i]));
  for (std::size_t i = 0; i < ns; ++i) MOOR_RETURN_IF_ERROR(WriteRecord(w, m.authority[i]));
  for (const Record* rec : additional) MOOR_RETURN_IF_ERROR(WriteRecord(w, *rec));
  return std::move(w.out());
}

}  // namespace

Record Record::A(std::string name, std::uint32_t ttl, std::uint32_t ipv4) {
  Record r;
  r.name = std::move(name);
  r.type = kTypeA;
  r.ttl = ttl;
  r.ipv4 = ipv4;
  return r;
}

Record Record::Cname(std::string name, std::uint32_t ttl, std::string target) {
  Record r;
  r.name = std::move(name);
  r.type = kTypeCname;
  r.ttl = ttl;
  r.target = std::move(target);
  return r;
}

Record Record::Srv(std::string name, std::uint32_t ttl, std::uint16_t priority, std::uint16_t weight,
                   std::uint16_t port, std::string target) {
  Record r;
  r.name = std::move(name);
  r.type = kTypeSrv;
  r.ttl = ttl;
  r.priority = priority;
  r.weight = weight;
  r.port = port;
  r.target = std::move(target);
  return r;
}

Record Record::Soa(std::string name, std::uint32_t ttl, SoaData soa) {
  Record r;
  r.name = std::move(name);
  r.type = kTypeSoa;
  r.ttl = ttl;
  r.soa = std::move(soa);
  return r;
}

Record Record::Ns(std::string name, std::uint32_t ttl, std::string target) {
  Record r;
  r.name = std::move(name);
  r.type = kTypeNs;
  r.ttl = ttl;
  r.target = std::move(target);
  return r;
}

Record Record::Opt(std::uint16_t udp_size) {
  Record r;
  r.type = kTypeOpt;
  r.klass = udp_size;
  return r;
}

const Record* Message::Edns() const {
  for (const Record& rec : additional) {
    if (rec.type == kTypeOpt) return &rec;
  }
  return nullptr;
}

std::optional<Header> ParseHeader(std::string_view wire) {
  if (wire.size() < kHeaderSize) return std::nullopt;
  return DecodeHeader(wire);
}

StatusOr<Message> ParseMessage(std::string_view wire) {
  if (wire.size() < kHeaderSize) return InvalidArgumentError("message shorter than a DNS header");
  Message m;
  m.header = DecodeHeader(wire);
  Reader r(wire);
  std::string skip;
  MOOR_RETURN_IF_ERROR(r.Bytes(4, &skip));
  std::uint16_t qd = 0, an = 0, ns = 0, ar = 0;
  MOOR_RETURN_IF_ERROR(r.U16(&qd));
  MOOR_RETURN_IF_ERROR(r.U16(&an));
  MOOR_RETURN_IF_ERROR(r.U16(&ns));
  MOOR_RETURN_IF_ERROR(r.U16(&ar));
  for (std::uint16_t i = 0; i < qd; ++i) {
    Question q;
    MOOR_RETURN_IF_ERROR(r.Name(&q.name));
    MOOR_RETURN_IF_ERROR(r.U16(&q.type));
    MOOR_RETURN_IF_ERROR(r.U16(&q.klass));
    m.questions.push_back(std::move(q));
  }
  MOOR_RETURN_IF_ERROR(ParseRecords(r, an, &m.answers));
  MOOR_RETURN_IF_ERROR(ParseRecords(r, ns, &m.authority));
  MOOR_RETURN_IF_ERROR(ParseRecords(r, ar, &m.additional));
  return m;
}

StatusOr<std::string> SerializeMessage(const Message& message, std::size_t max_size) {
  MOOR_ASSIGN_OR_RETURN(std::string full, Encode(message, true, true, false));
  if (full.size() <= max_size) return full;
  MOOR_ASSIGN_OR_RETURN(std::string no_additional, Encode(message, false, true, false));
  if (no_additional.size() <= max_size) return no_additional;
  return Encode(message, false, false, true);
}

void SetMessageId(std::string& wire, std::uint16_t id) {
  if (wire.size() < kHeaderSize) return;
  wire[0] = static_cast<char>(id >> 8);
  wire[1] = static_cast<char>(id & 0xFF);
}

}  // namespace moor::netproxy::dns
