#include "protobuf_body.h"

#include <string>

#include "base64.h"
#include "protobuf_decoder.h"
#include "protobuf_messages.h"

namespace moor::api {
namespace {

using manifests::Object;

constexpr std::string_view kMagic{"k8s\0", 4};

// The kinds moor decodes from protobuf, and their descriptors.
struct DecodedKind {
  std::string_view api_version;
  std::string_view kind;
  ProtoMessageFn message;
};
constexpr DecodedKind kKinds[] = {
    {"v1", "ConfigMap", ConfigMapMessage}, {"v1", "Secret", SecretMessage},
    {"v1", "Namespace", NamespaceMessage}, {"v1", "Service", ServiceMessage},
    {"apps/v1", "Deployment", DeploymentMessage}, {"batch/v1", "Job", JobMessage},
    {"batch/v1", "CronJob", CronJobMessage},
};

// runtime.Unknown and runtime.TypeMeta (apimachinery/pkg/runtime/generated.proto). `raw` is
// decoded as base64 and decoded back: it is small, and this keeps one decoder.
const ProtoMessage& TypeMetaMessage() {
  static const ProtoMessage m{"runtime.TypeMeta", {pb::String(1, "apiVersion"), pb::String(2, "kind")}};
  return m;
}
const ProtoMessage& UnknownMessage() {
  static const ProtoMessage m{"runtime.Unknown",
                              {pb::Message(1, "typeMeta", TypeMetaMessage), pb::Bytes(2, "raw"),
                               pb::String(3, "contentEncoding"), pb::String(4, "contentType")}};
  return m;
}

Status NotDecoded(std::string what) {
  std::string kinds;
  for (const DecodedKind& k : kKinds) {
    if (!kinds.empty()) kinds += &k == &kKinds[std::size(kKinds) - 1] ? " and " : ", ";
    kinds += k.kind;
  }
  return FailedPreconditionError(std::move(what) + "; moor decodes protobuf only for " + kinds +
                                 "; send JSON or YAML: kubectl create -f FILE (for a generator command: add "
                                 "--dry-run=client -o yaml and pipe it to kubectl create -f -)");
}

}  // namespace

StatusOr<Object> DecodeProtobufObject(std::string_view body) {
  if (body.substr(0, kMagic.size()) != kMagic) {
    return InvalidArgumentError("malformed protobuf body: it does not start with the magic \"k8s\\0\"");
  }
  Object unknown;
  MOOR_RETURN_IF_ERROR(DecodeProtoMessage(UnknownMessage(), body.substr(kMagic.size()), "runtime.Unknown", unknown));
  std::string api_version = unknown["typeMeta"].value("apiVersion", "");
  std::string kind = unknown["typeMeta"].value("kind", "");
  std::string content_encoding = unknown.value("contentEncoding", "");
  std::string content_type = unknown.value("contentType", "");
  std::string raw = Base64Decode(unknown.value("raw", "")).value_or("");
  std::string type_name = kind.empty() ? "an object without a kind" : api_version + " " + kind;
  if (!content_encoding.empty()) {
    return NotDecoded("cannot decode " + type_name + " with contentEncoding \"" + content_encoding + "\"");
  }
  if (!content_type.empty() && content_type != kProtobufMediaType) {
    return NotDecoded("cannot decode " + type_name + " wrapped as contentType \"" + content_type + "\"");
  }
  for (const DecodedKind& k : kKinds) {
    if (k.api_version != api_version || k.kind != kind) continue;
    Object obj = Object::object();
    obj["apiVersion"] = api_version;
    obj["kind"] = kind;
    obj["metadata"] = Object::object();
    MOOR_RETURN_IF_ERROR(DecodeProtoMessage(k.message(), raw, kind, obj));
    return obj;
  }
  return NotDecoded("cannot decode " + type_name + " sent as protobuf");
}

}  // namespace moor::api
