#include "strategic_merge.h"

#include <cstddef>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "field_path.h"
#include "merge_list_order.h"

namespace moor::manifests::internal {
namespace {

constexpr std::string_view kPatchDirective = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kSetElementOrder = "$setElementOrder/";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// The keys strategicpatch reads as directives. Other keys beginning with "$" are plain keys.
bool IsDirectiveKey(std::string_view key) {
  return key == kPatchDirective || key == kRetainKeys || StartsWith(key, kSetElementOrder) ||
         StartsWith(key, kDeleteFromPrimitiveList);
}

bool IsScalar(const Object& v) { return !v.is_object() && !v.is_array(); }

std::string Brief(const Object& v) {
  std::string s = v.dump();
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

std::string Quote(std::string_view s) { return Object(std::string(s)).dump(); }

std::string Where(const std::string& path) { return path.empty() ? "top level" : path; }

// 400: the patch itself is wrong.
Status Malformed(const std::string& path, const std::string& what) {
  return InvalidArgumentError("strategic merge patch: " + Where(path) + ": " + what);
}
// 422: the patch does not fit this object.
Status Unfit(const std::string& path, const std::string& what) {
  return FailedPreconditionError("strategic merge patch: " + Where(path) + ": " + what);
}

enum class Directive { kMerge, kReplace, kDelete };

StatusOr<Directive> ParseDirective(const Object& value, const std::string& path) {
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    if (s == "merge") return Directive::kMerge;
    if (s == "replace") return Directive::kReplace;
    if (s == "delete") return Directive::kDelete;
  }
  return Malformed(path, "unknown $patch directive " + Brief(value) + "; expected \"replace\", \"delete\" or \"merge\"");
}

Object Without(const Object& map, std::string_view key) {
  Object copy = map;
  copy.erase(std::string(key));
  return copy;
}

// The merge key's value of a list element; nullptr if it has none.
const Object* MergeKeyOf(const Object& element, const std::string& merge_key) {
  if (!element.is_object()) return nullptr;
  auto it = element.find(merge_key);
  return it == element.end() || it->is_null() ? nullptr : &*it;
}

}  // namespace

StatusOr<Object> ApplyStrategicMergePatch(const Object& original, const Object& patch) {
  if (!patch.is_object()) {
    return InvalidArgumentError("a strategic merge patch must be a JSON object, got " + Brief(patch));
  }
  if (!original.is_object()) return FailedPreconditionError("the object to patch is not a JSON object");
  Schema::Type root;
  const Schema::Type* type = nullptr;
  if (const Schema::Class* cls = Schema::Get().RootFor(ApiVersionOf(original), KindOf(original))) {
    root.kind = Schema::Type::Kind::kClass;
    root.cls = cls;
    type = &root;
  }
  MOOR_ASSIGN_OR_RETURN(std::optional<Object> merged, StrategicMerger().MergeMap(original, patch, type, ""));
  if (!merged) {
    return InvalidArgumentError(
        "strategic merge patch: $patch: delete at the top level would delete the whole object; use DELETE");
  }
  return std::move(*merged);
}

StrategicMerger::Field StrategicMerger::FieldOf(const Type* parent, const std::string& key) {
  Field field;
  if (parent == nullptr) return field;
  if (parent->kind == Type::Kind::kClass && parent->cls != nullptr) {
    field.meta = PatchMetaFor(parent->cls->name, key);
    auto it = parent->cls->fields.find(key);
    if (it != parent->cls->fields.end()) field.type = it->second.get();
  } else if (parent->kind == Type::Kind::kMap) {
    field.type = parent->element.get();
  }
  return field;
}

const StrategicMerger::Type* StrategicMerger::ElementOf(const Type* list_type) {
  return list_type != nullptr && list_type->kind == Type::Kind::kList ? list_type->element.get() : nullptr;
}

StatusOr<std::optional<Object>> StrategicMerger::MergeMap(Object original, const Object& patch, const Type* type,
                                                          const std::string& path) const {
  const Object* p = &patch;
  Object stripped;
  if (auto d = patch.find(std::string(kPatchDirective)); d != patch.end()) {
    MOOR_ASSIGN_OR_RETURN(Directive directive, ParseDirective(*d, path));
    if (directive == Directive::kDelete) return std::optional<Object>();
    if (directive == Directive::kReplace) original = Object();
    stripped = Without(patch, kPatchDirective);
    p = &stripped;
  }
  Object result = original.is_object() ? std::move(original) : Object::object();
  MOOR_RETURN_IF_ERROR(ApplyRetainKeys(result, *p, path));

  // Lists with a $setElementOrder are merged and ordered first, then the other keys.
  std::set<std::string> ordered;
  for (auto it = p->begin(); it != p->end(); ++it) {
    if (!StartsWith(it.key(), kSetElementOrder)) continue;
    MOOR_RETURN_IF_ERROR(ApplySetElementOrder(result, *p, it.key(), type, path));
    ordered.insert(it.key().substr(kSetElementOrder.size()));
  }
  for (auto it = p->begin(); it != p->end(); ++it) {
    const std::string& key = it.key();
    if (IsDirectiveKey(key) || ordered.count(key) != 0) continue;
    if (it->is_null()) {
      result.erase(key);
      continue;
    }
    Field field = FieldOf(type, key);
    std::string child = FieldKey(path, key);
    if (it->is_structured()) {
      // The live value is taken over (a mismatched type counts as none) and merged.
      auto current = result.find(key);
      Object live = current == result.end() ? Object() : std::move(*current);
      if (it->is_object()) {
        MOOR_ASSIGN_OR_RETURN(std::optional<Object> merged, MergeMap(std::move(live), *it, field.type, child));
        if (merged) {
          result[key] = std::move(*merged);
        } else {
          result.erase(key);
        }
      } else {
        MOOR_ASSIGN_OR_RETURN(Object merged,
                              MergeList(std::move(live), *it, field.meta, ElementOf(field.type), child));
        result[key] = std::move(merged);
      }
    } else {
      result[key] = *it;
    }
  }
  // Deletions last, so a value both added and deleted by one patch ends up deleted.
  for (auto it = p->begin(); it != p->end(); ++it) {
    if (!StartsWith(it.key(), kDeleteFromPrimitiveList)) continue;
    MOOR_RETURN_IF_ERROR(
        ApplyDeleteFromPrimitiveList(result, it.key().substr(kDeleteFromPrimitiveList.size()), *it, type, path));
  }
  return std::optional<Object>(std::move(result));
}

Status StrategicMerger::ApplyRetainKeys(Object& result, const Object& patch, const std::string& path) const {
  auto it = patch.find(std::string(kRetainKeys));
  if (it == patch.end()) return Status::Ok();
  if (!it->is_array()) return Malformed(path, "$retainKeys must be a list of field names, got " + Brief(*it));
  std::set<std::string> keep;
  for (const Object& name : *it) {
    if (!name.is_string()) return Malformed(path, "$retainKeys must be a list of field names, got " + Brief(*it));
    keep.insert(name.get<std::string>());
  }
  for (auto p = patch.begin(); p != patch.end(); ++p) {
    if (p->is_null() || IsDirectiveKey(p.key()) || keep.count(p.key()) != 0) continue;
    return Malformed(path, "field " + Quote(p.key()) + " is in the patch but not in its $retainKeys list " + Brief(*it));
  }
  for (auto r = result.begin(); r != result.end();) {
    if (keep.count(r.key()) == 0) {
      r = result.erase(r);
    } else {
      ++r;
    }
  }
  return Status::Ok();
}

Status StrategicMerger::ApplySetElementOrder(Object& result, const Object& patch, const std::string& key,
                                             const Type* type, const std::string& path) const {
  const std::string name = key.substr(kSetElementOrder.size());
  if (name.empty()) return Malformed(path, Quote(key) + " names no field");
  const Object& order = patch.at(key);
  if (!order.is_array()) return Malformed(path, key + " must be a list, got " + Brief(order));
  Field field = FieldOf(type, name);
  std::string child = FieldKey(path, name);
  if (field.type != nullptr && field.type->kind != Type::Kind::kList) {
    return Unfit(path, key + ": field " + Quote(name) + " is not a list");
  }
  auto current = result.find(name);
  const Object* live = current == result.end() || current->is_null() ? nullptr : &*current;
  if (live != nullptr && !live->is_array()) return Unfit(path, key + ": field " + Quote(name) + " is not a list");
  auto in_patch = patch.find(name);
  const Object* list = in_patch == patch.end() ? nullptr : &*in_patch;
  if (list != nullptr && !list->is_array()) {
    return Malformed(path, Quote(name) + " must be a list when the patch has " + key + ", got " + Brief(*list));
  }
  const std::string merge_key = field.meta.merge ? field.meta.merge_key : "";
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (merge_key.empty() ? !IsScalar(order[i]) : MergeKeyOf(order[i], merge_key) == nullptr) {
      return Malformed(FieldIndex(FieldKey(path, key), i),
                       merge_key.empty() ? "expected a value, got " + Brief(order[i])
                                         : "expected an object with the merge key " + Quote(merge_key) + ", got " +
                                               Brief(order[i]));
    }
  }
  std::vector<Object> order_ids = IdentitiesOf(order, merge_key);
  // The patch list's elements (but directives) must be listed, in the same order.
  if (list != nullptr) {
    std::size_t at = 0;
    for (const Object& element : *list) {
      if (element.is_object() && element.contains(std::string(kPatchDirective))) continue;
      const Object* id = merge_key.empty() ? &element : MergeKeyOf(element, merge_key);
      if (id == nullptr) continue;  // MergeList reports it
      while (at < order_ids.size() && order_ids[at] != *id) ++at;
      if (at == order_ids.size()) {
        return Malformed(child, "the patch list is not in the order " + key + " gives (or has an element it does not list): " +
                                    Brief(*id));
      }
      ++at;
    }
  }
  if (list == nullptr && live == nullptr) return Status::Ok();
  const Object empty = Object::array();
  const Object& live_list = live != nullptr ? *live : empty;
  std::vector<Object> live_order = list != nullptr && !merge_key.empty()
                                       ? LiveOrderForSetElementOrder(live_list, *list, merge_key)
                                       : IdentitiesOf(live_list, merge_key);
  Object merged = live != nullptr ? std::move(*current) : Object();
  if (list != nullptr) {
    MOOR_ASSIGN_OR_RETURN(merged, MergeList(std::move(merged), *list, field.meta, ElementOf(field.type), child));
  }
  result[name] = OrderMergedList(merged, order_ids, live_order, merge_key);
  return Status::Ok();
}

