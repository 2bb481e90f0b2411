#include "protobuf_wire.h"

#include <string>

namespace moor::api {

std::string_view WireTypeName(WireType type) {
  switch (type) {
    case WireType::kVarint:
      return "varint";
    case WireType::kFixed64:
      return "fixed64";
    case WireType::kLengthDelimited:
      return "length-delimited";
    case WireType::kStartGroup:
      return "start-group";
    case WireType::kEndGroup:
      return "end-group";
    case WireType::kFixed32:
      return "fixed32";
  }
  return "unknown";
}

StatusOr<std::uint64_t> WireReader::ReadVarint() {
  std::uint64_t value = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= data_.size()) {
      return InvalidArgumentError("truncated varint at byte " + std::to_string(pos_));
    }
    auto byte = static_cast<std::uint8_t>(data_[pos_++]);
    value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  return InvalidArgumentError("varint longer than 10 bytes at byte " + std::to_string(pos_));
}

StatusOr<WireField> WireReader::Next() {
  std::size_t start = pos_;
  MOOR_ASSIGN_OR_RETURN(std::uint64_t tag, ReadVarint());
  WireField field;
  std::uint64_t number = tag >> 3;
  if (number == 0 || number > 0x1fffffff) {
    return InvalidArgumentError("invalid field number " + std::to_string(number) + " at byte " + std::to_string(start));
  }
  field.number = static_cast<std::uint32_t>(number);
  std::uint64_t type = tag & 7;
  auto take = [&](std::uint64_t size) -> Status {
    if (size > data_.size() - pos_) {
      return InvalidArgumentError("field " + std::to_string(field.number) + " at byte " + std::to_string(start) +
                                  " is truncated: " + std::to_string(size) + " bytes announced, " +
                                  std::to_string(data_.size() - pos_) + " left");
    }
    field.bytes = data_.substr(pos_, static_cast<std::size_t>(size));
    pos_ += static_cast<std::size_t>(size);
    return Status::Ok();
  };
  switch (type) {
    case 0: {
      field.type = WireType::kVarint;
      MOOR_ASSIGN_OR_RETURN(field.varint, ReadVarint());
      return field;
    }
    case 1:
      field.type = WireType::kFixed64;
      MOOR_RETURN_IF_ERROR(take(8));
      return field;
    case 2: {
      field.type = WireType::kLengthDelimited;
      MOOR_ASSIGN_OR_RETURN(std::uint64_t size, ReadVarint());
      MOOR_RETURN_IF_ERROR(take(size));
      return field;
    }
    case 5:
      field.type = WireType::kFixed32;
      MOOR_RETURN_IF_ERROR(take(4));
      return field;
    default:
      return InvalidArgumentError("field " + std::to_string(field.number) + " at byte " + std::to_string(start) +
                                  " has unsupported wire type " + std::to_string(type));
  }
}

}  // namespace moor::api
