#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "moor/manifests/object.h"
#include "reporter.h"

namespace moor::manifests::internal {

// The field types of the kinds moor serves, generated at build time from the Kubernetes
// Python client's models plus manifests/k8s_schema_overlay.yaml (see
// manifests/tools/gen_k8s_schema.py). Loaded once; immutable and thread-safe afterwards.
class Schema {
 public:
  struct Type;
  struct Class {
    std::string name;
    std::map<std::string, std::shared_ptr<const Type>> fields;  // by JSON name
    std::vector<std::string> required;
  };
  struct Type {
    enum class Kind { kString, kInt, kFloat, kBool, kAny, kDateTime, kQuantity, kIntOrString, kList, kMap, kClass };
    Kind kind = Kind::kAny;
    std::shared_ptr<const Type> element;  // kList, kMap
    const Class* cls = nullptr;           // kClass
  };

  static const Schema& Get();

  // The model class for "<apiVersion>/<Kind>" ("apps/v1/Deployment"); nullptr if none.
  const Class* RootFor(std::string_view api_version, std::string_view kind) const;

  // Checks `value` against `cls`: JSON types, required fields, unknown fields (reported as
  // such), quantities. Null values are accepted everywhere (Kubernetes reads them as unset).
  void Check(const Object& value, const Class& cls, const std::string& path, Reporter& reporter) const;

  // Brings a valid object to the form kube-apiserver returns: null-valued fields of model
  // classes are removed (Kubernetes reads them as unset) and quantities are written in
  // canonical form ("0.5" -> "500m", 1 -> "1"). Idempotent.
  void Normalize(Object& value, const Class& cls) const;

 private:
  Schema();
  std::shared_ptr<const Type> ParseType(std::string_view text);
  void CheckValue(const Object& value, const Type& type, const std::string& path, Reporter& reporter) const;
  void NormalizeIn(Object& value, const Type& type) const;

  std::map<std::string, std::unique_ptr<Class>> classes_;
  std::map<std::string, const Class*, std::less<>> roots_;
};

}  // namespace moor::manifests::internal
