#include "merge_list_order.h"

#include <algorithm>
#include <cstddef>
#include <utility>

namespace moor::manifests::internal {
namespace {

const Object* IdentityOf(const Object& element, const std::string& merge_key) {
  if (merge_key.empty()) return &element;
  if (!element.is_object()) return nullptr;
  auto it = element.find(merge_key);
  return it == element.end() || it->is_null() ? nullptr : &*it;
}

// Index of the first entry of `order` equal to `id`; -1 if none (or no identity).
long PositionIn(const std::vector<Object>& order, const Object* id) {
  if (id == nullptr) return -1;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (order[i] == *id) return static_cast<long>(i);
  }
  return -1;
}

struct Item {
  const Object* element;
  long patch_pos;
  long server_pos;
};

}  // namespace

std::vector<Object> IdentitiesOf(const Object& list, const std::string& merge_key) {
  std::vector<Object> ids;
  if (!list.is_array()) return ids;
  ids.reserve(list.size());
  for (const Object& element : list) {
    const Object* id = IdentityOf(element, merge_key);
    ids.push_back(id == nullptr ? Object() : *id);
  }
  return ids;
}

std::vector<Object> LiveOrderForSetElementOrder(const Object& live, const Object& patch, const std::string& merge_key) {
  std::vector<Object> slots = IdentitiesOf(live, merge_key);
  if (!patch.is_array()) return slots;
  const std::size_t capacity = slots.size();
  std::size_t length = capacity;
  auto find = [&](const Object& id) {
    for (std::size_t i = 0; i < length; ++i) {
      if (slots[i] == id) return i;
    }
    return length;
  };
  bool replace = false;
  for (const Object& element : patch) {
    if (!element.is_object() || !element.contains("$patch")) continue;
    const Object& directive = element["$patch"];
    if (directive == "replace") replace = true;
    const Object* id = IdentityOf(element, merge_key);
    if (directive != "delete" || id == nullptr) continue;
    for (std::size_t at = find(*id); at < length; at = find(*id)) {
      for (std::size_t i = at; i + 1 < length; ++i) slots[i] = slots[i + 1];
      --length;
    }
  }
  if (replace) return slots;  // the list is rebuilt from the patch, in new storage
  for (const Object& element : patch) {
    if (element.is_object() && element.contains("$patch") && element["$patch"] != "merge") continue;
    const Object* id = IdentityOf(element, merge_key);
    if (id == nullptr || find(*id) < length) continue;
    if (length == capacity) break;  // storage full: Kubernetes appends to a new copy from here on
    slots[length++] = *id;
  }
  return slots;
}

Object OrderMergedList(const Object& merged, const std::vector<Object>& patch_order,
                       const std::vector<Object>& server_order, const std::string& merge_key) {
  std::vector<Item> patch_items;
  std::vector<Item> server_only;
  for (const Object& element : merged) {
    const Object* id = IdentityOf(element, merge_key);
    Item item{&element, PositionIn(patch_order, id), PositionIn(server_order, id)};
    (item.patch_pos >= 0 ? patch_items : server_only).push_back(item);
  }
  std::stable_sort(patch_items.begin(), patch_items.end(),
                   [](const Item& a, const Item& b) { return a.patch_pos < b.patch_pos; });
  // Server-only items not in the live list (none in practice) go last.
  auto server_rank = [](const Item& item) {
    return item.server_pos >= 0 ? item.server_pos : static_cast<long>(1) << 40;
  };
  std::stable_sort(server_only.begin(), server_only.end(),
                   [&](const Item& a, const Item& b) { return server_rank(a) < server_rank(b); });

  Object out = Object::array();
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < server_only.size() || j < patch_items.size()) {
    bool take_server;
    if (j >= patch_items.size()) {
      take_server = true;
    } else if (i >= server_only.size()) {
      take_server = false;
    } else {
      long l = server_only[i].server_pos;
      long r = patch_items[j].server_pos;
      take_server = l >= 0 && r >= 0 && l < r;
    }
    out.push_back(*(take_server ? server_only[i++] : patch_items[j++]).element);
  }
  return out;
}

}  // namespace moor::manifests::internal
