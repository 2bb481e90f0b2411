#pragma once

#include <string>

#include "moor/common/command.h"
#include "moor/common/status.h"

namespace moor::netproxy::dns {

// The kernel delivers packets for an address to local sockets only if a `local` route says so.
// The cluster DNS address is on no interface, so the server adds
//   ip route replace local <ip>/32 dev lo table local
// (idempotent) in the caller's network namespace. kUnavailable with ip's error otherwise.
Status AddLocalRoute(CommandRunner& runner, const std::string& ip);

// Deletes that route; succeeds when it is already gone.
Status RemoveLocalRoute(CommandRunner& runner, const std::string& ip);

}  // namespace moor::netproxy::dns
