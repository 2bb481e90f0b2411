#pragma once

#include <string_view>

#include "moor/common/status.h"
#include "moor/manifests/object.h"

namespace moor::api {

// The media type of Kubernetes' protobuf encoding, which kubectl's generator commands
// (`kubectl create configmap|secret|namespace|deployment|service|job|cronjob ...`) send their bodies in.
inline constexpr std::string_view kProtobufMediaType = "application/vnd.kubernetes.protobuf";

// Decodes a Kubernetes protobuf request body: the 4-byte magic "k8s\0", then a runtime.Unknown
// message (typeMeta{apiVersion, kind}, raw = the object's own message, contentEncoding,
// contentType). Decodes v1 ConfigMap, Secret, Namespace, Service, apps/v1 Deployment, batch/v1
// Job and CronJob (the descriptors in protobuf_messages.h, decoded by DecodeProtoMessage) into
// the JSON object the same request would have had as JSON:
// - apiVersion and kind (from typeMeta);
// - metadata: name, generateName, namespace, uid, resourceVersion, generation,
//   creationTimestamp, deletionTimestamp, deletionGracePeriodSeconds, labels, annotations,
//   ownerReferences, finalizers. Empty strings, generation 0 and zero timestamps are left out,
//   as Go's JSON encoder leaves them out (omitempty); selfLink and managedFields are dropped;
// - the kind's own fields (what kubectl's generators can set; see the descriptors); status is
//   the server's and is dropped.
// Fields a descriptor does not list are skipped when empty / zero (kubectl writes every
// non-pointer field) and refused otherwise.
//
// Errors:
// - FailedPrecondition (moor's Status has no Unimplemented) naming apiVersion and kind for
//   any other kind, or for a contentEncoding / contentType moor does not decode; and naming the
//   field number and message for a non-empty field moor does not know: the request is
//   well-formed but moor cannot take it as protobuf; the message says to send JSON or YAML.
// - InvalidArgument for a malformed body: bad magic, a truncated varint or length, a wrong
//   wire type for a known field, or a string that is not valid UTF-8. The message names the
//   field ("ConfigMap.metadata.labels: ...").
StatusOr<manifests::Object> DecodeProtobufObject(std::string_view body);

}  // namespace moor::api
