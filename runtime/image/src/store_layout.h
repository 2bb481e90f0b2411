#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "moor/common/status.h"

namespace moor::runtime {

// Where things live under an image store root, and the atomic moves into it:
//   blobs/sha256/<hex>     verified blobs (manifests, configs, compressed layers)
//   layers/sha256/<hex>/   unpacked layers, keyed by the layer blob's digest
//   tmp/                   downloads and unpacks in progress (same filesystem, for rename)
//   index.json             references and images (see ImageIndex)
//   lock                   flock: index read-modify-write
//   gc.lock                flock: shared by pulls and imports, exclusive for garbage collection
class StoreLayout {
 public:
  explicit StoreLayout(std::filesystem::path root) : root_(std::move(root)) {}

  // Creates the directories. kUnavailable naming the path on failure.
  Status Create() const;

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path BlobPath(const std::string& digest) const;
  std::filesystem::path LayerPath(const std::string& digest) const;
  std::filesystem::path BlobsDir() const { return root_ / "blobs" / "sha256"; }
  std::filesystem::path LayersDir() const { return root_ / "layers" / "sha256"; }
  std::filesystem::path TmpDir() const { return root_ / "tmp"; }
  std::filesystem::path IndexPath() const { return root_ / "index.json"; }
  std::filesystem::path LockPath() const { return root_ / "lock"; }
  std::filesystem::path GcLockPath() const { return root_ / "gc.lock"; }

  // A fresh path (file) or directory in tmp/.
  std::filesystem::path NewTempPath(const std::string& what) const;
  StatusOr<std::filesystem::path> NewTempDir(const std::string& what) const;

  bool HasBlob(const std::string& digest) const;
  bool HasLayer(const std::string& digest) const;

  // Hashes `file` (which must be in tmp/ or elsewhere on the store's filesystem) and renames
  // it to blobs/ if its sha256 is `digest`; otherwise removes it and fails with
  // kInvalidArgument naming the digest. Nothing unverified ever enters blobs/.
  Status CommitVerifiedBlob(const std::filesystem::path& file, const std::string& digest) const;
  // Moves a blob already verified while it was written (RegistryClient::FetchBlob).
  Status CommitBlob(const std::filesystem::path& file, const std::string& digest) const;
  // Writes a small blob (a manifest) whose digest is computed here.
  StatusOr<std::string> WriteBlob(const std::string& content) const;

  // Unpacks the blob `digest` to layers/ unless it is there: into a temp directory first, then
  // renamed, so a layer directory is either complete or absent. Racing unpackers of one layer
  // are fine: the first rename wins, the others discard their copy.
  Status EnsureLayer(const std::string& digest) const;

  // Removes a blob / unpacked layer; returns the bytes it took (0 if absent).
  std::int64_t RemoveBlob(const std::string& digest) const;
  std::int64_t RemoveLayer(const std::string& digest) const;
  // Empties tmp/ (only when nothing can be writing there).
  void ClearTmp() const;

 private:
  std::filesystem::path root_;
};

}  // namespace moor::runtime
