#include "directory_image_store.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "archive_reader.h"
#include "file_lock.h"
#include "moor/common/files.h"
#include "moor/common/log.h"
#include "moor/runtime/image/digest.h"
#include "moor/runtime/image/registry_endpoints.h"
#include "moor/runtime/image_reference.h"

namespace moor::runtime {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxIndex = 64 << 20;
constexpr std::size_t kMaxConfig = 8 << 20;

bool IsHex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// "sha256:<hex prefix>" or "<hex prefix>": the hex part, or "" if it is not one.
std::string IdPrefix(const std::string& text) {
  std::string_view hex = text;
  if (hex.starts_with("sha256:")) hex.remove_prefix(7);
  return IsHex(hex) && hex.size() <= 64 ? std::string(hex) : "";
}

StatusOr<json> ParseJson(const std::string& text, const std::string& what) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return InvalidArgumentError(what + " is not valid JSON");
  return doc;
}

}  // namespace

DirectoryImageStore::DirectoryImageStore(ImageStoreOptions options, HttpClientFactory http)
    : options_(std::move(options)), layout_(options_.root), http_(std::move(http)) {}

Status DirectoryImageStore::Init() {
  MOOR_RETURN_IF_ERROR(layout_.Create());
  // Leftovers of a crashed pull: only when no pull, import or GC runs in any process.
  auto gc = FileLock::TryAcquire(layout_.GcLockPath(), FileLock::Mode::kExclusive);
  if (gc.ok()) layout_.ClearTmp();
  return ReadIndex().status();
}

StatusOr<ImageIndex> DirectoryImageStore::ReadIndexLocked() const {
  auto text = ReadFileLimited(layout_.IndexPath(), kMaxIndex);
  if (!text.ok() && text.status().code() == StatusCode::kNotFound) return ImageIndex();
  if (!text.ok()) return text.status();
  auto index = ImageIndex::Parse(*text);
  if (!index.ok()) return index.status().WithContext(layout_.IndexPath().string());
  return index;
}

StatusOr<ImageIndex> DirectoryImageStore::ReadIndex() {
  std::lock_guard<std::mutex> guard(mu_);
  MOOR_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(layout_.LockPath(), FileLock::Mode::kShared));
  return ReadIndexLocked();
}

Status DirectoryImageStore::UpdateIndex(const std::function<StatusOr<bool>(ImageIndex&)>& change) {
  std::lock_guard<std::mutex> guard(mu_);
  MOOR_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(layout_.LockPath(), FileLock::Mode::kExclusive));
  MOOR_ASSIGN_OR_RETURN(ImageIndex index, ReadIndexLocked());
  MOOR_ASSIGN_OR_RETURN(bool changed, change(index));
  if (!changed) return Status::Ok();
  return WriteFileAtomic(layout_.IndexPath(), index.Serialize());
}

StatusOr<Image> DirectoryImageStore::ToImage(const IndexEntry& entry) const {
  Image image;
  image.id = entry.id;
  image.manifest_digest = entry.manifest_digest;
  image.references = entry.references;
  image.layers = entry.layers;
  image.size = entry.size;
  auto text = ReadFileLimited(layout_.BlobPath(entry.id), kMaxConfig);
  if (!text.ok()) return InternalError("image " + entry.id + ": config blob unreadable: " + text.status().message());
  image.config = json::parse(*text, nullptr, false);
  if (image.config.is_discarded()) return InternalError("image " + entry.id + ": config blob is not JSON");
  return image;
}

StatusOr<std::string> DirectoryImageStore::ResolveId(const ImageIndex& index, const std::string& text) const {
  std::string hex = IdPrefix(text);
  if (hex.empty()) return NotFoundError("image \"" + text + "\" not found in the image store");
  if (hex.size() == 64 && index.Find("sha256:" + hex) != nullptr) return "sha256:" + hex;
  std::vector<std::string> ids = index.IdsWithPrefix(hex);
  if (ids.size() == 1) return ids[0];
  if (ids.size() > 1) {
    return InvalidArgumentError("image id prefix \"" + text + "\" is ambiguous (" + std::to_string(ids.size()) +
                                " images)");
  }
  return NotFoundError("image \"" + text + "\" not found in the image store");
}

