#include "archive_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <memory>

#include <nlohmann/json.hpp>

#include "moor/common/files.h"
#include "moor/runtime/image/digest.h"
#include "moor/runtime/image/layer_unpacker.h"
#include "moor/runtime/image_reference.h"

namespace moor::runtime {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxDocument = 8 << 20;
constexpr const char* kContainerdName = "io.containerd.image.name";
constexpr const char* kOciRefName = "org.opencontainers.image.ref.name";

struct ReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};

// Regular files, directories and symlinks (old `docker save` links duplicate layer.tar files),
// every path kept inside `dir`.
Status Extract(const std::filesystem::path& archive_path, const std::filesystem::path& dir) {
  std::unique_ptr<archive, ReadDeleter> in(archive_read_new());
  archive_read_support_filter_all(in.get());
  archive_read_support_format_tar(in.get());
  archive_read_support_format_gnutar(in.get());
  if (archive_read_open_filename(in.get(), archive_path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return InvalidArgumentError("opening " + archive_path.string() + ": " + archive_error_string(in.get()));
  }
  std::unique_ptr<archive, WriteDeleter> out(archive_write_disk_new());
  archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  archive_entry* entry = nullptr;
  bool any = false;
  while (true) {
    int r = archive_read_next_header(in.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      return InvalidArgumentError(archive_path.string() + " is not a readable tar archive: " +
                                  archive_error_string(in.get()));
    }
    any = true;
    std::string name = archive_entry_pathname(entry) != nullptr ? archive_entry_pathname(entry) : "";
    auto rel = CleanEntryPath(name);
    if (!rel) return InvalidArgumentError("archive entry \"" + name + "\" escapes the archive");
    mode_t type = archive_entry_filetype(entry);
    if (rel->empty() || archive_entry_hardlink(entry) != nullptr ||
        (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)) {
      continue;
    }
    archive_entry_set_pathname(entry, (dir / *rel).c_str());
    archive_entry_set_perm(entry, type == AE_IFDIR ? 0755 : 0644);
    if (archive_write_header(out.get(), entry) < ARCHIVE_WARN) {
      return InvalidArgumentError("extracting \"" + name + "\": " + archive_error_string(out.get()));
    }
    const void* buf = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    while (type == AE_IFREG) {
      int d = archive_read_data_block(in.get(), &buf, &size, &offset);
      if (d == ARCHIVE_EOF) break;
      if (d < ARCHIVE_WARN) return InvalidArgumentError("reading \"" + name + "\": " + archive_error_string(in.get()));
      if (archive_write_data_block(out.get(), buf, size, offset) < ARCHIVE_WARN) {
        return UnavailableError("writing \"" + name + "\": " + archive_error_string(out.get()));
      }
    }
    archive_write_finish_entry(out.get());
  }
  archive_write_close(out.get());
  if (!any) return InvalidArgumentError(archive_path.string() + " is an empty archive");
  return Status::Ok();
}

// The file `rel` names inside `dir`, following symlinks only as far as they stay inside.
StatusOr<std::filesystem::path> Inside(const std::filesystem::path& dir, const std::string& rel) {
  auto clean = CleanEntryPath(rel);
  if (!clean || clean->empty()) return InvalidArgumentError("archive names a file outside itself: \"" + rel + "\"");
  std::error_code ec;
  std::filesystem::path base = std::filesystem::canonical(dir, ec);
  std::filesystem::path path = std::filesystem::canonical(dir / *clean, ec);
  if (ec) return InvalidArgumentError("the archive has no file \"" + rel + "\"");
  std::string prefix = base.string() + "/";
  if (!path.string().starts_with(prefix)) {
    return InvalidArgumentError("archive file \"" + rel + "\" links outside the archive");
  }
  if (!std::filesystem::is_regular_file(path, ec)) return InvalidArgumentError("archive entry \"" + rel + "\" is not a file");
  return path;
}

StatusOr<std::string> ReadDocument(const std::filesystem::path& dir, const std::string& rel) {
  MOOR_ASSIGN_OR_RETURN(std::filesystem::path path, Inside(dir, rel));
  auto text = ReadFileLimited(path, kMaxDocument);
  if (!text.ok()) return InvalidArgumentError("reading \"" + rel + "\" in the archive: " + text.status().message());
  return *text;
}

std::string BlobRel(const std::string& digest) { return "blobs/sha256/" + std::string(DigestHex(digest)); }

// An OCI blob that is a JSON document, verified against its digest.
StatusOr<json> ReadOciDocument(const std::filesystem::path& dir, const std::string& digest, ArchiveContents& out) {
  MOOR_RETURN_IF_ERROR(ValidateDigest(digest));
  MOOR_ASSIGN_OR_RETURN(std::string text, ReadDocument(dir, BlobRel(digest)));
  if (DigestOf(text) != digest) {
    return InvalidArgumentError("blob " + digest + " in the archive failed verification; rejected");
  }
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return InvalidArgumentError("blob " + digest + " in the archive is not JSON");
  out.documents[digest] = std::move(text);
  return doc;
}

// A name from an OCI annotation, normalized; empty when it is only a tag.
StatusOr<std::string> OciName(const std::map<std::string, std::string>& annotations) {
  auto it = annotations.find(kContainerdName);
  if (it == annotations.end()) it = annotations.find(kOciRefName);
  if (it == annotations.end() || it->second.empty()) return std::string();
  if (it->first == kOciRefName && it->second.find_first_of(":/@") == std::string::npos) return std::string();
  MOOR_ASSIGN_OR_RETURN(ImageReference ref, ParseImageReference(it->second));
  return ref.String();
}

Status AddBlobFile(const std::filesystem::path& dir, const Descriptor& d, ArchiveContents& out) {
  MOOR_RETURN_IF_ERROR(ValidateDigest(d.digest));
  MOOR_ASSIGN_OR_RETURN(out.blob_files[d.digest], Inside(dir, BlobRel(d.digest)));
  return Status::Ok();
}

Status ReadOciImage(const std::filesystem::path& dir, const Descriptor& desc, std::vector<std::string> via,
                    const std::string& name, const std::string& os, const std::string& arch, ArchiveContents& out,
                    int depth) {
  if (depth > 4) return InvalidArgumentError("indexes nested too deeply in the archive");
  MOOR_ASSIGN_OR_RETURN(json doc, ReadOciDocument(dir, desc.digest, out));
  MOOR_ASSIGN_OR_RETURN(ManifestKind kind, ClassifyManifest(desc.media_type, doc));
  if (kind == ManifestKind::kIndex) {
    MOOR_ASSIGN_OR_RETURN(std::vector<Descriptor> entries, ParseIndex(doc));
    MOOR_ASSIGN_OR_RETURN(Descriptor chosen, SelectPlatform(entries, os, arch));
    via.push_back(desc.digest);
    return ReadOciImage(dir, chosen, std::move(via), name, os, arch, out, depth + 1);
  }
  MOOR_ASSIGN_OR_RETURN(ImageManifest manifest, ParseImageManifest(doc));
  ArchiveImage image;
  if (!name.empty()) image.references.push_back(name);
  image.config = manifest.config;
  image.layers = manifest.layers;
  image.manifest_digest = desc.digest;
  image.manifest_json = out.documents[desc.digest];
  image.index_digests = std::move(via);
  MOOR_RETURN_IF_ERROR(AddBlobFile(dir, manifest.config, out));
  for (const Descriptor& layer : manifest.layers) MOOR_RETURN_IF_ERROR(AddBlobFile(dir, layer, out));
  out.images.push_back(std::move(image));
  return Status::Ok();
}

Status ReadOciLayout(const std::filesystem::path& dir, const std::string& os, const std::string& arch,
                     ArchiveContents& out) {
  MOOR_ASSIGN_OR_RETURN(std::string text, ReadDocument(dir, "index.json"));
  json index = json::parse(text, nullptr, false);
  auto entries = ParseIndex(index);
  if (!entries.ok()) return InvalidArgumentError("index.json in the archive: " + entries.status().message());
  for (const Descriptor& d : *entries) {
    if (!d.os.empty() && (d.os != os || d.arch != arch)) continue;
    auto name = OciName(d.annotations);
    if (!name.ok()) return InvalidArgumentError("index.json in the archive: " + name.status().message());
    MOOR_RETURN_IF_ERROR(ReadOciImage(dir, d, {}, *name, os, arch, out, 0));
  }
  return Status::Ok();
}

std::string LayerMediaType(const std::filesystem::path& path) {
  unsigned char magic[4] = {};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = ::read(fd, magic, sizeof(magic));
    ::close(fd);
    if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return std::string(kOciLayerGzip);
    if (n == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd) {
      return "application/vnd.oci.image.layer.v1.tar+zstd";
    }
  }
  return std::string(kOciLayerTar);
}

