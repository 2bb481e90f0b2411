#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace moor::cli {

// Renders JSON as YAML the way `kubectl get -o yaml` does (go-yaml v2 style): keys sorted,
// two-space indent, sequences of a mapping's key not indented, strings double-quoted when they
// would otherwise read as another type ("80", "true", timestamps, ""), single-quoted when they
// start with or hold YAML indicators, and `|`/`|-` blocks for multi-line strings.
std::string ToYaml(const nlohmann::json& value);

}  // namespace moor::cli
