// meta.v1 and core.v1 descriptors (field numbers: apimachinery/pkg/apis/meta/v1/generated.proto,
// api/core/v1/generated.proto).
#include "protobuf_messages.h"

namespace moor::api {
namespace {

using P = Presence;

const ProtoMessage& OwnerReferenceMessage() {
  static const ProtoMessage m{"OwnerReference",
                              {pb::String(1, "kind", P::kAlways), pb::String(3, "name", P::kAlways),
                               pb::String(4, "uid", P::kAlways), pb::String(5, "apiVersion", P::kAlways),
                               pb::Bool(6, "controller", P::kPresent), pb::Bool(7, "blockOwnerDeletion", P::kPresent)}};
  return m;
}

const ProtoMessage& LabelSelectorRequirementMessage() {
  static const ProtoMessage m{"LabelSelectorRequirement",
                              {pb::String(1, "key", P::kAlways), pb::String(2, "operator", P::kAlways),
                               pb::Strings(3, "values")}};
  return m;
}

const ProtoMessage& NamespaceSpecMessage() {
  static const ProtoMessage m{"NamespaceSpec", {pb::Strings(1, "finalizers")}};
  return m;
}

const ProtoMessage& ClientIPConfigMessage() {
  static const ProtoMessage m{"ClientIPConfig", {pb::Int32(1, "timeoutSeconds", P::kPresent)}};
  return m;
}

const ProtoMessage& SessionAffinityConfigMessage() {
  static const ProtoMessage m{"SessionAffinityConfig", {pb::Message(1, "clientIP", ClientIPConfigMessage)}};
  return m;
}

const ProtoMessage& ServicePortMessage() {
  static const ProtoMessage m{"ServicePort",
                              {pb::String(1, "name"), pb::String(2, "protocol"), pb::Int32(3, "port", P::kAlways),
                               // Go writes a zero targetPort as 0; left out, it is defaulted to port
                               // all the same.
                               pb::IntOrString(4, "targetPort"), pb::Int32(5, "nodePort"),
                               pb::String(6, "appProtocol", P::kPresent)}};
  return m;
}

const ProtoMessage& ServiceSpecMessage() {
  static const ProtoMessage m{"ServiceSpec",
                              {pb::Messages(1, "ports", ServicePortMessage), pb::StringMap(2, "selector"),
                               pb::String(3, "clusterIP"), pb::String(4, "type"), pb::Strings(5, "externalIPs"),
                               pb::String(7, "sessionAffinity"), pb::String(8, "loadBalancerIP"),
                               pb::Strings(9, "loadBalancerSourceRanges"), pb::String(10, "externalName"),
                               pb::String(11, "externalTrafficPolicy"), pb::Int32(12, "healthCheckNodePort"),
                               pb::Bool(13, "publishNotReadyAddresses"),
                               pb::Message(14, "sessionAffinityConfig", SessionAffinityConfigMessage)}};
  return m;
}

}  // namespace

const ProtoMessage& ObjectMetaMessage() {
  static const ProtoMessage m{
      "ObjectMeta",
      {pb::String(1, "name"), pb::String(2, "generateName"), pb::String(3, "namespace"),
       pb::Ignored(4, "selfLink"), pb::String(5, "uid"), pb::String(6, "resourceVersion"),
       pb::Int64(7, "generation"), pb::Time(8, "creationTimestamp"), pb::Time(9, "deletionTimestamp"),
       pb::Int64(10, "deletionGracePeriodSeconds", P::kPresent), pb::StringMap(11, "labels"),
       pb::StringMap(12, "annotations"), pb::Messages(13, "ownerReferences", OwnerReferenceMessage),
       pb::Strings(14, "finalizers"), pb::Ignored(17, "managedFields")}};
  return m;
}

const ProtoMessage& LabelSelectorMessage() {
  static const ProtoMessage m{"LabelSelector",
                              {pb::StringMap(1, "matchLabels"),
                               pb::Messages(2, "matchExpressions", LabelSelectorRequirementMessage)}};
  return m;
}

const ProtoMessage& ConfigMapMessage() {
  static const ProtoMessage m{"ConfigMap",
                              {pb::Message(1, "metadata", ObjectMetaMessage), pb::StringMap(2, "data"),
                               pb::BytesMap(3, "binaryData"), pb::Bool(4, "immutable", P::kPresent)}};
  return m;
}

const ProtoMessage& SecretMessage() {
  static const ProtoMessage m{"Secret",
                              {pb::Message(1, "metadata", ObjectMetaMessage), pb::BytesMap(2, "data"),
                               pb::String(3, "type"), pb::StringMap(4, "stringData"),
                               pb::Bool(5, "immutable", P::kPresent)}};
  return m;
}

const ProtoMessage& NamespaceMessage() {
  static const ProtoMessage m{"Namespace",
                              {pb::Message(1, "metadata", ObjectMetaMessage),
                               pb::Message(2, "spec", NamespaceSpecMessage), pb::Ignored(3, "status")}};
  return m;
}

const ProtoMessage& ServiceMessage() {
  static const ProtoMessage m{"Service",
                              {pb::Message(1, "metadata", ObjectMetaMessage), pb::Message(2, "spec", ServiceSpecMessage),
                               pb::Ignored(3, "status")}};
  return m;
}

}  // namespace moor::api
