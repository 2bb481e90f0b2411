#pragma once

#include <string>
#include <vector>

#include "moor/common/status.h"
#include "moor/manifests/parse.h"

namespace moor::cli {

// Expands `-f` arguments: a file, "-" (standard input), or a directory (its *.yaml, *.yml,
// *.json files, sorted; with `recursive`, subdirectories too).
StatusOr<std::vector<std::string>> ExpandManifestPaths(const std::vector<std::string>& args, bool recursive);

// Parses and validates one -f file the way the server will, filling in `default_ns` where a
// namespaced object names none. Diagnostics (warnings too) go to stderr. A file with any
// error yields an error status and no documents, so nothing of it is sent.
StatusOr<std::vector<manifests::Document>> LoadForClient(const std::string& path, const std::string& default_ns);

}  // namespace moor::cli
