#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "moor/common/status.h"

namespace moor::runtime {

// One image in index.json.
struct IndexEntry {
  std::string id;                          // config digest
  std::string manifest_digest;             // what the reference resolved to (index or manifest)
  std::vector<std::string> manifests;      // every manifest blob kept for it (index, platform manifest)
  std::vector<std::string> layers;         // layer blob digests, bottom first
  std::vector<std::string> references;     // normalized, sorted
  std::int64_t size = 0;
};

// The store's index.json: images by id. A reference points at one image at most.
class ImageIndex {
 public:
  static StatusOr<ImageIndex> Parse(const std::string& text);  // kInternal naming the problem
  std::string Serialize() const;

  const std::map<std::string, IndexEntry>& images() const { return images_; }
  const IndexEntry* Find(const std::string& id) const;
  // The image a normalized reference points at.
  const IndexEntry* FindByReference(const std::string& reference) const;
  // Ids starting with `prefix` ("sha256:ab" or "ab").
  std::vector<std::string> IdsWithPrefix(const std::string& prefix) const;

  // Adds or updates `entry` (its references are added to any it already has), moving each of
  // its references away from whatever image held them before.
  void Put(const IndexEntry& entry);
  // Drops `reference` from its image. False if no image had it.
  bool RemoveReference(const std::string& reference);
  void RemoveImage(const std::string& id) { images_.erase(id); }

 private:
  std::map<std::string, IndexEntry> images_;
};

}  // namespace moor::runtime
