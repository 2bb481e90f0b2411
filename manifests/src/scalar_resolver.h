#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace moor::manifests::internal {

// A YAML scalar resolved the way Kubernetes reads manifests (sigs.k8s.io/yaml on top of
// go-yaml v2, i.e. YAML 1.1 rules).
struct ResolvedScalar {
  enum class Type { kNull, kBool, kInt, kUint, kFloat, kString, kError } type = Type::kString;
  bool bool_value = false;
  std::int64_t int_value = 0;
  std::uint64_t uint_value = 0;
  double float_value = 0;
  std::string string_value;  // kString: the text; kError: the message
};

// `tag` is yaml-cpp's: "?" for plain scalars, "!" for quoted and block scalars (always
// strings), or an explicit tag ("tag:yaml.org,2002:int", "!!str", "!custom").
//  - plain: ""/~/null/Null/NULL -> null; y/Y/yes/Yes/YES/on/On/ON/true/True/TRUE and the
//    n/no/off/false forms -> bool; ints with optional sign and '_' (0x hex, 0o and leading-0
//    octal, 0b binary); floats (1e3, .5, 1.5E-3, .inf, -.Inf, .nan); YYYY-MM-DD timestamps
//    -> "YYYY-MM-DDT00:00:00Z" (as the JSON Kubernetes sees); anything else -> string.
//  - explicit !!str/!!int/!!float/!!bool/!!null/!!binary force the type (error if the text
//    does not fit); unknown tags keep the text as a string.
ResolvedScalar ResolveScalar(std::string_view tag, std::string_view text);

}  // namespace moor::manifests::internal
