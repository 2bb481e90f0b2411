#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace moor::manifests::internal {

// Field paths as diagnostics and PositionIndex use them:
//   spec.template.spec.containers[0].ports[0].containerPort
// A map key made only of [A-Za-z0-9_-] is joined with '.'; any other key (label and
// annotation keys such as app.kubernetes.io/name, ConfigMap keys such as game.properties)
// is written in brackets: metadata.labels[app.kubernetes.io/name]. Sequence items are [i].
std::string FieldKey(std::string_view parent, std::string_view key);
std::string FieldIndex(std::string_view parent, std::size_t index);

}  // namespace moor::manifests::internal
