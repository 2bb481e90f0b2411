#pragma once

#include <string>

#include "verbs.h"

namespace CLI {
class App;
}

namespace moor::cli {

// `moor completion bash`: prints a bash completion script for `app`'s whole verb tree.
void AddCompletionVerb(CLI::App& app, GlobalOptions& global, int& exit_code);

// The bash completion script for `root` (its verbs, their sub-verbs and every flag), generated
// from the CLI11 tree so it never drifts from the real command line. Flags that take a value
// complete file names; so do positional arguments.
std::string BashCompletionScript(const CLI::App& root);

}  // namespace moor::cli
