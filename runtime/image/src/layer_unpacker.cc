#include "moor/runtime/image/layer_unpacker.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <system_error>
#include <vector>

namespace moor::runtime {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kWhiteoutMeta = ".wh..wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
constexpr const char* kOpaqueXattr = "trusted.overlay.opaque";

struct ReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};

std::string Errno(const std::string& what, const std::filesystem::path& p) {
  return what + " " + p.string() + ": " + std::strerror(errno);
}

std::string ArchiveText(archive* a) {
  const char* s = archive_error_string(a);
  return s != nullptr ? s : "unknown libarchive error";
}

// Keeps every xattr of `entry` except overlayfs' own, which only moor may set.
void DropOverlayXattrs(archive_entry* entry) {
  struct Xattr {
    std::string name;
    std::string value;
  };
  std::vector<Xattr> keep;
  bool dropped = false;
  archive_entry_xattr_reset(entry);
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK) {
    if (std::string_view(name).starts_with("trusted.overlay.")) {
      dropped = true;
      continue;
    }
    keep.push_back({name, std::string(static_cast<const char*>(value), size)});
  }
  if (!dropped) return;
  archive_entry_xattr_clear(entry);
  for (const Xattr& x : keep) archive_entry_xattr_add_entry(entry, x.name.c_str(), x.value.data(), x.value.size());
}

Status CopyData(archive* in, archive* out, const std::string& entry_name) {
  const void* buf = nullptr;
  size_t size = 0;
  la_int64_t offset = 0;
  while (true) {
    int r = archive_read_data_block(in, &buf, &size, &offset);
    if (r == ARCHIVE_EOF) return Status::Ok();
    if (r < ARCHIVE_WARN) return InvalidArgumentError("reading layer entry " + entry_name + ": " + ArchiveText(in));
    if (archive_write_data_block(out, buf, size, offset) < ARCHIVE_WARN) {
      return UnavailableError("writing layer entry " + entry_name + ": " + ArchiveText(out));
    }
  }
}

// Whiteouts are made with plain syscalls after libarchive is done, so they get the check that
// ARCHIVE_EXTRACT_SECURE_SYMLINKS gives ordinary entries: no existing component of `rel` under
// `root` may be a symlink (a layer must not place a whiteout through a link to the host).
Status CheckNoSymlinks(const std::filesystem::path& root, const std::string& rel, const std::string& what) {
  std::filesystem::path p = root;
  for (const auto& part : std::filesystem::path(rel)) {
    p /= part;
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) return Status::Ok();  // the rest does not exist yet
    if (S_ISLNK(st.st_mode)) {
      return InvalidArgumentError("layer whiteout for \"" + what + "\" would be written through the symlink " + p.string());
    }
  }
  return Status::Ok();
}

Status MakeWhiteout(const std::filesystem::path& root, const std::string& rel) {
  MOOR_RETURN_IF_ERROR(CheckNoSymlinks(root, std::filesystem::path(rel).parent_path().string(), rel));
  std::filesystem::path path = root / rel;
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return UnavailableError("creating " + path.parent_path().string() + ": " + ec.message());
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) return Status::Ok();  // this layer has the entry itself
  if (::mknod(path.c_str(), S_IFCHR, makedev(0, 0)) != 0) return UnavailableError(Errno("mknod whiteout", path));
  if (::lchown(path.c_str(), 0, 0) != 0) return UnavailableError(Errno("chown whiteout", path));
  return Status::Ok();
}

Status MakeOpaque(const std::filesystem::path& root, const std::string& rel) {
  MOOR_RETURN_IF_ERROR(CheckNoSymlinks(root, rel, rel));
  std::filesystem::path dir = rel.empty() ? root : root / rel;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return UnavailableError("creating " + dir.string() + ": " + ec.message());
  if (::lsetxattr(dir.c_str(), kOpaqueXattr, "y", 1, 0) != 0) {
    return UnavailableError(Errno(std::string("setting ") + kOpaqueXattr + " on", dir));
  }
  return Status::Ok();
}

}  // namespace

