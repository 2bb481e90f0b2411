#include "store_layout.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "moor/common/files.h"
#include "moor/runtime/image/digest.h"
#include "moor/runtime/image/layer_unpacker.h"

namespace moor::runtime {
namespace {

// Bytes on disk below `path` (apparent sizes of regular files), not following symlinks.
std::int64_t TreeSize(const std::filesystem::path& path) {
  std::error_code ec;
  std::int64_t total = 0;
  if (!std::filesystem::is_directory(std::filesystem::symlink_status(path, ec))) {
    auto size = std::filesystem::file_size(path, ec);
    return ec ? 0 : static_cast<std::int64_t>(size);
  }
  for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) total += static_cast<std::int64_t>(it->file_size(ec));
  }
  return total;
}

}  // namespace

Status StoreLayout::Create() const {
  for (const auto& dir : {BlobsDir(), LayersDir(), TmpDir()}) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return UnavailableError("creating image store directory " + dir.string() + ": " + ec.message());
  }
  return Status::Ok();
}

std::filesystem::path StoreLayout::BlobPath(const std::string& digest) const {
  return BlobsDir() / std::string(DigestHex(digest));
}

std::filesystem::path StoreLayout::LayerPath(const std::string& digest) const {
  return LayersDir() / std::string(DigestHex(digest));
}

std::filesystem::path StoreLayout::NewTempPath(const std::string& what) const {
  return TmpDir() / (what + "-" + RandomHex(8));
}

StatusOr<std::filesystem::path> StoreLayout::NewTempDir(const std::string& what) const {
  std::string tmpl = (TmpDir() / (what + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) return UnavailableError("mkdtemp " + tmpl + ": " + std::strerror(errno));
  return std::filesystem::path(tmpl);
}

bool StoreLayout::HasBlob(const std::string& digest) const {
  std::error_code ec;
  return std::filesystem::is_regular_file(BlobPath(digest), ec);
}

bool StoreLayout::HasLayer(const std::string& digest) const {
  std::error_code ec;
  return std::filesystem::is_directory(LayerPath(digest), ec);
}

Status StoreLayout::CommitBlob(const std::filesystem::path& file, const std::string& digest) const {
  MOOR_RETURN_IF_ERROR(ValidateDigest(digest));
  std::filesystem::path dest = BlobPath(digest);
  if (::rename(file.c_str(), dest.c_str()) != 0) {
    return UnavailableError("moving blob " + digest + " into the store: " + std::strerror(errno));
  }
  return Status::Ok();
}

Status StoreLayout::CommitVerifiedBlob(const std::filesystem::path& file, const std::string& digest) const {
  Status valid = ValidateDigest(digest);
  auto got = DigestOfFile(file);
  if (!valid.ok() || !got.ok() || *got != digest) {
    std::error_code ec;
    std::filesystem::remove(file, ec);
    if (!valid.ok()) return valid;
    if (!got.ok()) return got.status();
    return InvalidArgumentError("blob " + digest + " failed verification: its content has digest " + *got +
                                "; rejected");
  }
  return CommitBlob(file, digest);
}

StatusOr<std::string> StoreLayout::WriteBlob(const std::string& content) const {
  std::string digest = DigestOf(content);
  if (HasBlob(digest)) return digest;
  std::filesystem::path tmp = NewTempPath("blob");
  MOOR_RETURN_IF_ERROR(WriteFileAtomic(tmp, content));
  MOOR_RETURN_IF_ERROR(CommitBlob(tmp, digest));
  return digest;
}

Status StoreLayout::EnsureLayer(const std::string& digest) const {
  if (HasLayer(digest)) return Status::Ok();
  if (!HasBlob(digest)) return NotFoundError("layer blob " + digest + " is not in the store");
  MOOR_ASSIGN_OR_RETURN(std::filesystem::path tmp, NewTempDir("layer"));
  auto discard = [&] {
    std::error_code ec;
    std::filesystem::remove_all(tmp, ec);
  };
  Status unpacked = UnpackLayer(BlobPath(digest), tmp);
  if (!unpacked.ok()) {
    discard();
    return unpacked.WithContext("unpacking layer " + digest);
  }
  ::chmod(tmp.c_str(), 0755);  // mkdtemp made it 0700; it is the root of a filesystem
  std::filesystem::path dest = LayerPath(digest);
  if (::rename(tmp.c_str(), dest.c_str()) != 0) {
    int err = errno;
    discard();
    if ((err == EEXIST || err == ENOTEMPTY) && HasLayer(digest)) return Status::Ok();  // another unpacker won
    return UnavailableError("moving layer " + digest + " into the store: " + std::strerror(err));
  }
  return Status::Ok();
}

std::int64_t StoreLayout::RemoveBlob(const std::string& digest) const {
  std::filesystem::path path = BlobPath(digest);
  std::int64_t size = TreeSize(path);
  std::error_code ec;
  return std::filesystem::remove(path, ec) ? size : 0;
}

std::int64_t StoreLayout::RemoveLayer(const std::string& digest) const {
  std::filesystem::path path = LayerPath(digest);
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::symlink_status(path, ec))) return 0;
  std::int64_t size = TreeSize(path);
  // Renamed out of layers/ first, so a crash mid-removal never leaves a partial layer there.
  std::filesystem::path doomed = NewTempPath("removed-layer");
  if (::rename(path.c_str(), doomed.c_str()) != 0) return 0;
  std::filesystem::remove_all(doomed, ec);
  return size;
}

void StoreLayout::ClearTmp() const {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(TmpDir(), ec)) {
    std::error_code ignored;
    std::filesystem::remove_all(entry.path(), ignored);
  }
}

}  // namespace moor::runtime
