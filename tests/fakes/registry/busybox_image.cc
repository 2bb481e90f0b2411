// BuildBusyboxImageLayout: an OCI image layout made from this host's busybox-static.
#include <archive.h>
#include <archive_entry.h>

#include <set>

#include "moor/common/files.h"
#include "moor/testing/test_registry.h"

namespace moor::testing {
namespace {

using nlohmann::json;

constexpr const char* kBusybox = "/bin/busybox";
constexpr const char* kPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const char* const kApplets[] = {
    "sh",    "ash",   "httpd", "sleep",  "wget",  "nc",     "cat",      "echo",   "ls",       "id",     "env",
    "kill",  "ps",    "true",  "false",  "test",  "[",      "mkdir",    "rm",     "touch",    "hostname", "grep",
    "head",  "tail",  "date",  "whoami", "uname", "pwd",    "cp",       "mv",     "ln",       "chmod",  "printf",
    "seq",   "sed",   "awk",   "wc",     "sort",  "tee",    "cut",      "tr",     "find",     "xargs",  "stat",
    "timeout", "nohup", "md5sum", "sha256sum", "du", "df", "free", "uptime", "ip", "nslookup", "netstat", "vi",
    "basename", "dirname", "readlink", "mount", "umount", "top", "yes", "dd",
};

struct File {
  std::string path = "";  // relative, no leading slash; directories end with '/'
  std::string content = "";
  mode_t mode = 0644;
  std::string symlink = "";
};

la_ssize_t AppendToString(archive*, void* user, const void* buffer, size_t length) {
  static_cast<std::string*>(user)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

// A reproducible tar (fixed owners and mtimes, gzip without a timestamp) of `files`.
StatusOr<std::string> Tar(const std::vector<File>& files, bool gzip) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (gzip) {
    archive_write_add_filter_gzip(a);
    archive_write_set_options(a, "gzip:!timestamp");
  }
  archive_write_set_bytes_in_last_block(a, 1);
  if (archive_write_open(a, &out, nullptr, AppendToString, nullptr) != ARCHIVE_OK) {
    std::string why = archive_error_string(a);
    archive_write_free(a);
    return InternalError("libarchive: " + why);
  }
  for (const File& f : files) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, f.path.c_str());
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    archive_entry_set_uname(e, "root");
    archive_entry_set_gname(e, "root");
    archive_entry_set_mtime(e, 1700000000, 0);
    if (!f.symlink.empty()) {
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_perm(e, 0777);
      archive_entry_set_symlink(e, f.symlink.c_str());
    } else if (f.path.ends_with("/")) {
      archive_entry_set_filetype(e, AE_IFDIR);
      archive_entry_set_perm(e, f.mode);
    } else {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_perm(e, f.mode);
      archive_entry_set_size(e, static_cast<la_int64_t>(f.content.size()));
    }
    archive_write_header(a, e);
    if (!f.content.empty()) archive_write_data(a, f.content.data(), f.content.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

// Writes `content` as a blob of the layout; returns its descriptor.
StatusOr<json> WriteBlob(const std::filesystem::path& dir, const std::string& media_type, const std::string& content) {
  std::string hex = Sha256Hex(content);
  MOOR_RETURN_IF_ERROR(WriteFileAtomic(dir / "blobs" / "sha256" / hex, content));
  return json{{"mediaType", media_type}, {"digest", "sha256:" + hex}, {"size", content.size()}};
}

struct Layer {
  json descriptor;
  std::string diff_id;
};

StatusOr<Layer> WriteLayer(const std::filesystem::path& dir, const std::vector<File>& files) {
  MOOR_ASSIGN_OR_RETURN(std::string plain, Tar(files, false));
  MOOR_ASSIGN_OR_RETURN(std::string gz, Tar(files, true));
  MOOR_ASSIGN_OR_RETURN(json d, WriteBlob(dir, "application/vnd.oci.image.layer.v1.tar+gzip", gz));
  return Layer{d, "sha256:" + Sha256Hex(plain)};
}

std::vector<File> BaseFiles(const std::string& busybox) {
  std::vector<File> files = {
      {.path = "bin/", .mode = 0755},
      {.path = "bin/busybox", .content = busybox, .mode = 0755},
  };
  std::set<std::string> seen;
  for (const char* applet : kApplets) {
    if (seen.insert(applet).second) files.push_back({.path = std::string("bin/") + applet, .symlink = "busybox"});
  }
  files.push_back({.path = "etc/", .mode = 0755});
  files.push_back({.path = "etc/passwd",
                   .content = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"});
  files.push_back({.path = "etc/group", .content = "root:x:0:\nnobody:x:65534:\n"});
  files.push_back({.path = "root/", .mode = 0700});
  files.push_back({.path = "tmp/", .mode = 01777});
  files.push_back({.path = "www/", .mode = 0755});
  files.push_back({.path = "www/index.html", .content = "hello from moor\n"});
  return files;
}

std::vector<File> ExtraFiles(const std::map<std::string, std::string>& extra) {
  std::vector<File> files;
  std::set<std::string> dirs;
  for (const auto& [abs, content] : extra) {
    std::string rel = abs.substr(abs.find_first_not_of('/'));
    for (std::size_t slash = rel.find('/'); slash != std::string::npos; slash = rel.find('/', slash + 1)) {
      std::string dir = rel.substr(0, slash + 1);
      if (dirs.insert(dir).second) files.push_back({.path = dir, .mode = 0755});
    }
    files.push_back({.path = rel, .content = content, .mode = content.starts_with("#!") ? 0755u : 0644u});
  }
  return files;
}

}  // namespace

StatusOr<std::string> BuildBusyboxImageLayout(const std::filesystem::path& dir, const std::string& tag,
                                              const std::map<std::string, std::string>& extra_files) {
  auto busybox = ReadFileLimited(kBusybox, 64 << 20);
  if (!busybox.ok()) {
    return FailedPreconditionError(std::string(kBusybox) + " is missing: install Debian's busybox-static (" +
                                   busybox.status().message() + ")");
  }
  std::error_code ec;
  std::filesystem::create_directories(dir / "blobs" / "sha256", ec);
  if (ec) return UnavailableError("creating " + dir.string() + ": " + ec.message());

  std::vector<Layer> layers;
  MOOR_ASSIGN_OR_RETURN(Layer base, WriteLayer(dir, BaseFiles(*busybox)));
  layers.push_back(base);
  if (!extra_files.empty()) {
    MOOR_ASSIGN_OR_RETURN(Layer extra, WriteLayer(dir, ExtraFiles(extra_files)));
    layers.push_back(extra);
  }
  json diff_ids = json::array();
  json layer_descriptors = json::array();
  json history = json::array();
  for (const Layer& l : layers) {
    diff_ids.push_back(l.diff_id);
    layer_descriptors.push_back(l.descriptor);
    history.push_back({{"created", "2024-01-01T00:00:00Z"}, {"created_by", "moor test fixture"}});
  }
  json config = {{"architecture", "amd64"},
                 {"os", "linux"},
                 {"created", "2024-01-01T00:00:00Z"},
                 {"config", {{"Env", {kPath}}, {"Cmd", {"sh"}}, {"WorkingDir", "/"}}},
                 {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}},
                 {"history", history}};
  MOOR_ASSIGN_OR_RETURN(json config_descriptor,
                        WriteBlob(dir, "application/vnd.oci.image.config.v1+json", config.dump()));
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"config", config_descriptor},
                   {"layers", layer_descriptors}};
  MOOR_ASSIGN_OR_RETURN(json manifest_descriptor,
                        WriteBlob(dir, "application/vnd.oci.image.manifest.v1+json", manifest.dump()));
  manifest_descriptor["annotations"] = {{"org.opencontainers.image.ref.name", tag}};

  json index = {{"schemaVersion", 2}, {"manifests", json::array()}};
  auto old = ReadFileLimited(dir / "index.json", 1 << 20);
  if (old.ok()) {
    json parsed = json::parse(*old, nullptr, false);
    if (parsed.is_object() && parsed.contains("manifests") && parsed["manifests"].is_array()) {
      for (const json& m : parsed["manifests"]) {
        if (m.value(json::json_pointer("/annotations/org.opencontainers.image.ref.name"), std::string()) != tag) {
          index["manifests"].push_back(m);
        }
      }
    }
  }
  index["manifests"].push_back(manifest_descriptor);
  MOOR_RETURN_IF_ERROR(WriteFileAtomic(dir / "index.json", index.dump()));
  MOOR_RETURN_IF_ERROR(WriteFileAtomic(dir / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));
  return dir.string();
}

}  // namespace moor::testing
