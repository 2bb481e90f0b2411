#pragma once

#include <string>

#include "moor/common/command.h"
#include "moor/common/status.h"

namespace moor {

// The start of an `nft -f` script that owns table `ip <table>` whole: it makes the table if it
// is missing and deletes it, so that what follows defines it from scratch, in the same
// transaction. On its own it deletes the table (missing or not).
std::string NftReplaceTablePrefix(const std::string& table);

// Runs `script` with `nft -f -` (one transaction) through `runner`; kUnavailable naming
// `table ip <table>` and nft's first line of stderr when nft fails.
Status RunNftScript(CommandRunner& runner, const std::string& table, const std::string& script);

}  // namespace moor
