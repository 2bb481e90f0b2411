#include "image_index.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace moor::runtime {
namespace {

using nlohmann::json;

std::vector<std::string> Strings(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const json& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

void AddSorted(std::vector<std::string>& list, const std::string& value) {
  auto it = std::lower_bound(list.begin(), list.end(), value);
  if (it == list.end() || *it != value) list.insert(it, value);
}

}  // namespace

StatusOr<ImageIndex> ImageIndex::Parse(const std::string& text) {
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_object() || !doc.contains("images") || !doc["images"].is_array()) {
    return InternalError("image index is not a JSON object with an \"images\" list");
  }
  ImageIndex index;
  for (const json& j : doc["images"]) {
    if (!j.is_object() || !j.contains("id") || !j["id"].is_string()) {
      return InternalError("image index has an entry without an id");
    }
    IndexEntry e;
    e.id = j["id"].get<std::string>();
    e.manifest_digest = j.value("manifest", "");
    e.manifests = Strings(j, "manifests");
    e.layers = Strings(j, "layers");
    e.references = Strings(j, "references");
    std::sort(e.references.begin(), e.references.end());
    e.size = j.value("size", std::int64_t{0});
    index.images_[e.id] = std::move(e);
  }
  return index;
}

std::string ImageIndex::Serialize() const {
  json images = json::array();
  for (const auto& [id, e] : images_) {
    images.push_back({{"id", e.id},
                      {"manifest", e.manifest_digest},
                      {"manifests", e.manifests},
                      {"layers", e.layers},
                      {"references", e.references},
                      {"size", e.size}});
  }
  return json{{"schemaVersion", 1}, {"images", images}}.dump(1) + "\n";
}

const IndexEntry* ImageIndex::Find(const std::string& id) const {
  auto it = images_.find(id);
  return it == images_.end() ? nullptr : &it->second;
}

const IndexEntry* ImageIndex::FindByReference(const std::string& reference) const {
  for (const auto& [id, e] : images_) {
    if (std::binary_search(e.references.begin(), e.references.end(), reference)) return &e;
  }
  return nullptr;
}

std::vector<std::string> ImageIndex::IdsWithPrefix(const std::string& prefix) const {
  std::string full = prefix.starts_with("sha256:") ? prefix : "sha256:" + prefix;
  std::vector<std::string> out;
  for (auto it = images_.lower_bound(full); it != images_.end() && it->first.starts_with(full); ++it) {
    out.push_back(it->first);
  }
  return out;
}

void ImageIndex::Put(const IndexEntry& entry) {
  for (const std::string& ref : entry.references) RemoveReference(ref);
  auto [it, inserted] = images_.emplace(entry.id, entry);
  IndexEntry& stored = it->second;
  if (!inserted) {
    IndexEntry old = stored;
    stored = entry;
    for (const std::string& r : old.references) AddSorted(stored.references, r);
    for (const std::string& m : old.manifests) {
      if (std::find(stored.manifests.begin(), stored.manifests.end(), m) == stored.manifests.end()) {
        stored.manifests.push_back(m);
      }
    }
  }
  std::sort(stored.references.begin(), stored.references.end());
  stored.references.erase(std::unique(stored.references.begin(), stored.references.end()), stored.references.end());
}

bool ImageIndex::RemoveReference(const std::string& reference) {
  for (auto& [id, e] : images_) {
    auto it = std::find(e.references.begin(), e.references.end(), reference);
    if (it != e.references.end()) {
      e.references.erase(it);
      return true;
    }
  }
  return false;
}

}  // namespace moor::runtime
