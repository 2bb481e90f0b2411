#pragma once

#include <string>
#include <vector>

#include "moor/manifests/kinds.h"
#include "moor/manifests/object.h"
#include "reporter.h"

namespace moor::manifests::internal {

enum class NameRule { kDns1123Subdomain, kDns1123Label, kDns1035Label, kPathSegment };

// metadata: name or generateName required, name syntax per kind, namespace a DNS-1123
// label, labels and annotations syntax (ValidateObjectMeta).
void ValidateObjectMeta(const Object& obj, const KindInfo& kind, NameRule rule, Reporter& r);

// Labels map syntax (keys qualified names, values label values) at `path`.
void ValidateLabels(const Object& labels, const std::string& path, Reporter& r);
void ValidateAnnotations(const Object& annotations, const std::string& path, Reporter& r);

// A LabelSelector object at `path` (matchLabels / matchExpressions).
void ValidateLabelSelector(const Object& selector, const std::string& path, Reporter& r);

// Reports `Unsupported value: "x": supported values: "a", "b"` when value (if set) is not listed.
void CheckEnum(const Object& parent, const char* key, const std::string& parent_path,
               const std::vector<std::string>& allowed, Reporter& r);
// Reports a negative integer field: "must be greater than or equal to 0".
void CheckNonNegative(const Object& parent, const char* key, const std::string& parent_path, Reporter& r);
// A DNS-1123 label / subdomain valued field, if set.
void CheckDnsLabelField(const Object& parent, const char* key, const std::string& parent_path, Reporter& r);
void CheckDnsSubdomainField(const Object& parent, const char* key, const std::string& parent_path, Reporter& r);

}  // namespace moor::manifests::internal
