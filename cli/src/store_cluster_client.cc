#include "store_cluster_client.h"

namespace moor::cli {

StatusOr<manifests::Object> StoreClusterClient::Get(const manifests::ObjectKey& key) {
  MOOR_ASSIGN_OR_RETURN(store::Record record, store_.Get(key));
  return std::move(record.object);
}

StatusOr<store::ObjectList> StoreClusterClient::List(const std::string& kind, const std::optional<std::string>& ns) {
  store::ListOptions options;
  options.kind = kind;
  options.ns = ns;
  MOOR_ASSIGN_OR_RETURN(store::ListResult result, store_.List(options));
  store::ObjectList list;
  list.resource_version = result.resource_version;
  list.items.reserve(result.items.size());
  for (store::Record& r : result.items) list.items.push_back(std::move(r.object));
  return list;
}

StatusOr<std::unique_ptr<store::Watcher>> StoreClusterClient::Watch(const std::string& kind, std::int64_t from_rv) {
  store::WatchOptions options;
  options.kind = kind;
  options.from_rv = from_rv;
  return store_.Watch(options);
}

StatusOr<manifests::Object> StoreClusterClient::Create(const manifests::Object& obj) { return store_.Create(obj); }
StatusOr<manifests::Object> StoreClusterClient::Update(const manifests::Object& obj) { return store_.Update(obj); }
StatusOr<manifests::Object> StoreClusterClient::UpdateStatus(const manifests::Object& obj) { return store_.UpdateStatus(obj); }
Status StoreClusterClient::RecordEvent(const store::EventInput& event) { return store_.RecordEvent(event); }

}  // namespace moor::cli
