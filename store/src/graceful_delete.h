#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "moor/common/clock.h"
#include "moor/manifests/object.h"

namespace moor::store {

// What a delete does to a stored object, decided as kube-apiserver's graceful deletion does
// (the generic BeforeDelete rules with the Pod strategy's grace period). Pure; see WriteOp in
// moor/store/store.h for the contract it implements.
struct DeleteDecision {
  enum class Action {
    kRemove,   // remove the object now
    kMark,     // write deletion_timestamp / grace_seconds into metadata (graceful deletion)
    kPending,  // a graceful deletion is already under way and this delete changes nothing
  };
  Action action = Action::kRemove;
  std::string deletion_timestamp;  // kMark: RFC 3339 UTC, whole seconds
  int64_t grace_seconds = 0;       // kMark: metadata.deletionGracePeriodSeconds
};

// `stored` is the object as stored (metadata, spec and status); `requested_grace` is
// DeleteOptions.gracePeriodSeconds.
DeleteDecision DecideDelete(const manifests::Object& stored, std::optional<int64_t> requested_grace, WallTime now);

}  // namespace moor::store
