#include "moor/manifests/object.h"

namespace moor::manifests {
namespace {

std::string StringAt(const Object& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

std::string MetadataString(const Object& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find("metadata");
  if (it == obj.end()) return "";
  return StringAt(*it, key);
}

}  // namespace

std::string ObjectKey::ToString() const {
  if (ns.empty()) return kind + "/" + name;
  return kind + "/" + ns + "/" + name;
}

std::string ApiVersionOf(const Object& obj) { return StringAt(obj, "apiVersion"); }
std::string KindOf(const Object& obj) { return StringAt(obj, "kind"); }
std::string NameOf(const Object& obj) { return MetadataString(obj, "name"); }
std::string NamespaceOf(const Object& obj) { return MetadataString(obj, "namespace"); }

ObjectKey KeyOf(const Object& obj) { return ObjectKey{KindOf(obj), NamespaceOf(obj), NameOf(obj)}; }

const Object& FieldAt(const Object& obj, std::string_view dotted_path) {
  static const Object kNull;
  const Object* cur = &obj;
  std::size_t i = 0;
  while (i <= dotted_path.size()) {
    std::size_t j = dotted_path.find('.', i);
    if (j == std::string_view::npos) j = dotted_path.size();
    if (!cur->is_object()) return kNull;
    auto it = cur->find(std::string(dotted_path.substr(i, j - i)));
    if (it == cur->end()) return kNull;
    cur = &*it;
    i = j + 1;
  }
  return *cur;
}

void SetFieldAt(Object& obj, std::string_view dotted_path, Object value) {
  Object* at = &obj;
  std::size_t start = 0;
  while (true) {
    if (!at->is_object()) *at = Object::object();
    std::size_t dot = dotted_path.find('.', start);
    std::string step(dotted_path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) {
      (*at)[step] = std::move(value);
      return;
    }
    at = &(*at)[step];
    start = dot + 1;
  }
}

void EraseFieldAt(Object& obj, std::string_view dotted_path) {
  Object* at = &obj;
  std::size_t start = 0;
  while (at->is_object()) {
    std::size_t dot = dotted_path.find('.', start);
    std::string step(dotted_path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) {
      at->erase(step);
      return;
    }
    auto next = at->find(step);
    if (next == at->end()) return;
    at = &*next;
    start = dot + 1;
  }
}

}  // namespace moor::manifests