StatusOr<std::string> DirectoryImageStore::Resolve(const ImageIndex& index, const std::string& reference_or_id) const {
  std::string hex = IdPrefix(reference_or_id);
  if (hex.size() == 64 && index.Find("sha256:" + hex) != nullptr) return "sha256:" + hex;
  auto ref = ParseImageReference(reference_or_id);
  if (ref.ok()) {
    if (const IndexEntry* e = index.FindByReference(ref->String())) return e->id;
    if (!ref->digest.empty()) {
      // "repo@sha256:..." also finds an image pulled by tag whose manifest has that digest.
      std::string repo = ref->registry + "/" + ref->repository;
      for (const auto& [id, e] : index.images()) {
        bool digest_matches = std::find(e.manifests.begin(), e.manifests.end(), ref->digest) != e.manifests.end();
        bool repo_matches = std::any_of(e.references.begin(), e.references.end(), [&](const std::string& r) {
          return r.starts_with(repo) && (r.size() == repo.size() || r[repo.size()] == ':' || r[repo.size()] == '@');
        });
        if (digest_matches && repo_matches) return id;
      }
    }
  }
  if (!ref.ok() && hex.empty()) return ref.status();
  return ResolveId(index, reference_or_id);
}

Status DirectoryImageStore::FetchBlob(RegistryClient& client, const std::string& repository, const Descriptor& blob) {
  KeyedMutex::Lock lock(blob_locks_, blob.digest);
  if (layout_.HasBlob(blob.digest)) return Status::Ok();
  std::filesystem::path tmp = layout_.NewTempPath("blob");
  MOOR_RETURN_IF_ERROR(client.FetchBlob(repository, blob, tmp));  // verified; removed on failure
  return layout_.CommitBlob(tmp, blob.digest);
}

Status DirectoryImageStore::EnsureLayer(const std::string& digest) {
  KeyedMutex::Lock lock(blob_locks_, digest);
  return layout_.EnsureLayer(digest);
}

StatusOr<IndexEntry> DirectoryImageStore::Commit(IndexEntry entry) {
  for (const std::string& layer : entry.layers) MOOR_RETURN_IF_ERROR(EnsureLayer(layer));
  IndexEntry stored;
  MOOR_RETURN_IF_ERROR(UpdateIndex([&](ImageIndex& index) -> StatusOr<bool> {
    index.Put(entry);
    stored = *index.Find(entry.id);
    return true;
  }));
  return stored;
}

StatusOr<Image> DirectoryImageStore::Pull(const std::string& reference, const PullOptions& options) {
  MOOR_ASSIGN_OR_RETURN(ImageReference ref, ParseImageReference(reference));
  const std::string context = "pulling " + ref.String();
  auto with_context = [&](const Status& s) { return s.WithContext(context); };

  std::unique_ptr<HttpClient> http = http_();
  RegistryClient client(*http, EndpointsFor(ref.registry, options_.registries), options.credentials);
  auto top = client.GetManifest(ref.repository, ref.digest.empty() ? ref.tag : ref.digest);
  if (!top.ok()) return with_context(top.status());
  if (!ref.digest.empty() && top->digest != ref.digest) {
    return with_context(InvalidArgumentError("the registry sent a manifest with digest " + top->digest +
                                             " for " + ref.digest + "; rejected"));
  }
  std::vector<RegistryClient::Manifest> manifests = {*top};
  auto doc = ParseJson(top->body, "manifest " + top->digest);
  if (!doc.ok()) return with_context(doc.status());
  auto kind = ClassifyManifest(top->content_type, *doc);
  if (!kind.ok()) return with_context(kind.status());
  if (*kind == ManifestKind::kIndex) {
    auto entries = ParseIndex(*doc);
    if (!entries.ok()) return with_context(entries.status());
    auto chosen = SelectPlatform(*entries, options_.platform_os, options_.platform_arch);
    if (!chosen.ok()) return with_context(chosen.status());
    auto platform = client.GetManifest(ref.repository, chosen->digest);
    if (!platform.ok()) return with_context(platform.status());
    if (platform->digest != chosen->digest) {
      return with_context(InvalidArgumentError("the registry sent a manifest with digest " + platform->digest +
                                               " for " + chosen->digest + "; rejected"));
    }
    doc = ParseJson(platform->body, "manifest " + platform->digest);
    if (!doc.ok()) return with_context(doc.status());
    auto inner = ClassifyManifest(platform->content_type, *doc);
    if (!inner.ok()) return with_context(inner.status());
    if (*inner != ManifestKind::kImage) {
      return with_context(InvalidArgumentError("manifest list entry " + chosen->digest + " is itself a list"));
    }
    manifests.push_back(*platform);
  }
  auto manifest = ParseImageManifest(*doc);
  if (!manifest.ok()) return with_context(manifest.status());

  auto gc = FileLock::Acquire(layout_.GcLockPath(), FileLock::Mode::kShared);
  if (!gc.ok()) return with_context(gc.status());
  IndexEntry entry;
  entry.id = manifest->config.digest;
  entry.manifest_digest = top->digest;
  entry.references = {ref.String()};
  entry.size = manifest->config.size;
  for (const RegistryClient::Manifest& m : manifests) {
    auto written = layout_.WriteBlob(m.body);
    if (!written.ok()) return with_context(written.status());
    entry.manifests.push_back(*written);
  }
  Status fetched = FetchBlob(client, ref.repository, manifest->config);
  if (!fetched.ok()) return with_context(fetched);
  for (const Descriptor& layer : manifest->layers) {
    fetched = FetchBlob(client, ref.repository, layer);
    if (!fetched.ok()) return with_context(fetched);
    entry.layers.push_back(layer.digest);
    entry.size += layer.size;
  }
  auto stored = Commit(std::move(entry));
  if (!stored.ok()) return with_context(stored.status());
  LogInfo("pulled image", {{"image", ref.String()}, {"id", stored->id}});
  return ToImage(*stored);
}

