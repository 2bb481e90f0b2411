#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "moor/manifests/object.h"

namespace moor::manifests::internal {

// Read-only accessors for validation and defaulting; none throws on a missing or mistyped field.
inline const Object* Field(const Object& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}
inline const Object* ObjectField(const Object& obj, const char* key) {
  const Object* f = Field(obj, key);
  return f != nullptr && f->is_object() ? f : nullptr;
}
inline const Object* ArrayField(const Object& obj, const char* key) {
  const Object* f = Field(obj, key);
  return f != nullptr && f->is_array() ? f : nullptr;
}
inline std::string StringField(const Object& obj, const char* key) {
  const Object* f = Field(obj, key);
  return f != nullptr && f->is_string() ? f->get<std::string>() : std::string();
}
// An empty JSON object, for "absent" sub-objects.
inline const Object& EmptyObject() {
  static const Object kEmpty = Object::object();
  return kEmpty;
}
// obj.spec when it is an object, else an empty object.
inline const Object& SpecOf(const Object& obj) {
  const Object* spec = ObjectField(obj, "spec");
  return spec != nullptr ? *spec : EmptyObject();
}
inline bool HasField(const Object& obj, const char* key) { return Field(obj, key) != nullptr; }
inline std::optional<std::int64_t> IntField(const Object& obj, const char* key) {
  const Object* f = Field(obj, key);
  if (f == nullptr || !f->is_number_integer()) return std::nullopt;
  if (f->is_number_unsigned() && f->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) return INT64_MAX;
  return f->get<std::int64_t>();
}
inline bool BoolField(const Object& obj, const char* key) {
  const Object* f = Field(obj, key);
  return f != nullptr && f->is_boolean() && f->get<bool>();
}

}  // namespace moor::manifests::internal
