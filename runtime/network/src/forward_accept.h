#pragma once

#include <string>
#include <vector>

#include "moor/common/command.h"
#include "moor/common/status.h"

namespace moor::runtime {

// Pod traffic through a host firewall that drops forwarded packets. Docker sets the iptables
// FORWARD policy to DROP, and with br_netfilter loaded even traffic between two pods on the
// bridge passes FORWARD; an accept in an nftables table of moor's own cannot overrule a drop in
// another table. So, as flannel does, two rules at the top of the filter table's FORWARD chain
// accept what comes from and what goes to the pod subnet. `iptables` is whichever backend the
// host has chosen (nf_tables or legacy), the one Docker wrote its rules with. Both rules carry
// `comment`, so that exactly moor's rules are checked, and removed.
struct ForwardAcceptRule {
  std::string comment;     // "moor <name_prefix> pods"
  std::string pod_subnet;  // "10.42.0.0/24"
};

// The iptables argv of both rules for `action`: "-C" (check), "-I" (insert at the top) or "-D".
std::vector<std::vector<std::string>> ForwardAcceptArgv(const ForwardAcceptRule& rule, const std::string& action);

// Inserts each rule that is not there yet. kUnavailable with iptables' message if it fails.
Status EnsureForwardAccept(CommandRunner& runner, const ForwardAcceptRule& rule);

// Deletes both rules (every copy); ok when none is left, also when there was none.
Status RemoveForwardAccept(CommandRunner& runner, const ForwardAcceptRule& rule);

}  // namespace moor::runtime
