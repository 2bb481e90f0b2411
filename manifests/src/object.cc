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

}  // namespace moor::manifests
