#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "moor/common/status.h"
#include "moor/manifests/object.h"

namespace moor::api {

// A Kubernetes field selector: "metadata.name=web,metadata.namespace!=kube-system".
// Operators `=`, `==`, `!=`. Supported fields: metadata.name and metadata.namespace for every
// kind; for Event also involvedObject.kind, .name, .namespace, .uid, .apiVersion,
// .fieldPath, reason, type, source (as kube-apiserver); for Pod also spec.nodeName and
// status.phase. An empty selector matches everything.
class FieldSelector {
 public:
  // kInvalidArgument for a malformed term or a field the kind does not support (message as
  // kube-apiserver: `field label not supported: spec.foo`).
  static StatusOr<FieldSelector> Parse(std::string_view text, std::string_view kind);

  bool Matches(const manifests::Object& obj) const;
  bool Empty() const { return terms_.empty(); }

  // The value a single `metadata.name=x` term requires, if the selector has one.
  std::string RequiredName() const;

 private:
  struct Term {
    std::string field;
    bool equals = true;
    std::string value;
  };
  std::vector<Term> terms_;
};

}  // namespace moor::api
