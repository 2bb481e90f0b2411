#pragma once

#include "moor/runtime/cluster_client.h"
#include "moor/store/store.h"

namespace moor::cli {

// The in-process ClusterClient of `moor server`: the node agent's reads and writes go straight
// to the store. (A `moor agent` on another machine would use the API client instead.)
class StoreClusterClient final : public runtime::ClusterClient {
 public:
  explicit StoreClusterClient(store::Store& store) : store_(store) {}

  StatusOr<runtime::Object> Get(const runtime::ObjectKey& key) override;
  StatusOr<runtime::ObjectList> List(const std::string& kind, const std::optional<std::string>& ns) override;
  StatusOr<std::unique_ptr<store::Watcher>> Watch(const std::string& kind, std::int64_t from_rv) override;
  StatusOr<runtime::Object> Create(const runtime::Object& obj) override;
  StatusOr<runtime::Object> Update(const runtime::Object& obj) override;
  StatusOr<runtime::Object> UpdateStatus(const runtime::Object& obj) override;
  Status RecordEvent(const store::EventInput& event) override;

 private:
  store::Store& store_;
};

}  // namespace moor::cli
