#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace moor::runtime {

// Standard base64 (RFC 4648 section 4), padding optional on input. nullopt if malformed.
std::optional<std::string> Base64Decode(std::string_view in);

}  // namespace moor::runtime
