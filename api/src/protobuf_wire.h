#pragma once

#include <cstdint>
#include <string_view>

#include "moor/common/status.h"

namespace moor::api {

// Protocol Buffers wire types (https://protobuf.dev/programming-guides/encoding/). Groups
// (3, 4) are deprecated and never written by Kubernetes; the reader refuses them.
enum class WireType : std::uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

// "varint", "length-delimited"...: for error messages.
std::string_view WireTypeName(WireType type);

// One field of a message as it is on the wire. `varint` holds the value of a varint field;
// `bytes` views the payload of a length-delimited field, or the 8 / 4 raw bytes of a fixed64 /
// fixed32 field (little-endian), inside the buffer given to the reader.
struct WireField {
  std::uint32_t number = 0;
  WireType type = WireType::kVarint;
  std::uint64_t varint = 0;
  std::string_view bytes;
};

// Reads the fields of one protobuf message in order, without a schema. Does not own the
// buffer: the caller keeps it alive while fields (their `bytes`) are in use. Nested messages,
// strings, bytes and map entries are all length-delimited fields; decode them by giving
// `bytes` to a new reader.
class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}

  // True when every byte was read.
  bool done() const { return pos_ >= data_.size(); }

  // The next field. InvalidArgument when the message is malformed: a varint cut short or
  // longer than 10 bytes, a length or fixed value running past the end, field number 0, or a
  // group / unknown wire type. After an error the reader is left where it failed.
  StatusOr<WireField> Next();

 private:
  StatusOr<std::uint64_t> ReadVarint();

  std::string_view data_;
  std::size_t pos_ = 0;
};

}  // namespace moor::api
