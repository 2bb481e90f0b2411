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

}  // namespace moor::manifests
