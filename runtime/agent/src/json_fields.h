#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "moor/manifests/object.h"

namespace moor::runtime {

// Reading pod-spec fields without throwing: a missing field or a value of another type reads as
// empty / nullopt / the fallback. Shared by the agent's files.
inline const manifests::Object& Child(const manifests::Object& obj, const char* field) {
  static const manifests::Object kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(field);
  return it == obj.end() ? kNull : *it;
}

inline std::string Str(const manifests::Object& obj, const char* field) {
  const manifests::Object& v = Child(obj, field);
  return v.is_string() ? v.get<std::string>() : std::string();
}

inline std::optional<std::int64_t> IntField(const manifests::Object& obj, const char* field) {
  const manifests::Object& v = Child(obj, field);
  if (v.is_number_integer()) return v.get<std::int64_t>();
  return std::nullopt;
}

inline int IntOr(const manifests::Object& obj, const char* field, int fallback) {
  auto v = IntField(obj, field);
  return v ? static_cast<int>(*v) : fallback;
}

inline std::optional<bool> BoolField(const manifests::Object& obj, const char* field) {
  const manifests::Object& v = Child(obj, field);
  if (v.is_boolean()) return v.get<bool>();
  return std::nullopt;
}

inline std::vector<std::string> StringList(const manifests::Object& list) {
  std::vector<std::string> out;
  if (list.is_array()) {
    for (const manifests::Object& s : list) {
      if (s.is_string()) out.push_back(s.get<std::string>());
    }
  }
  return out;
}

inline std::string UidOf(const manifests::Object& obj) { return Str(manifests::FieldAt(obj, "metadata"), "uid"); }

}  // namespace moor::runtime
