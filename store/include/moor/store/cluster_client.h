#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "moor/common/status.h"
#include "moor/manifests/object.h"
#include "moor/store/store.h"

namespace moor::store {

using manifests::Object;
using manifests::ObjectKey;

struct ObjectList {
  std::vector<Object> items;
  std::int64_t resource_version = 0;
};

// The narrow view of the cluster that node components (the runtime's node agent, netproxy's
// service proxy) need. In the server process it is backed by the store (cli/ wires that); a
// `moor agent` on another machine backs it with the API client. Neither runtime/ nor netproxy/
// opens the store itself. Every method is thread-safe. The store's value
// types (WatchEvent, Watcher, EventInput) are shared so both backings speak the same words.
class ClusterClient {
 public:
  virtual ~ClusterClient() = default;
  // kNotFound if absent.
  virtual StatusOr<Object> Get(const ObjectKey& key) = 0;
  // Every object of `kind` (in `ns`, or all namespaces).
  virtual StatusOr<ObjectList> List(const std::string& kind, const std::optional<std::string>& ns) = 0;
  // Changes of `kind` after `from_rv` (kGone if that is too old: relist).
  virtual StatusOr<std::unique_ptr<Watcher>> Watch(const std::string& kind, std::int64_t from_rv) = 0;
  virtual StatusOr<Object> Create(const Object& obj) = 0;
  // Replaces spec/metadata (precondition: metadata.resourceVersion when set).
  virtual StatusOr<Object> Update(const Object& obj) = 0;
  // Replaces status only (precondition: metadata.resourceVersion when set).
  virtual StatusOr<Object> UpdateStatus(const Object& obj) = 0;
  virtual Status RecordEvent(const EventInput& event) = 0;
  // Deletes `key` with DeleteOptions (store.h: preconditions, grace period; a bound Pod is
  // only marked for deletion unless the grace is 0). Returns the object as the delete left it
  // (marked, or its last state when removed). kNotFound if absent, kConflict if a
  // precondition fails. The node agent removes a pod it stopped with a grace of 0 and a uid
  // precondition, so a new pod of the same name is never removed. Backings that cannot delete
  // answer kFailedPrecondition (the default, for read-mostly test doubles).
  virtual StatusOr<Object> Delete(const ObjectKey& key, const DeleteOptions& options);
};

}  // namespace moor::store
