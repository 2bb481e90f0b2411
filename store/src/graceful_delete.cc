#include "graceful_delete.h"

#include <algorithm>
#include <chrono>

#include "moor/manifests/kinds.h"

namespace moor::store {
namespace {

// kube-apiserver's default for spec.terminationGracePeriodSeconds.
constexpr int64_t kDefaultPodGraceSeconds = 30;

std::optional<int64_t> IntAt(const manifests::Object& obj, const char* path) {
  const manifests::Object& v = manifests::FieldAt(obj, path);
  if (v.is_number_integer()) return v.get<int64_t>();
  return std::nullopt;
}

// The grace period of a first delete of `pod` (the Pod strategy's CheckGracefulDelete).
int64_t PodGrace(const manifests::Object& pod, std::optional<int64_t> requested) {
  int64_t grace = requested ? *requested
                            : IntAt(pod, "spec.terminationGracePeriodSeconds").value_or(kDefaultPodGraceSeconds);
  if (grace < 0) grace = 1;  // a negative grace is taken as the shortest graceful one
  if (manifests::StringAt(pod, "spec.nodeName").empty()) return 0;  // nothing runs it: nothing to wait for
  std::string phase = manifests::StringAt(pod, "status.phase");
  if (phase == "Succeeded" || phase == "Failed") return 0;  // its containers are done already
  return grace;
}

WallTime WholeSeconds(WallTime t) { return std::chrono::time_point_cast<std::chrono::seconds>(t); }

}  // namespace

DeleteDecision DecideDelete(const manifests::Object& stored, std::optional<int64_t> requested_grace, WallTime now) {
  DeleteDecision d;
  if (manifests::KindOf(stored) != "Pod") return d;
  if (manifests::IsBeingDeleted(stored)) {
    std::optional<int64_t> current = IntAt(stored, "metadata.deletionGracePeriodSeconds");
    // Without a grace (or with 0) the earlier delete meant "now": finish it.
    if (!current || *current <= 0) return d;
    if (!requested_grace || *requested_grace >= *current) {
      d.action = DeleteDecision::Action::kPending;
      return d;
    }
    int64_t grace = std::max<int64_t>(*requested_grace, 0);
    if (grace == 0) return d;
    // Shorter: the deadline moves back by the difference, but never before now.
    auto ts = ParseRfc3339(manifests::StringAt(stored, "metadata.deletionTimestamp"));
    WallTime deadline = ts.ok() ? *ts - std::chrono::seconds(*current - grace) : now;
    d.action = DeleteDecision::Action::kMark;
    d.grace_seconds = grace;
    d.deletion_timestamp = FormatRfc3339(WholeSeconds(std::max(deadline, now)));
    return d;
  }
  int64_t grace = PodGrace(stored, requested_grace);
  if (grace == 0) return d;
  d.action = DeleteDecision::Action::kMark;
  d.grace_seconds = grace;
  d.deletion_timestamp = FormatRfc3339(WholeSeconds(now + std::chrono::seconds(grace)));
  return d;
}

}  // namespace moor::store
