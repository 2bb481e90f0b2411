#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "moor/common/status.h"

namespace moor::netproxy::dns {

// Domain names are kept in presentation form without the trailing dot:
// "web.default.svc.cluster.local"; "" is the root. A label byte that is '.', '\\' or not
// printable ASCII is escaped as in master files ("\." , "\\", "\DDD"), so every wire name has
// exactly one presentation form and back.

// The raw labels of a presentation-form name. kInvalidArgument for an empty label ("a..b"),
// a label over 63 bytes, a name over 255 wire bytes, or a bad escape.
StatusOr<std::vector<std::string>> NameToLabels(std::string_view name);

// The presentation form of raw labels (escaping as above).
std::string LabelsToName(const std::vector<std::string>& labels);

// ASCII lower case (DNS names compare case-insensitively, RFC 4343).
std::string LowerAscii(std::string_view text);

}  // namespace moor::netproxy::dns
