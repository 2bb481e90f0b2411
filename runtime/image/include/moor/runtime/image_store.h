#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "moor/common/status.h"
#include "moor/runtime/registries_config.h"

namespace moor::runtime {

// A locally stored image.
struct Image {
  std::string id;               // digest of the image config blob ("sha256:...")
  // Digest of what the reference resolved to: the manifest list / index when the registry
  // served one (so "repo@<manifest_digest>" pulls this image again), else the image manifest.
  // For `docker save` archives, which have no manifest, that of an OCI manifest moor writes.
  std::string manifest_digest;
  std::vector<std::string> references;  // normalized names pointing at it ("docker.io/library/nginx:1.25")
  std::vector<std::string> layers;      // layer blob digests, bottom first
  // The whole OCI image config document; process defaults are under config["config"]
  // (Env, Entrypoint, Cmd, WorkingDir, User, ExposedPorts, ...), plus "os", "architecture", "rootfs".
  nlohmann::json config;
  std::int64_t size = 0;        // bytes of compressed layers + config
};

// Credentials for one registry, e.g. from a pod's imagePullSecrets (kubernetes.io/dockerconfigjson).
struct RegistryCredential {
  std::string registry;  // host[:port] as it appears in image references ("docker.io" for Docker Hub)
  std::string username;
  std::string password;
};

// The credentials in a Docker config: `.dockerconfigjson` ({"auths": {host: {...}}}) or the
// legacy `.dockercfg` ({host: {...}}), as kubernetes.io/dockerconfigjson Secrets hold them.
// Hosts are normalized as image references write them ("https://index.docker.io/v1/" ->
// "docker.io"); `auth` (base64 of "user:password") fills a missing username/password.
// Entries that say nothing usable are skipped.
std::vector<RegistryCredential> CredentialsFromDockerConfig(const nlohmann::json& config);

struct PullOptions {
  std::vector<RegistryCredential> credentials;  // tried before the config file's `configs` auth
};

struct GcReport {
  std::vector<std::string> removed_images;  // ids
  std::int64_t bytes_freed = 0;
};

// Content-addressed images under a root directory: blobs by digest, layers unpacked once and
// shared between images, and a small index of references. Thread-safe.
class ImageStore {
 public:
  virtual ~ImageStore() = default;

  // Pulls over the OCI distribution API (mirrors first, per RegistriesConfig), resolving
  // manifest lists / indexes to linux/amd64, verifying every blob's digest, and unpacking layers.
  // Errors carry the registry's own message: kNotFound (manifest unknown), kUnauthenticated /
  // kPermissionDenied (auth), kUnavailable (network, 5xx), kInvalidArgument (bad reference,
  // digest mismatch, unsupported media type).
  virtual StatusOr<Image> Pull(const std::string& reference, const PullOptions& options) = 0;

  // A stored image by reference ("nginx:1.25" is normalized; "repo@sha256:..." also finds an
  // image of that repository pulled by tag whose manifest or index has that digest), by id, or
  // by a unique id prefix ("sha256:ab12" or "ab12"; kInvalidArgument if ambiguous).
  // kNotFound if absent.
  virtual StatusOr<Image> Get(const std::string& reference_or_id) = 0;

  virtual StatusOr<std::vector<Image>> List() = 0;

  // Removes the reference (or, given an id or unique id prefix, every reference of that image).
  // The image itself stays (listed, without references) until the next CollectGarbage, which
  // removes it with its blobs and layers unless it is in use. kNotFound if absent.
  virtual Status Remove(const std::string& reference_or_id) = 0;

  // Imports a `docker save` tarball or an OCI image-layout archive (as made by `skopeo copy ...
  // oci-archive:` or `docker-archive:`); returns the images it held, with their references.
  // OCI names come from io.containerd.image.name, else org.opencontainers.image.ref.name when
  // that is a name ("busybox:1", "127.0.0.1:5000/app:v1"); a bare tag ("v1") names no repository,
  // so that image is imported without a reference. Every blob is verified before it is stored.
  virtual StatusOr<std::vector<Image>> Import(const std::string& archive_path) = 0;

  // The unpacked directory of each layer of `image`, bottom first: the lowerdirs of an overlay
  // root filesystem. Whiteouts are stored as overlayfs expects (0/0 char devices, opaque xattr).
  virtual StatusOr<std::vector<std::string>> LayerPaths(const Image& image) = 0;

  // Removes images with no reference, and blobs / unpacked layers used by no remaining image
  // except those whose id is in `in_use` (images of running containers are never removed).
  virtual StatusOr<GcReport> CollectGarbage(const std::set<std::string>& in_use) = 0;
};

struct ImageStoreOptions {
  std::string root;               // e.g. <data-dir>/images; created if missing
  RegistriesConfig registries;
  std::string platform_os = "linux";
  std::string platform_arch = "amd64";
};

StatusOr<std::unique_ptr<ImageStore>> OpenImageStore(const ImageStoreOptions& options);

}  // namespace moor::runtime
