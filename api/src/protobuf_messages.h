#pragma once

#include "protobuf_message.h"

namespace moor::api {

// Descriptors of the Kubernetes messages moor decodes from protobuf (see ProtoMessage), with
// field numbers from Kubernetes' generated.proto files, checked against the bodies kubectl 1.32
// sends for its generator commands. Each lists the fields kubectl's generators can set plus the
// cheap ones nearby; anything else a body sets is refused, never dropped.

// meta.v1 (protobuf_messages_core.cc).
const ProtoMessage& ObjectMetaMessage();
const ProtoMessage& LabelSelectorMessage();

// core.v1 objects (protobuf_messages_core.cc).
const ProtoMessage& ConfigMapMessage();
const ProtoMessage& SecretMessage();
const ProtoMessage& NamespaceMessage();
const ProtoMessage& ServiceMessage();

// Pods and workloads (protobuf_messages_workloads.cc).
const ProtoMessage& PodTemplateSpecMessage();
const ProtoMessage& DeploymentMessage();
const ProtoMessage& JobMessage();
const ProtoMessage& CronJobMessage();

}  // namespace moor::api