StatusOr<Descriptor> FileDescriptor(const std::filesystem::path& dir, const std::string& rel, ArchiveContents& out) {
  MOOR_ASSIGN_OR_RETURN(std::filesystem::path path, Inside(dir, rel));
  Descriptor d;
  MOOR_ASSIGN_OR_RETURN(d.digest, DigestOfFile(path));
  std::error_code ec;
  d.size = static_cast<std::int64_t>(std::filesystem::file_size(path, ec));
  out.blob_files[d.digest] = path;
  return d;
}

Status ReadDockerArchive(const std::filesystem::path& dir, ArchiveContents& out) {
  MOOR_ASSIGN_OR_RETURN(std::string text, ReadDocument(dir, "manifest.json"));
  json manifest = json::parse(text, nullptr, false);
  if (!manifest.is_array()) return InvalidArgumentError("manifest.json in the archive is not a JSON list");
  for (std::size_t i = 0; i < manifest.size(); ++i) {
    const json& entry = manifest[i];
    std::string where = "manifest.json[" + std::to_string(i) + "]";
    if (!entry.is_object() || !entry.contains("Config") || !entry["Config"].is_string() ||
        !entry.contains("Layers") || !entry["Layers"].is_array()) {
      return InvalidArgumentError(where + ": expected Config and Layers");
    }
    ArchiveImage image;
    MOOR_ASSIGN_OR_RETURN(image.config, FileDescriptor(dir, entry["Config"].get<std::string>(), out));
    image.config.media_type = kOciConfig;
    for (const json& layer : entry["Layers"]) {
      if (!layer.is_string()) return InvalidArgumentError(where + ".Layers: expected file names");
      MOOR_ASSIGN_OR_RETURN(Descriptor d, FileDescriptor(dir, layer.get<std::string>(), out));
      d.media_type = LayerMediaType(out.blob_files[d.digest]);
      image.layers.push_back(std::move(d));
    }
    auto tags = entry.find("RepoTags");
    if (tags != entry.end() && tags->is_array()) {
      for (const json& tag : *tags) {
        if (!tag.is_string()) continue;
        auto ref = ParseImageReference(tag.get<std::string>());
        if (!ref.ok()) return InvalidArgumentError(where + ".RepoTags: " + ref.status().message());
        image.references.push_back(ref->String());
      }
    }
    image.manifest_json = BuildOciManifest(image.config, image.layers);
    out.images.push_back(std::move(image));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<ArchiveContents> ReadImageArchive(const std::filesystem::path& archive_path,
                                           const std::filesystem::path& work_dir, const std::string& os,
                                           const std::string& arch) {
  MOOR_RETURN_IF_ERROR(Extract(archive_path, work_dir));
  ArchiveContents out;
  std::error_code ec;
  if (std::filesystem::exists(work_dir / "oci-layout", ec) && std::filesystem::exists(work_dir / "index.json", ec)) {
    MOOR_RETURN_IF_ERROR(ReadOciLayout(work_dir, os, arch, out));
  } else if (std::filesystem::exists(work_dir / "manifest.json", ec)) {
    MOOR_RETURN_IF_ERROR(ReadDockerArchive(work_dir, out));
  } else {
    return InvalidArgumentError(archive_path.string() +
                                " is neither a `docker save` archive (no manifest.json) nor an OCI image layout "
                                "(no oci-layout and index.json)");
  }
  if (out.images.empty()) {
    return InvalidArgumentError(archive_path.string() + " holds no image for " + os + "/" + arch);
  }
  return out;
}

}  // namespace moor::runtime
