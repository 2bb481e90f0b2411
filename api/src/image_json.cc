#include "image_json.h"

namespace moor::api {
namespace {

constexpr const char* kApiVersion = "moor.dev/v1";

Status Malformed(const std::string& what) { return InternalError("the server sent a malformed " + what); }

}  // namespace

manifests::Object ImageToJson(const ImageSummary& image) {
  return {{"kind", "Image"},
          {"apiVersion", kApiVersion},
          {"id", image.id},
          {"references", image.references},
          {"size", image.size},
          {"inUse", image.in_use}};
}

manifests::Object ImageListToJson(const std::vector<ImageSummary>& images) {
  manifests::Object items = manifests::Object::array();
  for (const auto& image : images) items.push_back(ImageToJson(image));
  return {{"kind", "ImageList"}, {"apiVersion", kApiVersion}, {"items", items}};
}

manifests::Object PruneResultToJson(const std::vector<std::string>& deleted) {
  return {{"kind", "ImagePruneResult"}, {"apiVersion", kApiVersion}, {"deleted", deleted}};
}

StatusOr<ImageSummary> ImageFromJson(const manifests::Object& obj) {
  if (!obj.is_object() || !obj.contains("id") || !obj["id"].is_string()) return Malformed("Image");
  ImageSummary image;
  image.id = obj["id"].get<std::string>();
  if (obj.contains("references") && obj["references"].is_array()) {
    for (const auto& r : obj["references"]) {
      if (!r.is_string()) return Malformed("Image");
      image.references.push_back(r.get<std::string>());
    }
  }
  if (obj.contains("size") && obj["size"].is_number_integer()) image.size = obj["size"].get<std::int64_t>();
  if (obj.contains("inUse") && obj["inUse"].is_boolean()) image.in_use = obj["inUse"].get<bool>();
  return image;
}

StatusOr<std::vector<ImageSummary>> ImageListFromJson(const manifests::Object& obj) {
  if (!obj.is_object() || !obj.contains("items") || !obj["items"].is_array()) return Malformed("ImageList");
  std::vector<ImageSummary> images;
  for (const auto& item : obj["items"]) {
    MOOR_ASSIGN_OR_RETURN(ImageSummary image, ImageFromJson(item));
    images.push_back(std::move(image));
  }
  return images;
}

StatusOr<std::vector<std::string>> PruneResultFromJson(const manifests::Object& obj) {
  if (!obj.is_object() || !obj.contains("deleted") || !obj["deleted"].is_array()) return Malformed("ImagePruneResult");
  std::vector<std::string> deleted;
  for (const auto& id : obj["deleted"]) {
    if (!id.is_string()) return Malformed("ImagePruneResult");
    deleted.push_back(id.get<std::string>());
  }
  return deleted;
}

}  // namespace moor::api