StatusOr<Image> DirectoryImageStore::Get(const std::string& reference_or_id) {
  std::lock_guard<std::mutex> guard(mu_);
  MOOR_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(layout_.LockPath(), FileLock::Mode::kShared));
  MOOR_ASSIGN_OR_RETURN(ImageIndex index, ReadIndexLocked());
  MOOR_ASSIGN_OR_RETURN(std::string id, Resolve(index, reference_or_id));
  return ToImage(*index.Find(id));
}

StatusOr<std::vector<Image>> DirectoryImageStore::List() {
  std::lock_guard<std::mutex> guard(mu_);
  MOOR_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(layout_.LockPath(), FileLock::Mode::kShared));
  MOOR_ASSIGN_OR_RETURN(ImageIndex index, ReadIndexLocked());
  std::vector<Image> out;
  for (const auto& [id, entry] : index.images()) {
    MOOR_ASSIGN_OR_RETURN(Image image, ToImage(entry));
    out.push_back(std::move(image));
  }
  return out;
}

Status DirectoryImageStore::Remove(const std::string& reference_or_id) {
  return UpdateIndex([&](ImageIndex& index) -> StatusOr<bool> {
    // A reference removes itself only; an id (or unique id prefix) removes every reference.
    auto ref = ParseImageReference(reference_or_id);
    if (ref.ok() && index.RemoveReference(ref->String())) return true;
    MOOR_ASSIGN_OR_RETURN(std::string id, ResolveId(index, reference_or_id));
    IndexEntry entry = *index.Find(id);
    for (const std::string& r : entry.references) index.RemoveReference(r);
    return true;
  });
}

StatusOr<std::vector<Image>> DirectoryImageStore::Import(const std::string& archive_path) {
  const std::string context = "importing " + archive_path;
  auto with_context = [&](const Status& s) { return s.WithContext(context); };
  auto gc = FileLock::Acquire(layout_.GcLockPath(), FileLock::Mode::kShared);
  if (!gc.ok()) return with_context(gc.status());
  auto work = layout_.NewTempDir("import");
  if (!work.ok()) return with_context(work.status());
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } cleanup{*work};

  auto contents = ReadImageArchive(archive_path, *work, options_.platform_os, options_.platform_arch);
  if (!contents.ok()) return with_context(contents.status());
  for (const auto& [digest, file] : contents->blob_files) {
    KeyedMutex::Lock lock(blob_locks_, digest);
    if (layout_.HasBlob(digest)) continue;
    Status committed = layout_.CommitVerifiedBlob(file, digest);
    if (!committed.ok()) return with_context(committed);
  }
  std::vector<Image> out;
  for (const ArchiveImage& image : contents->images) {
    IndexEntry entry;
    entry.id = image.config.digest;
    entry.references = image.references;
    entry.size = image.config.size;
    for (const std::string& digest : image.index_digests) {
      auto written = layout_.WriteBlob(contents->documents.at(digest));
      if (!written.ok()) return with_context(written.status());
      entry.manifests.push_back(digest);
    }
    auto manifest = layout_.WriteBlob(image.manifest_json);
    if (!manifest.ok()) return with_context(manifest.status());
    entry.manifests.push_back(*manifest);
    entry.manifest_digest = image.index_digests.empty() ? *manifest : image.index_digests.front();
    for (const Descriptor& layer : image.layers) {
      entry.layers.push_back(layer.digest);
      entry.size += layer.size;
    }
    auto stored = Commit(std::move(entry));
    if (!stored.ok()) return with_context(stored.status());
    auto result = ToImage(*stored);
    if (!result.ok()) return with_context(result.status());
    out.push_back(std::move(*result));
  }
  return out;
}

