#pragma once

#include "moor/store/cluster_client.h"
#include "moor/store/store.h"

namespace moor::cli {

// The in-process ClusterClient of `moor server`: the node agent's reads and writes go straight
// to the store. (A `moor agent` on another machine would use the API client instead.)
class StoreClusterClient final : public store::ClusterClient {
 public:
  explicit StoreClusterClient(store::Store& store) : store_(store) {}

  StatusOr<manifests::Object> Get(const manifests::ObjectKey& key) override;
  StatusOr<store::ObjectList> List(const std::string& kind, const std::optional<std::string>& ns) override;
  StatusOr<std::unique_ptr<store::Watcher>> Watch(const std::string& kind, std::int64_t from_rv) override;
  StatusOr<manifests::Object> Create(const manifests::Object& obj) override;
  StatusOr<manifests::Object> Update(const manifests::Object& obj) override;
  StatusOr<manifests::Object> UpdateStatus(const manifests::Object& obj) override;
  Status RecordEvent(const store::EventInput& event) override;

 private:
  store::Store& store_;
};

}  // namespace moor::cli