Status StrategicMerger::ApplyDeleteFromPrimitiveList(Object& result, const std::string& name, const Object& values,
                                                     const Type* type, const std::string& path) const {
  const std::string key = std::string(kDeleteFromPrimitiveList) + name;
  if (name.empty()) return Malformed(path, Quote(key) + " names no field");
  if (!values.is_array()) return Malformed(path, key + " must be a list of values, got " + Brief(values));
  for (const Object& v : values) {
    if (!IsScalar(v)) return Malformed(path, key + " must be a list of values, got " + Brief(values));
  }
  Field field = FieldOf(type, name);
  if (field.type != nullptr && field.type->kind != Type::Kind::kList) {
    return Unfit(path, key + ": field " + Quote(name) + " is not a list");
  }
  auto current = result.find(name);
  if (current == result.end() || current->is_null()) return Status::Ok();
  if (!current->is_array()) return Unfit(path, key + ": field " + Quote(name) + " is not a list");
  Object kept = Object::array();
  for (const Object& element : *current) {
    bool drop = false;
    for (const Object& v : values) drop = drop || element == v;
    if (!drop) kept.push_back(element);
  }
  *current = std::move(kept);
  return Status::Ok();
}

StatusOr<Object> StrategicMerger::MergeList(Object original, const Object& patch, const PatchMeta& meta,
                                            const Type* element_type, const std::string& path) const {
  if (!meta.merge) return ReplaceList(patch, element_type, path);
  Object live = original.is_array() ? std::move(original) : Object::array();
  if (!meta.merge_key.empty()) return MergeMapList(std::move(live), patch, meta.merge_key, element_type, path);

  // A set of primitives: the patch's values that are not there yet are added.
  for (std::size_t i = 0; i < patch.size(); ++i) {
    if (!IsScalar(patch[i])) return Malformed(FieldIndex(path, i), "expected a value in this list, got " + Brief(patch[i]));
  }
  Object merged = Object::array();
  for (const Object* list : {static_cast<const Object*>(&live), &patch}) {
    for (const Object& v : *list) {
      bool seen = false;
      for (const Object& m : merged) seen = seen || m == v;
      if (!seen) merged.push_back(v);
    }
  }
  return OrderMergedList(merged, IdentitiesOf(patch, ""), IdentitiesOf(live, ""), "");
}

