#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace moor::manifests {

// Decodes standard, padded base64 exactly as Go's base64.StdEncoding.DecodeString (which
// Kubernetes uses for Secret data): '\r' and '\n' are skipped, padding is required.
// On success returns the bytes; on failure returns nullopt and sets *bad_offset to the
// input byte Go reports ("illegal base64 data at input byte N").
std::optional<std::string> DecodeBase64(std::string_view in, std::size_t* bad_offset);

}  // namespace moor::manifests
