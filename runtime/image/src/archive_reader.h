#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "moor/common/status.h"
#include "moor/runtime/image/manifest.h"

namespace moor::runtime {

// One image found in an archive, not yet in the store.
struct ArchiveImage {
  std::vector<std::string> references;  // normalized ("docker.io/library/busybox:1")
  Descriptor config;
  std::vector<Descriptor> layers;       // bottom first
  // The image manifest. For OCI layouts the archive's own (with its digest); for `docker save`
  // archives, which have none, an OCI manifest built here (digest empty: computed on commit).
  std::string manifest_json;
  std::string manifest_digest;
  std::vector<std::string> index_digests;  // nested indexes the manifest was found through
};

struct ArchiveContents {
  std::vector<ArchiveImage> images;
  // Every blob the images need -> the extracted file holding it (verified when committed).
  std::map<std::string, std::filesystem::path> blob_files;
  // Small JSON documents (manifests, indexes) already read and verified here.
  std::map<std::string, std::string> documents;
};

// Extracts `archive_path` (a tar, possibly compressed) into `work_dir` (an empty directory on
// the store's filesystem) and reads it as either
//  - an OCI image layout (oci-layout + index.json, as `skopeo copy ... oci-archive:` writes):
//    names from the io.containerd.image.name annotation, else org.opencontainers.image.ref.name
//    when that is a full name ("busybox-test:1", "127.0.0.1:5000/app:v1"); a bare tag ("v1")
//    names no repository, so that image is imported without a reference (use its id). Indexes are
//    resolved to os/arch; or
//  - a `docker save` archive (manifest.json with Config, RepoTags, Layers).
// kInvalidArgument for anything else or for a broken archive (naming the file inside it).
StatusOr<ArchiveContents> ReadImageArchive(const std::filesystem::path& archive_path,
                                           const std::filesystem::path& work_dir, const std::string& os,
                                           const std::string& arch);

}  // namespace moor::runtime
