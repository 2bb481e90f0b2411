#pragma once

#include <memory>
#include <string>

#include "moor/common/status.h"
#include "moor/store/store.h"

namespace moor::reconciler {

struct PodBinderOptions {
  store::Store* store = nullptr;  // required, not owned
  std::string node_name;          // every unbound pod goes here
};

// The minimal scheduler of a one-node moor: binds every pod without spec.nodeName to this
// host's node (as a Binding would), and records a "Scheduled" event. A later scheduler replaces
// it when there is more than one node.
class PodBinder {
 public:
  static StatusOr<std::unique_ptr<PodBinder>> Start(PodBinderOptions options);
  virtual ~PodBinder() = default;
  virtual void Stop() = 0;
};

}  // namespace moor::reconciler