std::optional<std::string> CleanEntryPath(std::string_view name) {
  std::vector<std::string_view> parts;
  while (!name.empty()) {
    std::size_t slash = name.find('/');
    std::string_view part = name.substr(0, slash);
    name = slash == std::string_view::npos ? std::string_view() : name.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (std::string_view p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

Status UnpackLayer(const std::filesystem::path& archive_path, const std::filesystem::path& dest_dir) {
  std::error_code ec;
  // Canonical, so that the symlink check below never trips over a symlink above the layer.
  std::filesystem::path root = std::filesystem::canonical(dest_dir, ec);
  if (ec) return UnavailableError("layer directory " + dest_dir.string() + ": " + ec.message());

  std::unique_ptr<archive, ReadDeleter> in(archive_read_new());
  archive_read_support_filter_all(in.get());
  archive_read_support_format_tar(in.get());
  archive_read_support_format_gnutar(in.get());
  if (archive_read_open_filename(in.get(), archive_path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return InvalidArgumentError("opening layer " + archive_path.string() + ": " + ArchiveText(in.get()));
  }
  std::unique_ptr<archive, WriteDeleter> out(archive_write_disk_new());
  archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                                ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  // No user/group lookup is installed: owners are the numeric ids in the archive.

  std::set<std::string> whiteouts;  // relative paths of whited-out names
  std::set<std::string> opaque;     // relative paths of opaque directories
  archive_entry* entry = nullptr;
  while (true) {
    int r = archive_read_next_header(in.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      return InvalidArgumentError("reading layer " + archive_path.string() + ": " + ArchiveText(in.get()));
    }
    std::string name = archive_entry_pathname(entry) != nullptr ? archive_entry_pathname(entry) : "";
    std::optional<std::string> rel = CleanEntryPath(name);
    if (!rel) return InvalidArgumentError("layer entry \"" + name + "\" escapes the layer directory");
    if (rel->empty()) continue;  // the layer root itself

    std::string base = std::filesystem::path(*rel).filename().string();
    std::string parent = std::filesystem::path(*rel).parent_path().string();
    if (base.starts_with(kWhiteoutPrefix)) {
      if (base == kOpaqueMarker) {
        opaque.insert(parent);
      } else if (!base.starts_with(kWhiteoutMeta)) {
        whiteouts.insert((std::filesystem::path(parent) / base.substr(kWhiteoutPrefix.size())).string());
      }
      continue;
    }

    if (const char* link = archive_entry_hardlink(entry)) {
      std::optional<std::string> target = CleanEntryPath(link);
      if (!target || target->empty()) {
        return InvalidArgumentError("layer entry \"" + name + "\" is a hardlink to \"" + link +
                                    "\", outside the layer directory");
      }
      archive_entry_set_hardlink(entry, (root / *target).c_str());
    }
    archive_entry_set_pathname(entry, (root / *rel).c_str());
    DropOverlayXattrs(entry);

    if (archive_write_header(out.get(), entry) < ARCHIVE_WARN) {
      std::string why = ArchiveText(out.get());
      bool unsafe = why.find("symlink") != std::string::npos || why.find("..") != std::string::npos;
      if (unsafe) return InvalidArgumentError("layer entry \"" + name + "\": " + why);
      return UnavailableError("unpacking layer entry \"" + name + "\": " + why);
    }
    if (archive_entry_size(entry) > 0) MOOR_RETURN_IF_ERROR(CopyData(in.get(), out.get(), name));
    if (archive_write_finish_entry(out.get()) < ARCHIVE_WARN) {
      return UnavailableError("unpacking layer entry \"" + name + "\": " + ArchiveText(out.get()));
    }
  }
  // Applies the deferred directory modes and times.
  if (archive_write_close(out.get()) < ARCHIVE_WARN) {
    return UnavailableError("finishing layer " + archive_path.string() + ": " + ArchiveText(out.get()));
  }
  for (const std::string& rel : whiteouts) MOOR_RETURN_IF_ERROR(MakeWhiteout(root, rel));
  for (const std::string& rel : opaque) MOOR_RETURN_IF_ERROR(MakeOpaque(root, rel));
  return Status::Ok();
}

}  // namespace moor::runtime
