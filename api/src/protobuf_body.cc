#include "protobuf_body.h"

#include <chrono>
#include <cstdint>
#include <string>

#include "base64.h"
#include "moor/common/clock.h"
#include "protobuf_wire.h"

namespace moor::api {
namespace {

using manifests::Object;

constexpr std::string_view kMagic{"k8s\0", 4};

// Field numbers from Kubernetes' generated.proto files (apimachinery/pkg/runtime,
// apimachinery/pkg/apis/meta/v1, api/core/v1), checked against bodies kubectl 1.32 sends.
namespace unknown {  // runtime.Unknown
constexpr std::uint32_t kTypeMeta = 1, kRaw = 2, kContentEncoding = 3, kContentType = 4;
}  // namespace unknown
namespace type_meta {  // runtime.TypeMeta
constexpr std::uint32_t kApiVersion = 1, kKind = 2;
}  // namespace type_meta
namespace object_meta {  // meta.v1.ObjectMeta
constexpr std::uint32_t kName = 1, kGenerateName = 2, kNamespace = 3, kUid = 5, kResourceVersion = 6,
                        kGeneration = 7, kCreationTimestamp = 8, kDeletionTimestamp = 9,
                        kDeletionGracePeriodSeconds = 10, kLabels = 11, kAnnotations = 12, kOwnerReferences = 13,
                        kFinalizers = 14;
}  // namespace object_meta
namespace owner_reference {  // meta.v1.OwnerReference
constexpr std::uint32_t kKind = 1, kName = 3, kUid = 4, kApiVersion = 5, kController = 6, kBlockOwnerDeletion = 7;
}  // namespace owner_reference
namespace time_msg {  // meta.v1.Time
constexpr std::uint32_t kSeconds = 1, kNanos = 2;
}  // namespace time_msg
namespace config_map {  // core.v1.ConfigMap
constexpr std::uint32_t kMetadata = 1, kData = 2, kBinaryData = 3, kImmutable = 4;
}  // namespace config_map
namespace secret {  // core.v1.Secret
constexpr std::uint32_t kMetadata = 1, kData = 2, kType = 3, kStringData = 4, kImmutable = 5;
}  // namespace secret
namespace namespace_msg {  // core.v1.Namespace and NamespaceSpec
constexpr std::uint32_t kMetadata = 1, kSpec = 2, kSpecFinalizers = 1;
}  // namespace namespace_msg
namespace map_entry {
constexpr std::uint32_t kKey = 1, kValue = 2;
}  // namespace map_entry

// Strict UTF-8 (no overlong forms, surrogates or values past U+10FFFF), as JSON needs.
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

Status Malformed(std::string_view path, std::string_view what) {
  return InvalidArgumentError("malformed protobuf body: " + std::string(path) + ": " + std::string(what));
}

// The next field of `reader`, with `path` in the error.
StatusOr<WireField> NextField(WireReader& reader, std::string_view path) {
  auto field = reader.Next();
  if (!field.ok()) return Malformed(path, field.status().message());
  return field;
}

Status ExpectType(const WireField& field, WireType want, std::string_view path) {
  if (field.type == want) return Status::Ok();
  return Malformed(path, "field " + std::to_string(field.number) + " must be " + std::string(WireTypeName(want)) +
                             ", not " + std::string(WireTypeName(field.type)));
}

StatusOr<std::string_view> Bytes(const WireField& field, std::string_view path) {
  MOOR_RETURN_IF_ERROR(ExpectType(field, WireType::kLengthDelimited, path));
  return field.bytes;
}

StatusOr<std::string> String(const WireField& field, std::string_view path) {
  MOOR_ASSIGN_OR_RETURN(std::string_view bytes, Bytes(field, path));
  if (!IsValidUtf8(bytes)) return Malformed(path, "not valid UTF-8");
  return std::string(bytes);
}

StatusOr<std::uint64_t> Varint(const WireField& field, std::string_view path) {
  MOOR_RETURN_IF_ERROR(ExpectType(field, WireType::kVarint, path));
  return field.varint;
}

// Sets meta[key] to a string field, leaving it out when empty.
Status SetString(Object& obj, const char* key, const WireField& field, const std::string& path) {
  MOOR_ASSIGN_OR_RETURN(std::string value, String(field, path + "." + key));
  if (value.empty()) {
    obj.erase(key);
  } else {
    obj[key] = std::move(value);
  }
  return Status::Ok();
}

// One entry of a map field (key = 1, value = 2, both length-delimited) into obj[key]: the
// value as a string, or base64 of its bytes with `binary`.
Status MapEntry(Object& obj, const WireField& field, bool binary, const std::string& path) {
  MOOR_ASSIGN_OR_RETURN(std::string_view entry, Bytes(field, path));
  std::string key;
  std::string_view value;
  WireReader reader(entry);
  while (!reader.done()) {
    MOOR_ASSIGN_OR_RETURN(WireField f, NextField(reader, path));
    if (f.number == map_entry::kKey) {
      MOOR_ASSIGN_OR_RETURN(key, String(f, path + " key"));
    } else if (f.number == map_entry::kValue) {
      MOOR_ASSIGN_OR_RETURN(value, Bytes(f, path + "[" + key + "]"));
    }
  }
  if (binary) {
    obj[key] = Base64Encode(value);
  } else {
    if (!IsValidUtf8(value)) return Malformed(path + "[" + key + "]", "not valid UTF-8");
    obj[key] = std::string(value);
  }
  return Status::Ok();
}

Status Bool(Object& obj, const char* key, const WireField& field, const std::string& path) {
  MOOR_ASSIGN_OR_RETURN(std::uint64_t v, Varint(field, path + "." + key));
  obj[key] = v != 0;
  return Status::Ok();
}

// meta.v1.Time as RFC 3339 into obj[key]; the zero time (what an unset Time encodes to) is
// left out.
Status Timestamp(Object& obj, const char* key, const WireField& field, const std::string& path) {
  std::string here = path + "." + key;
  MOOR_ASSIGN_OR_RETURN(std::string_view bytes, Bytes(field, here));
  std::int64_t seconds = 0;
  WireReader reader(bytes);
  while (!reader.done()) {
    MOOR_ASSIGN_OR_RETURN(WireField f, NextField(reader, here));
    if (f.number == time_msg::kSeconds) {
      MOOR_ASSIGN_OR_RETURN(std::uint64_t v, Varint(f, here + ".seconds"));
      seconds = static_cast<std::int64_t>(v);
    } else if (f.number == time_msg::kNanos) {
      MOOR_RETURN_IF_ERROR(Varint(f, here + ".nanos").status());  // JSON has second precision
    }
  }
  if (seconds == 0) {
    obj.erase(key);
  } else {
    obj[key] = FormatRfc3339(WallTime{} + std::chrono::seconds(seconds));
  }
  return Status::Ok();
}

StatusOr<Object> DecodeOwnerReference(std::string_view bytes, const std::string& path) {
  Object ref = Object::object();
  for (const char* key : {"apiVersion", "kind", "name", "uid"}) ref[key] = "";
  WireReader reader(bytes);
  while (!reader.done()) {
    MOOR_ASSIGN_OR_RETURN(WireField f, NextField(reader, path));
    switch (f.number) {
      case owner_reference::kApiVersion: {
        MOOR_ASSIGN_OR_RETURN(ref["apiVersion"], String(f, path + ".apiVersion"));
        break;
      }
      case owner_reference::kKind: {
        MOOR_ASSIGN_OR_RETURN(ref["kind"], String(f, path + ".kind"));
        break;
      }
      case owner_reference::kName: {
        MOOR_ASSIGN_OR_RETURN(ref["name"], String(f, path + ".name"));
        break;
      }
      case owner_reference::kUid: {
        MOOR_ASSIGN_OR_RETURN(ref["uid"], String(f, path + ".uid"));
        break;
      }
      case owner_reference::kController:
        MOOR_RETURN_IF_ERROR(Bool(ref, "controller", f, path));
        break;
      case owner_reference::kBlockOwnerDeletion:
        MOOR_RETURN_IF_ERROR(Bool(ref, "blockOwnerDeletion", f, path));
        break;
      default:
        break;
    }
  }
  return ref;
}

// meta.v1.ObjectMeta merged into `meta` (a repeated occurrence merges, as in protobuf).
Status DecodeObjectMeta(std::string_view bytes, Object& meta, const std::string& path) {
  WireReader reader(bytes);
  while (!reader.done()) {
    MOOR_ASSIGN_OR_RETURN(WireField f, NextField(reader, path));
    switch (f.number) {
      case object_meta::kName:
        MOOR_RETURN_IF_ERROR(SetString(meta, "name", f, path));
        break;
      case object_meta::kGenerateName:
        MOOR_RETURN_IF_ERROR(SetString(meta, "generateName", f, path));
        break;
      case object_meta::kNamespace:
        MOOR_RETURN_IF_ERROR(SetString(meta, "namespace", f, path));
        break;
      case object_meta::kUid:
        MOOR_RETURN_IF_ERROR(SetString(meta, "uid", f, path));
        break;
      case object_meta::kResourceVersion:
        MOOR_RETURN_IF_ERROR(SetString(meta, "resourceVersion", f, path));
        break;
      case object_meta::kGeneration: {
        MOOR_ASSIGN_OR_RETURN(std::uint64_t v, Varint(f, path + ".generation"));
        if (v == 0) {
          meta.erase("generation");
        } else {
          meta["generation"] = static_cast<std::int64_t>(v);
        }
        break;
      }
      case object_meta::kCreationTimestamp:
        MOOR_RETURN_IF_ERROR(Timestamp(meta, "creationTimestamp", f, path));
        break;
      case object_meta::kDeletionTimestamp:
        MOOR_RETURN_IF_ERROR(Timestamp(meta, "deletionTimestamp", f, path));
        break;
      case object_meta::kDeletionGracePeriodSeconds: {
        MOOR_ASSIGN_OR_RETURN(std::uint64_t v, Varint(f, path + ".deletionGracePeriodSeconds"));
        meta["deletionGracePeriodSeconds"] = static_cast<std::int64_t>(v);
        break;
      }
      case object_meta::kLabels:
        MOOR_RETURN_IF_ERROR(MapEntry(meta["labels"], f, false, path + ".labels"));
        break;
      case object_meta::kAnnotations:
        MOOR_RETURN_IF_ERROR(MapEntry(meta["annotations"], f, false, path + ".annotations"));
        break;
      case object_meta::kOwnerReferences: {
        std::string here = path + ".ownerReferences";
        MOOR_ASSIGN_OR_RETURN(std::string_view ref_bytes, Bytes(f, here));
        MOOR_ASSIGN_OR_RETURN(Object ref, DecodeOwnerReference(ref_bytes, here));
        meta["ownerReferences"].push_back(std::move(ref));
        break;
      }
      case object_meta::kFinalizers: {
        MOOR_ASSIGN_OR_RETURN(std::string finalizer, String(f, path + ".finalizers"));
        meta["finalizers"].push_back(std::move(finalizer));
        break;
      }
      default:  // selfLink, managedFields, fields added later
        break;
    }
  }
  return Status::Ok();
}

Status DecodeConfigMap(std::string_view raw, Object& obj) {
  WireReader reader(raw);
  while (!reader.done()) {
    MOOR_ASSIGN_OR_RETURN(WireField f, NextField(reader, "ConfigMap"));
    switch (f.number) {
      case config_map::kMetadata: {
        MOOR_ASSIGN_OR_RETURN(std::string_view bytes, Bytes(f, "ConfigMap.metadata"));
        MOOR_RETURN_IF_ERROR(DecodeObjectMeta(bytes, obj["metadata"], "ConfigMap.metadata"));
        break;
      }
      case config_map::kData:
        MOOR_RETURN_IF_ERROR(MapEntry(obj["data"], f, false, "ConfigMap.data"));
        break;
      case config_map::kBinaryData:
        MOOR_RETURN_IF_ERROR(MapEntry(obj["binaryData"], f, true, "ConfigMap.binaryData"));
        break;
      case config_map::kImmutable:
        MOOR_RETURN_IF_ERROR(Bool(obj, "immutable", f, "ConfigMap"));
        break;
      default:
        break;
    }
  }
  return Status::Ok();
}

Status DecodeSecret(std::string_view raw, Object& obj) {
  WireReader reader(raw);
  while (!reader.done()) {
    MOOR_ASSIGN_OR_RETURN(WireField f, NextField(reader, "Secret"));
    switch (f.number) {
      case secret::kMetadata: {
        MOOR_ASSIGN_OR_RETURN(std::string_view bytes, Bytes(f, "Secret.metadata"));
        MOOR_RETURN_IF_ERROR(DecodeObjectMeta(bytes, obj["metadata"], "Secret.metadata"));
        break;
      }
      case secret::kData:
        MOOR_RETURN_IF_ERROR(MapEntry(obj["data"], f, true, "Secret.data"));
        break;
      case secret::kType:
        MOOR_RETURN_IF_ERROR(SetString(obj, "type", f, "Secret"));
        break;
      case secret::kStringData:
        MOOR_RETURN_IF_ERROR(MapEntry(obj["stringData"], f, false, "Secret.stringData"));
        break;
      case secret::kImmutable:
        MOOR_RETURN_IF_ERROR(Bool(obj, "immutable", f, "Secret"));
        break;
      default:
        break;
    }
  }
  return Status::Ok();
}

Status DecodeNamespaceSpec(std::string_view bytes, Object& spec) {
  if (!spec.is_object()) spec = Object::object();
  WireReader reader(bytes);
  while (!reader.done()) {
    MOOR_ASSIGN_OR_RETURN(WireField f, NextField(reader, "Namespace.spec"));
    if (f.number == namespace_msg::kSpecFinalizers) {
      MOOR_ASSIGN_OR_RETURN(std::string finalizer, String(f, "Namespace.spec.finalizers"));
      spec["finalizers"].push_back(std::move(finalizer));
    }
  }
  return Status::Ok();
}

Status DecodeNamespace(std::string_view raw, Object& obj) {
  WireReader reader(raw);
  while (!reader.done()) {
    MOOR_ASSIGN_OR_RETURN(WireField f, NextField(reader, "Namespace"));
    switch (f.number) {
      case namespace_msg::kMetadata: {
        MOOR_ASSIGN_OR_RETURN(std::string_view bytes, Bytes(f, "Namespace.metadata"));
        MOOR_RETURN_IF_ERROR(DecodeObjectMeta(bytes, obj["metadata"], "Namespace.metadata"));
        break;
      }
      case namespace_msg::kSpec: {
        MOOR_ASSIGN_OR_RETURN(std::string_view bytes, Bytes(f, "Namespace.spec"));
        MOOR_RETURN_IF_ERROR(DecodeNamespaceSpec(bytes, obj["spec"]));
        break;
      }
      default:  // status: the server's
        break;
    }
  }
  return Status::Ok();
}

struct UnknownMessage {
  std::string api_version;
  std::string kind;
  std::string_view raw;
  std::string content_encoding;
  std::string content_type;
};

StatusOr<UnknownMessage> DecodeUnknown(std::string_view bytes) {
  UnknownMessage out;
  WireReader reader(bytes);
  while (!reader.done()) {
    MOOR_ASSIGN_OR_RETURN(WireField f, NextField(reader, "runtime.Unknown"));
    switch (f.number) {
      case unknown::kTypeMeta: {
        MOOR_ASSIGN_OR_RETURN(std::string_view type_meta, Bytes(f, "runtime.Unknown.typeMeta"));
        WireReader tm(type_meta);
        while (!tm.done()) {
          MOOR_ASSIGN_OR_RETURN(WireField t, NextField(tm, "runtime.Unknown.typeMeta"));
          if (t.number == type_meta::kApiVersion) {
            MOOR_ASSIGN_OR_RETURN(out.api_version, String(t, "runtime.Unknown.typeMeta.apiVersion"));
          } else if (t.number == type_meta::kKind) {
            MOOR_ASSIGN_OR_RETURN(out.kind, String(t, "runtime.Unknown.typeMeta.kind"));
          }
        }
        break;
      }
      case unknown::kRaw: {
        MOOR_ASSIGN_OR_RETURN(out.raw, Bytes(f, "runtime.Unknown.raw"));
        break;
      }
      case unknown::kContentEncoding: {
        MOOR_ASSIGN_OR_RETURN(out.content_encoding, String(f, "runtime.Unknown.contentEncoding"));
        break;
      }
      case unknown::kContentType: {
        MOOR_ASSIGN_OR_RETURN(out.content_type, String(f, "runtime.Unknown.contentType"));
        break;
      }
      default:
        break;
    }
  }
  return out;
}

Status NotDecoded(std::string what) {
  return FailedPreconditionError(std::move(what) +
                                 "; moor decodes protobuf only for ConfigMap, Secret and Namespace; send JSON or YAML: "
                                 "kubectl create -f FILE (for a generator command: add --dry-run=client -o yaml and "
                                 "pipe it to kubectl create -f -)");
}

}  // namespace

StatusOr<Object> DecodeProtobufObject(std::string_view body) {
  if (body.substr(0, kMagic.size()) != kMagic) {
    return InvalidArgumentError("malformed protobuf body: it does not start with the magic \"k8s\\0\"");
  }
  MOOR_ASSIGN_OR_RETURN(UnknownMessage message, DecodeUnknown(body.substr(kMagic.size())));
  std::string type_name = message.api_version + " " + message.kind;
  if (message.kind.empty()) type_name = "an object without a kind";
  if (!message.content_encoding.empty()) {
    return NotDecoded("cannot decode " + type_name + " with contentEncoding \"" + message.content_encoding + "\"");
  }
  if (!message.content_type.empty() && message.content_type != kProtobufMediaType) {
    return NotDecoded("cannot decode " + type_name + " wrapped as contentType \"" + message.content_type + "\"");
  }
  Object obj = Object::object();
  obj["apiVersion"] = message.api_version;
  obj["kind"] = message.kind;
  obj["metadata"] = Object::object();
  if (message.api_version == "v1" && message.kind == "ConfigMap") {
    MOOR_RETURN_IF_ERROR(DecodeConfigMap(message.raw, obj));
  } else if (message.api_version == "v1" && message.kind == "Secret") {
    MOOR_RETURN_IF_ERROR(DecodeSecret(message.raw, obj));
  } else if (message.api_version == "v1" && message.kind == "Namespace") {
    MOOR_RETURN_IF_ERROR(DecodeNamespace(message.raw, obj));
  } else {
    return NotDecoded("cannot decode " + type_name + " sent as protobuf");
  }
  return obj;
}

}  // namespace moor::api
