#pragma once

#include <memory>
#include <string>

#include "moor/api/client.h"
#include "moor/common/status.h"
#include "verbs.h"

namespace moor::cli {

// Where client verbs look for the server: --kubeconfig, else the first file in $KUBECONFIG,
// else /var/lib/moor/moor.kubeconfig (written by `moor server` at first start).
std::string ResolveKubeconfigPath(const GlobalOptions& global);

// Connects to the server named in the resolved kubeconfig. Errors say which file was used.
StatusOr<std::unique_ptr<api::ApiClient>> ConnectClient(const GlobalOptions& global);

// Prints "error: <message>" to stderr the way kubectl does and returns 1.
int ReportError(const Status& status);

// Prints a failed request as kubectl does: "Error from server (NotFound): <context><message>".
void PrintServerError(const Status& status, const std::string& context = "");

}  // namespace moor::cli
