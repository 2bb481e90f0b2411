#include "protobuf_decoder.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "base64.h"
#include "moor/common/clock.h"
#include "protobuf_wire.h"

namespace moor::api {

const ProtoField* ProtoMessage::Find(std::uint32_t number) const {
  for (const ProtoField& field : fields) {
    if (field.number == number) return &field;
  }
  return nullptr;
}

namespace {

using manifests::Object;

// How deep IsEmptyValue looks into an unknown length-delimited value.
constexpr int kMaxEmptyDepth = 16;

// Well-known Kubernetes messages that become JSON scalars.
const ProtoMessage& TimeMessage() {  // meta.v1.Time
  static const ProtoMessage m{"Time", {pb::Int64(1, "seconds"), pb::Int32(2, "nanos")}};
  return m;
}
const ProtoMessage& IntOrStringMessage() {  // k8s.io/apimachinery/pkg/util/intstr.IntOrString
  static const ProtoMessage m{"IntOrString", {pb::Int64(1, "type"), pb::Int32(2, "intVal"), pb::String(3, "strVal")}};
  return m;
}
const ProtoMessage& QuantityMessage() {  // k8s.io/apimachinery/pkg/api/resource.Quantity
  static const ProtoMessage m{"Quantity", {pb::String(1, "string")}};
  return m;
}
const ProtoMessage& MapEntryMessage() {  // for errors: map entries are read by DecodeMapEntry
  static const ProtoMessage m{"a map entry", {}};
  return m;
}

StatusOr<WireField> NextField(WireReader& reader, std::string_view path) {
  auto field = reader.Next();
  if (!field.ok()) return MalformedProtobuf(path, field.status().message());
  return field;
}

Status ExpectType(const WireField& field, WireType want, std::string_view path) {
  if (field.type == want) return Status::Ok();
  return MalformedProtobuf(path, "field " + std::to_string(field.number) + " must be " +
                                     std::string(WireTypeName(want)) + ", not " +
                                     std::string(WireTypeName(field.type)));
}

WireType WireTypeOf(ProtoType type) {
  switch (type) {
    case ProtoType::kInt32:
    case ProtoType::kInt64:
    case ProtoType::kBool:
      return WireType::kVarint;
    default:
      return WireType::kLengthDelimited;
  }
}

// True when an unknown field's value is empty / zero: varint 0, fixed bytes all zero, or a
// length-delimited value with no bytes or whose bytes are a message of only such fields.
bool IsEmptyValue(const WireField& field, int depth) {
  switch (field.type) {
    case WireType::kVarint:
      return field.varint == 0;
    case WireType::kFixed32:
    case WireType::kFixed64:
      return std::all_of(field.bytes.begin(), field.bytes.end(), [](char c) { return c == '\0'; });
    case WireType::kLengthDelimited: {
      if (field.bytes.empty()) return true;
      if (depth >= kMaxEmptyDepth) return false;
      WireReader reader(field.bytes);
      while (!reader.done()) {
        auto inner = reader.Next();
        if (!inner.ok() || !IsEmptyValue(*inner, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

Status RefuseUnknown(const WireField& field, const ProtoMessage& message, const std::string& path) {
  return FailedPreconditionError("moor cannot decode field " + std::to_string(field.number) + " of " +
                                 std::string(message.name) + " sent as protobuf (in " + path +
                                 "); send JSON or YAML: kubectl create -f FILE (for a generator command: add "
                                 "--dry-run=client -o yaml and pipe it to kubectl create -f -)");
}

// The JSON zero value of a scalar type (for Presence::kAlways fields not on the wire).
Object ZeroValue(ProtoType type) {
  switch (type) {
    case ProtoType::kInt32:
    case ProtoType::kInt64:
    case ProtoType::kIntOrString:
      return 0;
    case ProtoType::kBool:
      return false;
    default:
      return "";
  }
}

// A scalar-typed field's JSON value, and whether it is the type's zero (omitempty's test).
struct Scalar {
  Object value;
  bool zero = false;
};

StatusOr<Scalar> DecodeScalar(ProtoType type, const WireField& wire, const std::string& path) {
  MOOR_RETURN_IF_ERROR(ExpectType(wire, WireTypeOf(type), path));
  switch (type) {
    case ProtoType::kInt32: {
      auto v = static_cast<std::int32_t>(wire.varint);
      return Scalar{v, v == 0};
    }
    case ProtoType::kInt64: {
      auto v = static_cast<std::int64_t>(wire.varint);
      return Scalar{v, v == 0};
    }
    case ProtoType::kBool:
      return Scalar{wire.varint != 0, wire.varint == 0};
    case ProtoType::kBytes:
      return Scalar{Base64Encode(wire.bytes), wire.bytes.empty()};
    case ProtoType::kTime: {
      Object time;
      MOOR_RETURN_IF_ERROR(DecodeProtoMessage(TimeMessage(), wire.bytes, path, time));
      std::int64_t seconds = time.value("seconds", std::int64_t{0});  // JSON has second precision
      if (seconds == 0) return Scalar{nullptr, true};
      return Scalar{FormatRfc3339(WallTime{} + std::chrono::seconds(seconds)), false};
    }
    case ProtoType::kIntOrString: {
      Object v;
      MOOR_RETURN_IF_ERROR(DecodeProtoMessage(IntOrStringMessage(), wire.bytes, path, v));
      if (v.value("type", std::int64_t{0}) == 1) return Scalar{v.value("strVal", ""), false};
      std::int32_t i = v.value("intVal", std::int32_t{0});
      return Scalar{i, i == 0};
    }
    case ProtoType::kQuantity: {
      Object q;
      MOOR_RETURN_IF_ERROR(DecodeProtoMessage(QuantityMessage(), wire.bytes, path, q));
      std::string s = q.value("string", "");
      return Scalar{s, s.empty()};
    }
    default: {  // kString
      if (!IsValidUtf8(wire.bytes)) return MalformedProtobuf(path, "not valid UTF-8");
      return Scalar{std::string(wire.bytes), wire.bytes.empty()};
    }
  }
}

// One map entry {key = 1, value = 2} into map[key]; the value decoded as `value_type` (a
// missing value is the type's empty value).
Status DecodeMapEntry(ProtoType value_type, const WireField& wire, const std::string& path, Object& map) {
  MOOR_RETURN_IF_ERROR(ExpectType(wire, WireType::kLengthDelimited, path));
  Object key = "";
  WireField value;
  value.number = 2;
  value.type = WireType::kLengthDelimited;
  WireReader reader(wire.bytes);
  while (!reader.done()) {
    MOOR_ASSIGN_OR_RETURN(WireField f, NextField(reader, path));
    if (f.number == 1) {
      MOOR_ASSIGN_OR_RETURN(Scalar k, DecodeScalar(ProtoType::kString, f, path + " key"));
      key = std::move(k.value);
    } else if (f.number == 2) {
      value = f;
    } else if (!IsEmptyValue(f, 0)) {
      return RefuseUnknown(f, MapEntryMessage(), path);
    }
  }
  std::string name = key.get<std::string>();
  MOOR_ASSIGN_OR_RETURN(Scalar scalar, DecodeScalar(value_type, value, path + "[" + name + "]"));
  map[name] = std::move(scalar.value);
  return Status::Ok();
}

Status DecodeField(const ProtoField& field, const WireField& wire, const std::string& path, Object& out) {
  std::string key(field.json_name);
  std::string here = path + "." + key;
  switch (field.type) {
    case ProtoType::kIgnored:
      return Status::Ok();
    case ProtoType::kMessage:
      MOOR_RETURN_IF_ERROR(ExpectType(wire, WireType::kLengthDelimited, here));
      return DecodeProtoMessage(field.message(), wire.bytes, here, out[key]);
    case ProtoType::kRepeatedMessage: {
      MOOR_RETURN_IF_ERROR(ExpectType(wire, WireType::kLengthDelimited, here));
      Object item = Object::object();
      MOOR_RETURN_IF_ERROR(DecodeProtoMessage(field.message(), wire.bytes, here, item));
      out[key].push_back(std::move(item));
      return Status::Ok();
    }
    case ProtoType::kRepeatedString: {
      MOOR_ASSIGN_OR_RETURN(Scalar s, DecodeScalar(ProtoType::kString, wire, here));
      out[key].push_back(std::move(s.value));
      return Status::Ok();
    }
    case ProtoType::kStringMap:
      return DecodeMapEntry(ProtoType::kString, wire, here, out[key]);
    case ProtoType::kBytesMap:
      return DecodeMapEntry(ProtoType::kBytes, wire, here, out[key]);
    case ProtoType::kQuantityMap:
      return DecodeMapEntry(ProtoType::kQuantity, wire, here, out[key]);
    default: {
      MOOR_ASSIGN_OR_RETURN(Scalar s, DecodeScalar(field.type, wire, here));
      if (s.zero && (field.presence == Presence::kOmitEmpty || field.type == ProtoType::kTime)) {
        out.erase(key);
      } else {
        out[key] = std::move(s.value);
      }
      return Status::Ok();
    }
  }
}

}  // namespace

Status MalformedProtobuf(std::string_view path, std::string_view what) {
  return InvalidArgumentError("malformed protobuf body: " + std::string(path) + ": " + std::string(what));
}

bool IsValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t extra;
    std::uint32_t cp;
    std::uint32_t min;
    if ((c & 0xe0) == 0xc0) {
      extra = 1, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (s.size() - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

Status DecodeProtoMessage(const ProtoMessage& message, std::string_view bytes, const std::string& path,
                          Object& out) {
  if (!out.is_object()) out = Object::object();
  WireReader reader(bytes);
  while (!reader.done()) {
    MOOR_ASSIGN_OR_RETURN(WireField wire, NextField(reader, path));
    const ProtoField* field = message.Find(wire.number);
    if (field == nullptr) {
      if (IsEmptyValue(wire, 0)) continue;
      return RefuseUnknown(wire, message, path);
    }
    MOOR_RETURN_IF_ERROR(DecodeField(*field, wire, path, out));
  }
  for (const ProtoField& field : message.fields) {
    if (field.presence == Presence::kAlways && !out.contains(field.json_name)) {
      out[std::string(field.json_name)] = ZeroValue(field.type);
    }
  }
  return Status::Ok();
}

}  // namespace moor::api
