#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "moor/common/clock.h"

namespace moor::cli {

// Renders an object the way `kubectl describe` renders objects it has no special printer for:
// a header (Name, Namespace, Labels, Annotations, CreationTimestamp), then every other field
// as an indented tree with camelCase keys spelled as words, then the object's events
// (a v1 EventList's items), newest last. `now` dates the AGE of events.
std::string Describe(const nlohmann::json& obj, const nlohmann::json& events, WallTime now);

}  // namespace moor::cli
