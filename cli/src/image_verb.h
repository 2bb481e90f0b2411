#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "moor/api/node_services.h"
#include "verbs.h"

namespace moor::cli {

// `moor image ls | pull REF | rm REF... | import FILE | prune`: this node's images.
void AddImageVerb(CLI::App& app, GlobalOptions& global, int& exit_code);

// Sizes as crictl prints them (go-units HumanSizeWithPrecision(size, 3)): "70.5MB", "4.3kB".
std::string HumanSize(int64_t bytes);

// The `moor image ls` table, like `crictl images`: IMAGE TAG IMAGE ID SIZE, one row per
// reference (digest references get TAG "<none>"; an image without references one row of
// "<none>"), ids without "sha256:" cut to 13 characters, rows sorted by image and tag,
// columns at least 20 wide and 3 apart.
std::string FormatImageTable(const std::vector<api::ImageSummary>& images);

}  // namespace moor::cli