StatusOr<Object> StrategicMerger::MergeMapList(Object live, const Object& patch, const std::string& merge_key,
                                               const Type* element_type, const std::string& path) const {
  Object server = std::move(live);
  Object plain = Object::array();  // patch elements without a directive, in order
  bool replace = false;
  for (std::size_t i = 0; i < patch.size(); ++i) {
    const Object& element = patch[i];
    std::string at = FieldIndex(path, i);
    if (!element.is_object()) {
      return Malformed(at, "expected an object with the merge key " + Quote(merge_key) + ", got " + Brief(element));
    }
    auto d = element.find(std::string(kPatchDirective));
    if (d == element.end()) {
      plain.push_back(element);
      continue;
    }
    MOOR_ASSIGN_OR_RETURN(Directive directive, ParseDirective(*d, at));
    switch (directive) {
      case Directive::kDelete: {
        const Object* key = MergeKeyOf(element, merge_key);
        if (key == nullptr) {
          return Malformed(at, "$patch: delete needs the merge key " + Quote(merge_key) + " to name the element");
        }
        Object kept = Object::array();
        for (Object& e : server) {
          const Object* k = MergeKeyOf(e, merge_key);
          if (k == nullptr || *k != *key) kept.push_back(std::move(e));
        }
        server = std::move(kept);
        break;
      }
      case Directive::kReplace:
        replace = true;
        break;
      case Directive::kMerge:
        plain.push_back(Without(element, kPatchDirective));
        break;
    }
  }
  for (std::size_t i = 0; i < plain.size(); ++i) {
    if (MergeKeyOf(plain[i], merge_key) == nullptr) {
      return Malformed(path, "a patch element has no merge key " + Quote(merge_key) + ": " + Brief(plain[i]));
    }
  }
  if (replace) {
    // `$patch: replace` as an element: the list becomes the patch's other elements.
    Object fresh = Object::array();
    for (std::size_t i = 0; i < plain.size(); ++i) {
      MOOR_ASSIGN_OR_RETURN(std::optional<Object> element, MergeMap(Object(), plain[i], element_type, FieldIndex(path, i)));
      if (element) fresh.push_back(std::move(*element));
    }
    return fresh;
  }

  std::vector<Object> server_order = IdentitiesOf(server, merge_key);
  Object merged = std::move(server);
  for (std::size_t i = 0; i < plain.size(); ++i) {
    const Object& key = *MergeKeyOf(plain[i], merge_key);
    std::size_t match = 0;
    while (match < merged.size()) {
      const Object* k = MergeKeyOf(merged[match], merge_key);
      if (k != nullptr && *k == key) break;
      ++match;
    }
    const bool found = match < merged.size();
    Object live_element = found ? std::move(merged[match]) : Object();
    MOOR_ASSIGN_OR_RETURN(std::optional<Object> element,
                          MergeMap(std::move(live_element), plain[i], element_type, FieldIndex(path, match)));
    if (!element) continue;  // not reached: plain elements carry no $patch
    if (found) {
      merged[match] = std::move(*element);
    } else {
      merged.push_back(std::move(*element));
    }
  }
  return OrderMergedList(merged, IdentitiesOf(plain, merge_key), server_order, merge_key);
}

StatusOr<Object> StrategicMerger::ReplaceList(const Object& patch, const Type* element_type,
                                              const std::string& path) const {
  Object out = Object::array();
  for (std::size_t i = 0; i < patch.size(); ++i) {
    const Object& element = patch[i];
    if (element.is_object()) {
      MOOR_ASSIGN_OR_RETURN(std::optional<Object> cleaned, MergeMap(Object(), element, element_type, FieldIndex(path, i)));
      if (cleaned) out.push_back(std::move(*cleaned));
    } else if (element.is_array()) {
      MOOR_ASSIGN_OR_RETURN(Object cleaned, ReplaceList(element, nullptr, FieldIndex(path, i)));
      out.push_back(std::move(cleaned));
    } else {
      out.push_back(element);
    }
  }
  return out;
}

}  // namespace moor::manifests::internal
