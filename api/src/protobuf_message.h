#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace moor::api {

// How one protobuf field becomes JSON (see ProtobufDecoder for the exact mapping).
enum class ProtoType : std::uint8_t {
  kString,          // length-delimited UTF-8 -> JSON string
  kBytes,           // length-delimited -> base64 JSON string
  kInt32,           // varint -> JSON number (negative values are sign-extended on the wire)
  kInt64,           // varint -> JSON number
  kBool,            // varint -> true / false
  kTime,            // meta.v1.Time {seconds = 1, nanos = 2} -> RFC 3339, second precision
  kIntOrString,     // intstr.IntOrString {type = 1, intVal = 2, strVal = 3} -> number or string
  kQuantity,        // resource.Quantity {string = 1} -> its string
  kMessage,         // nested message (`message`) -> JSON object; repeated occurrences merge
  kRepeatedString,  // each occurrence one element of a JSON array of strings
  kRepeatedMessage, // each occurrence one element of a JSON array of objects
  kStringMap,       // map<string, string> entries {key = 1, value = 2} -> JSON object
  kBytesMap,        // map<string, bytes> -> JSON object of base64 strings
  kQuantityMap,     // map<string, resource.Quantity> -> JSON object of strings
  kIgnored,         // known and deliberately dropped (status, selfLink, managedFields)
};

// When a decoded field appears in the JSON, mirroring Go's encoding/json on the Kubernetes type.
enum class Presence : std::uint8_t {
  kOmitEmpty,  // a non-pointer field tagged omitempty: left out when zero / empty
  kPresent,    // a pointer field (or a struct): in the JSON whenever it is on the wire, even zero
  kAlways,     // no omitempty: in the JSON even when not on the wire (as its zero value)
};

struct ProtoMessage;
using ProtoMessageFn = const ProtoMessage& (*)();

// One field of a message descriptor. Made with the factories in namespace `pb` below.
struct ProtoField {
  std::uint32_t number = 0;
  std::string_view json_name;
  ProtoType type = ProtoType::kString;
  Presence presence = Presence::kOmitEmpty;
  ProtoMessageFn message = nullptr;  // kMessage and kRepeatedMessage: the nested descriptor
};

// A message descriptor: its protobuf name (for error messages) and the fields moor decodes,
// with numbers from Kubernetes' generated.proto. Fields not listed are "unknown": skipped when
// their value is empty / zero, refused otherwise (see ProtobufDecoder).
struct ProtoMessage {
  std::string_view name;
  std::vector<ProtoField> fields;

  // The field with `number`, or nullptr.
  const ProtoField* Find(std::uint32_t number) const;
};

namespace pb {

inline ProtoField Make(std::uint32_t number, std::string_view json_name, ProtoType type, Presence presence,
                       ProtoMessageFn message = nullptr) {
  ProtoField f;
  f.number = number;
  f.json_name = json_name;
  f.type = type;
  f.presence = presence;
  f.message = message;
  return f;
}
inline ProtoField String(std::uint32_t n, std::string_view name, Presence p = Presence::kOmitEmpty) {
  return Make(n, name, ProtoType::kString, p);
}
inline ProtoField Bytes(std::uint32_t n, std::string_view name) {
  return Make(n, name, ProtoType::kBytes, Presence::kOmitEmpty);
}
inline ProtoField Int32(std::uint32_t n, std::string_view name, Presence p = Presence::kOmitEmpty) {
  return Make(n, name, ProtoType::kInt32, p);
}
inline ProtoField Int64(std::uint32_t n, std::string_view name, Presence p = Presence::kOmitEmpty) {
  return Make(n, name, ProtoType::kInt64, p);
}
inline ProtoField Bool(std::uint32_t n, std::string_view name, Presence p = Presence::kOmitEmpty) {
  return Make(n, name, ProtoType::kBool, p);
}
inline ProtoField Time(std::uint32_t n, std::string_view name) {
  return Make(n, name, ProtoType::kTime, Presence::kOmitEmpty);
}
inline ProtoField IntOrString(std::uint32_t n, std::string_view name, Presence p = Presence::kOmitEmpty) {
  return Make(n, name, ProtoType::kIntOrString, p);
}
inline ProtoField Message(std::uint32_t n, std::string_view name, ProtoMessageFn message) {
  return Make(n, name, ProtoType::kMessage, Presence::kPresent, message);
}
inline ProtoField Strings(std::uint32_t n, std::string_view name) {
  return Make(n, name, ProtoType::kRepeatedString, Presence::kOmitEmpty);
}
inline ProtoField Messages(std::uint32_t n, std::string_view name, ProtoMessageFn message) {
  return Make(n, name, ProtoType::kRepeatedMessage, Presence::kOmitEmpty, message);
}
inline ProtoField StringMap(std::uint32_t n, std::string_view name) {
  return Make(n, name, ProtoType::kStringMap, Presence::kOmitEmpty);
}
inline ProtoField BytesMap(std::uint32_t n, std::string_view name) {
  return Make(n, name, ProtoType::kBytesMap, Presence::kOmitEmpty);
}
inline ProtoField QuantityMap(std::uint32_t n, std::string_view name) {
  return Make(n, name, ProtoType::kQuantityMap, Presence::kOmitEmpty);
}
inline ProtoField Ignored(std::uint32_t n, std::string_view name) {
  return Make(n, name, ProtoType::kIgnored, Presence::kOmitEmpty);
}

}  // namespace pb
}  // namespace moor::api
