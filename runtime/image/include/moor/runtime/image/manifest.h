#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "moor/common/status.h"

namespace moor::runtime {

// Media types moor reads (Docker schema 2 and OCI image spec v1).
inline constexpr std::string_view kDockerManifestV2 = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kOciLayerTar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";

// The Accept header for manifest requests: all four manifest / index types.
std::string ManifestAcceptHeader();

struct Descriptor {
  std::string media_type;
  std::string digest;
  std::int64_t size = 0;
  std::string os;       // platform, set in index entries
  std::string arch;
  std::string variant;
  std::map<std::string, std::string> annotations;
};

enum class ManifestKind { kImage, kIndex };

// What a manifest document is: from the Content-Type (when it is a manifest type), else the
// document's own mediaType, else its shape ("manifests" -> index). kInvalidArgument for
// anything else, e.g. Docker schema 1 ("unsupported manifest media type ...").
StatusOr<ManifestKind> ClassifyManifest(std::string_view content_type, const nlohmann::json& document);

// The entries of a manifest list / OCI index. kInvalidArgument if malformed.
StatusOr<std::vector<Descriptor>> ParseIndex(const nlohmann::json& document);

// The entry for os/arch (an entry without a variant, or "v1" for amd64, is preferred over other
// variants). kNotFound naming the platforms on offer if none matches.
StatusOr<Descriptor> SelectPlatform(const std::vector<Descriptor>& entries, const std::string& os,
                                    const std::string& arch);

struct ImageManifest {
  Descriptor config;
  std::vector<Descriptor> layers;  // bottom first
};

// An image manifest, with media types and digests checked: the config must be a Docker or OCI
// image config, layers tar / tar+gzip / tar+zstd (Docker or OCI, distributable or not).
StatusOr<ImageManifest> ParseImageManifest(const nlohmann::json& document);

// The OCI image manifest JSON for a config and layers (used for images imported from
// `docker save` archives, which carry no manifest).
std::string BuildOciManifest(const Descriptor& config, const std::vector<Descriptor>& layers);

}  // namespace moor::runtime