StatusOr<std::vector<std::string>> DirectoryImageStore::LayerPaths(const Image& image) {
  std::vector<std::string> out;
  for (const std::string& digest : image.layers) {
    MOOR_RETURN_IF_ERROR(ValidateDigest(digest));
    if (!layout_.HasLayer(digest)) {
      // Unpacked layers are derived data: rebuild one from its blob if it went missing.
      MOOR_ASSIGN_OR_RETURN(FileLock gc, FileLock::Acquire(layout_.GcLockPath(), FileLock::Mode::kShared));
      Status s = EnsureLayer(digest);
      if (s.code() == StatusCode::kNotFound) {
        return NotFoundError("layer " + digest + " of image " + image.id + " is not in the image store; pull it again");
      }
      MOOR_RETURN_IF_ERROR(s);
    }
    out.push_back(layout_.LayerPath(digest).string());
  }
  return out;
}

StatusOr<GcReport> DirectoryImageStore::CollectGarbage(const std::set<std::string>& in_use) {
  // Exclusive: waits for pulls and imports in flight (in any process) to finish.
  MOOR_ASSIGN_OR_RETURN(FileLock gc, FileLock::Acquire(layout_.GcLockPath(), FileLock::Mode::kExclusive));
  std::lock_guard<std::mutex> guard(mu_);
  MOOR_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(layout_.LockPath(), FileLock::Mode::kExclusive));
  MOOR_ASSIGN_OR_RETURN(ImageIndex index, ReadIndexLocked());
  GcReport report;
  for (const auto& [id, entry] : std::map<std::string, IndexEntry>(index.images())) {
    if (entry.references.empty() && !in_use.contains(id)) {
      report.removed_images.push_back(id);
      index.RemoveImage(id);
    }
  }
  if (!report.removed_images.empty()) {
    MOOR_RETURN_IF_ERROR(WriteFileAtomic(layout_.IndexPath(), index.Serialize()));
  }
  std::set<std::string> live_blobs;
  std::set<std::string> live_layers;
  for (const auto& [id, entry] : index.images()) {
    live_blobs.insert(id);
    live_blobs.insert(entry.manifest_digest);
    live_blobs.insert(entry.manifests.begin(), entry.manifests.end());
    live_blobs.insert(entry.layers.begin(), entry.layers.end());
    live_layers.insert(entry.layers.begin(), entry.layers.end());
  }
  std::error_code ec;
  for (const auto& file : std::filesystem::directory_iterator(layout_.BlobsDir(), ec)) {
    std::string digest = "sha256:" + file.path().filename().string();
    if (!live_blobs.contains(digest)) report.bytes_freed += layout_.RemoveBlob(digest);
  }
  for (const auto& dir : std::filesystem::directory_iterator(layout_.LayersDir(), ec)) {
    std::string digest = "sha256:" + dir.path().filename().string();
    if (!live_layers.contains(digest)) report.bytes_freed += layout_.RemoveLayer(digest);
  }
  layout_.ClearTmp();  // nothing can be writing there while gc.lock is held exclusively
  if (!report.removed_images.empty() || report.bytes_freed > 0) {
    LogInfo("image garbage collected", {{"images", std::to_string(report.removed_images.size())},
                                        {"bytes", std::to_string(report.bytes_freed)}});
  }
  return report;
}

StatusOr<std::unique_ptr<ImageStore>> OpenImageStore(const ImageStoreOptions& options) {
  if (options.root.empty()) return InvalidArgumentError("image store root is empty");
  auto store = std::make_unique<DirectoryImageStore>(options, [] { return NewCurlHttpClient(); });
  MOOR_RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<ImageStore>(std::move(store));
}

}  // namespace moor::runtime
