#include "moor/manifests/object.h"

#include <utility>

namespace moor::manifests {
namespace {

std::string MetadataString(const Object& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find("metadata");
  if (it == obj.end()) return "";
  return StringAt(*it, key);
}

constexpr std::string_view kEvery = "[*].";

// Splits "a.b[*].c" into {"a.b", "c"}; {path, ""} without "[*]".
std::pair<std::string_view, std::string_view> SplitEvery(std::string_view path) {
  std::size_t at = path.find(kEvery);
  if (at == std::string_view::npos) return {path, {}};
  return {path.substr(0, at), path.substr(at + kEvery.size())};
}

std::string ProtocolOf(const Object& port) {
  std::string protocol = StringAt(port, "protocol");
  return protocol.empty() ? "TCP" : protocol;
}

bool SamePort(const Object& a, const Object& b) {
  if (!a.is_object() || !b.is_object()) return false;
  auto pa = a.find("port");
  auto pb = b.find("port");
  if (pa == a.end() || pb == b.end() || *pa != *pb) return false;
  return ProtocolOf(a) == ProtocolOf(b);
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
bool IsBeingDeleted(const Object& obj) { return !MetadataString(obj, "deletionTimestamp").empty(); }

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

std::string StringAt(const Object& obj, std::string_view dotted_path) {
  const Object& v = FieldAt(obj, dotted_path);
  return v.is_string() ? v.get<std::string>() : "";
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

bool HasFieldsAt(const Object& obj, std::string_view path) {
  auto [array_path, rest] = SplitEvery(path);
  if (rest.empty()) return !FieldAt(obj, path).is_null();
  const Object& array = FieldAt(obj, array_path);
  if (!array.is_array()) return false;
  for (const Object& element : array) {
    if (!FieldAt(element, rest).is_null()) return true;
  }
  return false;
}

void EraseFieldsAt(Object& obj, std::string_view path) {
  auto [array_path, rest] = SplitEvery(path);
  if (rest.empty()) return EraseFieldAt(obj, path);
  if (!FieldAt(obj, array_path).is_array()) return;
  Object array = FieldAt(obj, array_path);
  for (Object& element : array) EraseFieldAt(element, rest);
  SetFieldAt(obj, array_path, std::move(array));
}

void KeepFieldsAt(Object& out, const Object& stored, std::string_view path) {
  auto [array_path, rest] = SplitEvery(path);
  if (rest.empty()) {
    const Object& was = FieldAt(stored, path);
    if (!was.is_null() && FieldAt(out, path).is_null()) SetFieldAt(out, path, was);
    return;
  }
  const Object& stored_array = FieldAt(stored, array_path);
  if (!stored_array.is_array() || !FieldAt(out, array_path).is_array()) return;
  Object array = FieldAt(out, array_path);
  for (std::size_t i = 0; i < array.size() && i < stored_array.size(); ++i) {
    const Object& was = FieldAt(stored_array[i], rest);
    if (was.is_null() || !FieldAt(array[i], rest).is_null() || !SamePort(array[i], stored_array[i])) continue;
    SetFieldAt(array[i], rest, was);
  }
  SetFieldAt(out, array_path, std::move(array));
}

}  // namespace moor::manifests
