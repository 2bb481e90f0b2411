#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "moor/common/status.h"
#include "moor/manifests/object.h"

namespace moor::manifests {

using Labels = std::map<std::string, std::string>;

// A label selector: the string form kubectl takes (`app=web,tier!=db,env in (a,b),!old,x`)
// or the object form in manifests ({matchLabels, matchExpressions}). An empty selector
// matches everything.
class LabelSelector {
 public:
  static StatusOr<LabelSelector> Parse(std::string_view text);
  static StatusOr<LabelSelector> FromObject(const Object& selector);  // LabelSelector JSON

  bool Matches(const Labels& labels) const;
  bool Empty() const { return requirements_.empty(); }
  std::string ToString() const;

 private:
  struct Requirement {
    std::string key;
    enum class Op { kEquals, kNotEquals, kIn, kNotIn, kExists, kDoesNotExist } op;
    std::vector<std::string> values;
  };
  std::vector<Requirement> requirements_;
};

// metadata.labels of an object (empty if none or mistyped).
Labels LabelsOf(const Object& obj);

}  // namespace moor::manifests
