#pragma once

#include "moor/store/cluster_client.h"
#include "moor/store/store.h"

namespace moor::store {

// The in-process ClusterClient: the node components' reads and writes go straight to the
// store (`moor server`, and tests). A `moor agent` on another machine would use the API client.
class StoreClusterClient final : public ClusterClient {
 public:
  explicit StoreClusterClient(Store& store) : store_(store) {}

  StatusOr<manifests::Object> Get(const manifests::ObjectKey& key) override;
  StatusOr<ObjectList> List(const std::string& kind, const std::optional<std::string>& ns) override;
  StatusOr<std::unique_ptr<Watcher>> Watch(const std::string& kind, std::int64_t from_rv) override;
  StatusOr<manifests::Object> Create(const manifests::Object& obj) override;
  StatusOr<manifests::Object> Update(const manifests::Object& obj) override;
  StatusOr<manifests::Object> UpdateStatus(const manifests::Object& obj) override;
  Status RecordEvent(const EventInput& event) override;
  StatusOr<manifests::Object> Delete(const manifests::ObjectKey& key, const DeleteOptions& options) override;

 private:
  Store& store_;
};

}  // namespace moor::store
