#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "http_client.h"
#include "image_index.h"
#include "keyed_mutex.h"
#include "moor/runtime/image/manifest.h"
#include "moor/runtime/image_store.h"
#include "registry_client.h"
#include "store_layout.h"

namespace moor::runtime {

// ImageStore on a local directory (layout in store_layout.h).
// Locking: the index is read-modify-written under mu_ (threads) and an exclusive flock on
// root/lock (processes); readers take the flock shared. Pulls and imports hold root/gc.lock
// shared from their first blob to their index update, garbage collection holds it exclusive,
// so GC never deletes a blob a pull has written but not yet referenced. Downloads and unpacks
// happen outside the index lock; blobs and layers are published by rename only.
class DirectoryImageStore final : public ImageStore {
 public:
  using HttpClientFactory = std::function<std::unique_ptr<HttpClient>()>;

  DirectoryImageStore(ImageStoreOptions options, HttpClientFactory http);

  StatusOr<Image> Pull(const std::string& reference, const PullOptions& options) override;
  StatusOr<Image> Get(const std::string& reference_or_id) override;
  StatusOr<std::vector<Image>> List() override;
  Status Remove(const std::string& reference_or_id) override;
  StatusOr<std::vector<Image>> Import(const std::string& archive_path) override;
  StatusOr<std::vector<std::string>> LayerPaths(const Image& image) override;
  StatusOr<GcReport> CollectGarbage(const std::set<std::string>& in_use) override;

  // Creates the layout and clears leftovers of crashed pulls when no other process is active.
  Status Init();

 private:
  // Reads the index with the flock held shared.
  StatusOr<ImageIndex> ReadIndex();
  StatusOr<ImageIndex> ReadIndexLocked() const;
  // Applies `change` to the index under mu_ and the exclusive flock; writes it back if changed.
  Status UpdateIndex(const std::function<StatusOr<bool>(ImageIndex&)>& change);
  StatusOr<Image> ToImage(const IndexEntry& entry) const;
  // The id that `text` names as a full id or unique id prefix ("sha256:ab12", "ab12").
  StatusOr<std::string> ResolveId(const ImageIndex& index, const std::string& text) const;
  // The id `reference_or_id` names (see ImageStore::Get).
  StatusOr<std::string> Resolve(const ImageIndex& index, const std::string& reference_or_id) const;

  Status FetchBlob(RegistryClient& client, const std::string& repository, const Descriptor& blob);
  Status EnsureLayer(const std::string& digest);
  // Stores an image whose blobs are all in blobs/: unpacks its layers and indexes it.
  StatusOr<IndexEntry> Commit(IndexEntry entry);

  ImageStoreOptions options_;
  StoreLayout layout_;
  HttpClientFactory http_;
  std::mutex mu_;          // index read-modify-write within this process
  KeyedMutex blob_locks_;  // one fetch / unpack per digest at a time
};

}  // namespace moor::runtime
