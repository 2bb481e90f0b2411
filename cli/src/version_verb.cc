// `moor version [--client]`, and `moor --version` (the client version only, as help2man wants).
#include <CLI/CLI.hpp>
#include <iostream>

#include "client_config.h"
#include "verbs.h"

namespace moor::cli {

void AddVersionVerb(CLI::App& app, GlobalOptions& global, int& exit_code) {
  app.set_version_flag("--version", std::string("moor ") + MOOR_VERSION);
  auto client_only = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("version", "Print the client and server versions");
  cmd->add_flag("--client", *client_only, "Client version only");
  cmd->callback([client_only, &global, &exit_code] {
    std::cout << "Client Version: v" << MOOR_VERSION << "\n";
    if (*client_only) return;
    auto client = ConnectClient(global);
    if (!client.ok()) {
      exit_code = ReportError(client.status());
      return;
    }
    auto version = (*client)->Version();
    if (!version.ok()) {
      exit_code = ReportError(version.status());
      return;
    }
    std::cout << "Server Version: " << (*version).value("gitVersion", "") << "\n";
  });
}

}  // namespace moor::cli
