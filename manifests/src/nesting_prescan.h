#pragma once

#include <string_view>

namespace moor::manifests::internal {

struct NestingViolation {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

// A quick scan over YAML/JSON text, run before the YAML parser so that hostile nesting
// (e.g. a megabyte of '[') is refused before any recursive descent starts. It counts flow
// brackets outside quotes, comments and block scalars, plus block indentation levels.
// The estimate never exceeds the real nesting of well-formed YAML by more than a level
// for multi-line plain scalars, so valid manifests well under max_depth always pass; the
// parser checks the exact depth again while building. Returns true (and where) when the
// estimate passes max_depth.
bool ExceedsNesting(std::string_view text, int max_depth, NestingViolation* where);

}  // namespace moor::manifests::internal
