#pragma once

#include <string>
#include <string_view>

#include "moor/common/status.h"
#include "moor/manifests/object.h"
#include "protobuf_message.h"

namespace moor::api {

// Decodes one protobuf message by its descriptor into JSON, as Go's encoding/json would write
// the Kubernetes object kubectl encoded (see ProtoType and Presence for each field's mapping).
// `out` is merged into (protobuf's semantics for a repeated occurrence of a message); it is made
// an object when it is not one. `path` names the message in errors ("Deployment.spec").
//
// Errors:
// - InvalidArgument "malformed protobuf body: <path>: ..." for a malformed message: a truncated
//   varint or length, a group, field number 0, a known field with the wrong wire type, a string
//   that is not UTF-8;
// - FailedPrecondition naming the field number, the message and the path for an unknown field
//   (one the descriptor does not list) whose value is not empty / zero, so nothing a user set is
//   silently dropped. Unknown fields with empty / zero values (kubectl writes every non-pointer
//   field, set or not) are skipped; a length-delimited value counts as empty when it has no bytes
//   or is itself a message of only empty / zero fields.
Status DecodeProtoMessage(const ProtoMessage& message, std::string_view bytes, const std::string& path,
                          manifests::Object& out);

// "malformed protobuf body: <path>: <what>" (InvalidArgument).
Status MalformedProtobuf(std::string_view path, std::string_view what);

// Strict UTF-8 (no overlong forms, surrogates or values past U+10FFFF), as JSON needs.
bool IsValidUtf8(std::string_view s);

}  // namespace moor::api
