#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace moor::cli {

// Flags every client verb shares.
struct GlobalOptions {
  std::string kubeconfig;  // --kubeconfig; else $KUBECONFIG; else /var/lib/moor/moor.kubeconfig
};

// Each verb lives in its own file: it declares its flags on `app` and, when run, parses
// nothing else and calls the libraries. `exit_code` receives the process exit status.
using AddVerbFn = void (*)(CLI::App& app, GlobalOptions& global, int& exit_code);

void AddServerVerb(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddGetVerb(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddDescribeVerb(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddApplyVerb(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddDeleteVerb(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddStatusVerb(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddVersionVerb(CLI::App& app, GlobalOptions& global, int& exit_code);

// The table of verbs, in the order `moor --help` lists them.
inline const std::vector<AddVerbFn>& Verbs() {
  static const std::vector<AddVerbFn> kVerbs = {AddServerVerb, AddGetVerb,    AddDescribeVerb, AddApplyVerb,
                                                AddDeleteVerb, AddStatusVerb, AddVersionVerb};
  return kVerbs;
}

}  // namespace moor::cli
