#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace moor::api {

// Standard base64 with padding, as kubeconfig's *-data fields and Secret data use it.
std::string Base64Encode(std::string_view data);
// nullopt if `text` is not valid base64 (whitespace and newlines are ignored).
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace moor::api
