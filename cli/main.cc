// moor: the daemon (`moor server`) and its client verbs. This is the only code that picks
// real implementations; every verb is a short file in src/.
#include <CLI/CLI.hpp>

#include "src/completion_verb.h"
#include "src/exec_verb.h"
#include "src/image_verb.h"
#include "src/logs_verb.h"
#include "src/verbs.h"

int main(int argc, char** argv) {
  CLI::App app{"moor: a declarative GitOps appliance. Kubernetes manifests in a folder or a Git repository, "
               "kept running on this machine."};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every verb");
  moor::cli::GlobalOptions global;
  app.add_option("--kubeconfig", global.kubeconfig,
                 "Client verbs: kubeconfig file to use (default: $KUBECONFIG, else /var/lib/moor/moor.kubeconfig)");
  int exit_code = 0;
  for (moor::cli::AddVerbFn add : moor::cli::Verbs()) add(app, global, exit_code);
  for (moor::cli::AddVerbFn add : {moor::cli::AddLogsVerb, moor::cli::AddExecVerb, moor::cli::AddImageVerb,
                                   moor::cli::AddCompletionVerb}) {
    add(app, global, exit_code);
  }
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
