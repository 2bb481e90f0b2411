#include "moor/runtime/image/manifest.h"

#include <set>

#include "moor/runtime/image/digest.h"

namespace moor::runtime {
namespace {

using nlohmann::json;

bool IsManifestType(std::string_view t) { return t == kDockerManifestV2 || t == kOciManifest; }
bool IsIndexType(std::string_view t) { return t == kDockerManifestList || t == kOciIndex; }

std::string StringAt(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

StatusOr<Descriptor> ParseDescriptor(const json& j, const std::string& where) {
  if (!j.is_object()) return InvalidArgumentError(where + ": expected an object");
  Descriptor d;
  d.media_type = StringAt(j, "mediaType");
  d.digest = StringAt(j, "digest");
  Status valid = ValidateDigest(d.digest);
  if (!valid.ok()) return InvalidArgumentError(where + ": " + valid.message());
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_integer() || size->get<std::int64_t>() < 0) {
    return InvalidArgumentError(where + ": missing or negative size");
  }
  d.size = size->get<std::int64_t>();
  auto platform = j.find("platform");
  if (platform != j.end() && platform->is_object()) {
    d.os = StringAt(*platform, "os");
    d.arch = StringAt(*platform, "architecture");
    d.variant = StringAt(*platform, "variant");
  }
  auto annotations = j.find("annotations");
  if (annotations != j.end() && annotations->is_object()) {
    for (const auto& [k, v] : annotations->items()) {
      if (v.is_string()) d.annotations[k] = v.get<std::string>();
    }
  }
  return d;
}

json DescriptorJson(const Descriptor& d) {
  json j = {{"mediaType", d.media_type}, {"digest", d.digest}, {"size", d.size}};
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  return j;
}

}  // namespace

std::string ManifestAcceptHeader() {
  return std::string(kDockerManifestV2) + ", " + std::string(kDockerManifestList) + ", " + std::string(kOciManifest) +
         ", " + std::string(kOciIndex);
}

StatusOr<ManifestKind> ClassifyManifest(std::string_view content_type, const json& document) {
  std::string type(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  if (!IsManifestType(type) && !IsIndexType(type)) {
    if (!document.is_object()) return InvalidArgumentError("manifest is not a JSON object");
    std::string declared = StringAt(document, "mediaType");
    if (!declared.empty()) {
      type = declared;
    } else if (document.contains("manifests")) {
      return ManifestKind::kIndex;
    } else if (document.contains("layers") && document.contains("config")) {
      return ManifestKind::kImage;
    } else {
      type = std::string(content_type);
    }
  }
  if (IsManifestType(type)) return ManifestKind::kImage;
  if (IsIndexType(type)) return ManifestKind::kIndex;
  std::string hint;
  if (type.find("manifest.v1") != std::string::npos) hint = " (Docker schema 1 manifests are not supported)";
  return InvalidArgumentError("unsupported manifest media type \"" + std::string(type) + "\"" + hint);
}

StatusOr<std::vector<Descriptor>> ParseIndex(const json& document) {
  auto manifests = document.find("manifests");
  if (manifests == document.end() || !manifests->is_array()) {
    return InvalidArgumentError("manifest list has no \"manifests\" array");
  }
  std::vector<Descriptor> out;
  for (std::size_t i = 0; i < manifests->size(); ++i) {
    MOOR_ASSIGN_OR_RETURN(Descriptor d, ParseDescriptor((*manifests)[i], "manifests[" + std::to_string(i) + "]"));
    out.push_back(std::move(d));
  }
  return out;
}

StatusOr<Descriptor> SelectPlatform(const std::vector<Descriptor>& entries, const std::string& os,
                                    const std::string& arch) {
  const Descriptor* best = nullptr;
  std::set<std::string> offered;
  for (const Descriptor& d : entries) {
    std::string platform = d.os + "/" + d.arch + (d.variant.empty() ? "" : "/" + d.variant);
    if (d.os != os || d.arch != arch) {
      if (!d.os.empty() && d.os != "unknown") offered.insert(platform);
      continue;
    }
    bool plain = d.variant.empty() || (arch == "amd64" && d.variant == "v1");
    if (best == nullptr || (plain && !(best->variant.empty() || best->variant == "v1"))) best = &d;
  }
  if (best != nullptr) return *best;
  std::string list;
  for (const std::string& p : offered) list += (list.empty() ? "" : ", ") + p;
  return NotFoundError("no manifest for platform " + os + "/" + arch + " in the manifest list (it has: " +
                       (list.empty() ? "none" : list) + ")");
}

StatusOr<ImageManifest> ParseImageManifest(const json& document) {
  if (!document.is_object()) return InvalidArgumentError("manifest is not a JSON object");
  auto config = document.find("config");
  if (config == document.end()) return InvalidArgumentError("manifest has no config");
  ImageManifest m;
  MOOR_ASSIGN_OR_RETURN(m.config, ParseDescriptor(*config, "config"));
  if (m.config.media_type != kDockerConfig && m.config.media_type != kOciConfig) {
    return InvalidArgumentError("unsupported config media type \"" + m.config.media_type +
                                "\" (not a container image)");
  }
  auto layers = document.find("layers");
  if (layers == document.end() || !layers->is_array()) return InvalidArgumentError("manifest has no layers array");
  for (std::size_t i = 0; i < layers->size(); ++i) {
    std::string where = "layers[" + std::to_string(i) + "]";
    MOOR_ASSIGN_OR_RETURN(Descriptor d, ParseDescriptor((*layers)[i], where));
    static const std::set<std::string, std::less<>> kLayerTypes = {
        "application/vnd.docker.image.rootfs.diff.tar.gzip",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
        "application/vnd.oci.image.layer.v1.tar",
        "application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.oci.image.layer.v1.tar+zstd",
        "application/vnd.oci.image.layer.nondistributable.v1.tar",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    };
    if (!kLayerTypes.contains(d.media_type)) {
      return InvalidArgumentError(where + ": unsupported layer media type \"" + d.media_type + "\"");
    }
    m.layers.push_back(std::move(d));
  }
  return m;
}

std::string BuildOciManifest(const Descriptor& config, const std::vector<Descriptor>& layers) {
  json j = {{"schemaVersion", 2}, {"mediaType", kOciManifest}, {"config", DescriptorJson(config)}};
  j["layers"] = json::array();
  for (const Descriptor& d : layers) j["layers"].push_back(DescriptorJson(d));
  return j.dump();
}

}  // namespace moor::runtime
