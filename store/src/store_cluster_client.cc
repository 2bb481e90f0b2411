#include "moor/store/store_cluster_client.h"

namespace moor::store {

StatusOr<manifests::Object> StoreClusterClient::Get(const manifests::ObjectKey& key) {
  MOOR_ASSIGN_OR_RETURN(Record record, store_.Get(key));
  return std::move(record.object);
}

StatusOr<ObjectList> StoreClusterClient::List(const std::string& kind, const std::optional<std::string>& ns) {
  ListOptions options;
  options.kind = kind;
  options.ns = ns;
  MOOR_ASSIGN_OR_RETURN(ListResult result, store_.List(options));
  ObjectList list;
  list.resource_version = result.resource_version;
  list.items.reserve(result.items.size());
  for (Record& r : result.items) list.items.push_back(std::move(r.object));
  return list;
}

StatusOr<std::unique_ptr<Watcher>> StoreClusterClient::Watch(const std::string& kind, std::int64_t from_rv) {
  WatchOptions options;
  options.kind = kind;
  options.from_rv = from_rv;
  return store_.Watch(options);
}

StatusOr<manifests::Object> StoreClusterClient::Create(const manifests::Object& obj) { return store_.Create(obj); }
StatusOr<manifests::Object> StoreClusterClient::Update(const manifests::Object& obj) { return store_.Update(obj); }
StatusOr<manifests::Object> StoreClusterClient::UpdateStatus(const manifests::Object& obj) { return store_.UpdateStatus(obj); }
Status StoreClusterClient::RecordEvent(const EventInput& event) { return store_.RecordEvent(event); }

StatusOr<manifests::Object> StoreClusterClient::Delete(const manifests::ObjectKey& key, const DeleteOptions& options) {
  MOOR_ASSIGN_OR_RETURN(OpResult result, store_.Delete(key, options));
  return std::move(result.object);
}

StatusOr<Object> ClusterClient::Delete(const ObjectKey& key, const DeleteOptions&) {
  return FailedPreconditionError("this cluster client cannot delete " + key.ToString());
}

}  // namespace moor::store
