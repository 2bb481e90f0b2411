// Pod template and workload descriptors (field numbers: api/core/v1, api/apps/v1 and
// api/batch/v1 generated.proto).
#include "protobuf_messages.h"

namespace moor::api {
namespace {

using P = Presence;

const ProtoMessage& ContainerPortMessage() {
  static const ProtoMessage m{"ContainerPort",
                              {pb::String(1, "name"), pb::Int32(2, "hostPort"), pb::Int32(3, "containerPort", P::kAlways),
                               pb::String(4, "protocol"), pb::String(5, "hostIP")}};
  return m;
}

const ProtoMessage& EnvVarMessage() {
  static const ProtoMessage m{"EnvVar", {pb::String(1, "name", P::kAlways), pb::String(2, "value")}};
  return m;
}

const ProtoMessage& ResourceRequirementsMessage() {
  static const ProtoMessage m{"ResourceRequirements", {pb::QuantityMap(1, "limits"), pb::QuantityMap(2, "requests")}};
  return m;
}

const ProtoMessage& ContainerMessage() {
  static const ProtoMessage m{
      "Container",
      {pb::String(1, "name", P::kAlways), pb::String(2, "image"), pb::Strings(3, "command"), pb::Strings(4, "args"),
       pb::String(5, "workingDir"), pb::Messages(6, "ports", ContainerPortMessage),
       pb::Messages(7, "env", EnvVarMessage), pb::Message(8, "resources", ResourceRequirementsMessage),
       pb::String(13, "terminationMessagePath"), pb::String(14, "imagePullPolicy"), pb::Bool(16, "stdin"),
       pb::Bool(17, "stdinOnce"), pb::Bool(18, "tty"), pb::String(20, "terminationMessagePolicy")}};
  return m;
}

const ProtoMessage& LocalObjectReferenceMessage() {
  static const ProtoMessage m{"LocalObjectReference", {pb::String(1, "name")}};
  return m;
}

const ProtoMessage& PodSpecMessage() {
  static const ProtoMessage m{
      "PodSpec",
      {pb::Messages(2, "containers", ContainerMessage), pb::String(3, "restartPolicy"),
       pb::Int64(4, "terminationGracePeriodSeconds", P::kPresent), pb::Int64(5, "activeDeadlineSeconds", P::kPresent),
       pb::String(6, "dnsPolicy"), pb::StringMap(7, "nodeSelector"), pb::String(8, "serviceAccountName"),
       pb::String(9, "serviceAccount"), pb::String(10, "nodeName"), pb::Bool(11, "hostNetwork"),
       pb::Bool(12, "hostPID"), pb::Bool(13, "hostIPC"),
       pb::Messages(15, "imagePullSecrets", LocalObjectReferenceMessage), pb::String(16, "hostname"),
       pb::String(17, "subdomain"), pb::String(19, "schedulerName"),
       pb::Messages(20, "initContainers", ContainerMessage),
       pb::Bool(21, "automountServiceAccountToken", P::kPresent), pb::String(24, "priorityClassName"),
       pb::Int32(25, "priority", P::kPresent), pb::Bool(30, "enableServiceLinks", P::kPresent)}};
  return m;
}

const ProtoMessage& RollingUpdateDeploymentMessage() {
  static const ProtoMessage m{"RollingUpdateDeployment",
                              {pb::IntOrString(1, "maxUnavailable", P::kPresent),
                               pb::IntOrString(2, "maxSurge", P::kPresent)}};
  return m;
}

const ProtoMessage& DeploymentStrategyMessage() {
  static const ProtoMessage m{"DeploymentStrategy",
                              {pb::String(1, "type"), pb::Message(2, "rollingUpdate", RollingUpdateDeploymentMessage)}};
  return m;
}

const ProtoMessage& DeploymentSpecMessage() {
  static const ProtoMessage m{
      "DeploymentSpec",
      {pb::Int32(1, "replicas", P::kPresent), pb::Message(2, "selector", LabelSelectorMessage),
       pb::Message(3, "template", PodTemplateSpecMessage), pb::Message(4, "strategy", DeploymentStrategyMessage),
       pb::Int32(5, "minReadySeconds"), pb::Int32(6, "revisionHistoryLimit", P::kPresent), pb::Bool(7, "paused"),
       pb::Int32(9, "progressDeadlineSeconds", P::kPresent)}};
  return m;
}

const ProtoMessage& JobSpecMessage() {
  static const ProtoMessage m{
      "JobSpec",
      {pb::Int32(1, "parallelism", P::kPresent), pb::Int32(2, "completions", P::kPresent),
       pb::Int64(3, "activeDeadlineSeconds", P::kPresent), pb::Message(4, "selector", LabelSelectorMessage),
       pb::Bool(5, "manualSelector", P::kPresent), pb::Message(6, "template", PodTemplateSpecMessage),
       pb::Int32(7, "backoffLimit", P::kPresent), pb::Int32(8, "ttlSecondsAfterFinished", P::kPresent),
       pb::String(9, "completionMode", P::kPresent), pb::Bool(10, "suspend", P::kPresent)}};
  return m;
}

const ProtoMessage& JobTemplateSpecMessage() {
  static const ProtoMessage m{"JobTemplateSpec",
                              {pb::Message(1, "metadata", ObjectMetaMessage), pb::Message(2, "spec", JobSpecMessage)}};
  return m;
}

const ProtoMessage& CronJobSpecMessage() {
  static const ProtoMessage m{
      "CronJobSpec",
      {pb::String(1, "schedule", P::kAlways), pb::Int64(2, "startingDeadlineSeconds", P::kPresent),
       pb::String(3, "concurrencyPolicy"), pb::Bool(4, "suspend", P::kPresent),
       pb::Message(5, "jobTemplate", JobTemplateSpecMessage),
       pb::Int32(6, "successfulJobsHistoryLimit", P::kPresent), pb::Int32(7, "failedJobsHistoryLimit", P::kPresent),
       pb::String(8, "timeZone", P::kPresent)}};
  return m;
}

}  // namespace

const ProtoMessage& PodTemplateSpecMessage() {
  static const ProtoMessage m{"PodTemplateSpec",
                              {pb::Message(1, "metadata", ObjectMetaMessage), pb::Message(2, "spec", PodSpecMessage)}};
  return m;
}

const ProtoMessage& DeploymentMessage() {
  static const ProtoMessage m{"Deployment",
                              {pb::Message(1, "metadata", ObjectMetaMessage),
                               pb::Message(2, "spec", DeploymentSpecMessage), pb::Ignored(3, "status")}};
  return m;
}

const ProtoMessage& JobMessage() {
  static const ProtoMessage m{"Job",
                              {pb::Message(1, "metadata", ObjectMetaMessage), pb::Message(2, "spec", JobSpecMessage),
                               pb::Ignored(3, "status")}};
  return m;
}

const ProtoMessage& CronJobMessage() {
  static const ProtoMessage m{"CronJob",
                              {pb::Message(1, "metadata", ObjectMetaMessage), pb::Message(2, "spec", CronJobSpecMessage),
                               pb::Ignored(3, "status")}};
  return m;
}

}  // namespace moor::api
