#include "forward_accept.h"

#include "argv_command.h"

namespace moor::runtime {
namespace {

// iptables -C answers 1 when the rule is not there ("does a matching rule exist in that
// chain?"); other codes are errors (2: bad arguments, 4: resource problem such as the lock).
constexpr int kRuleMissing = 1;

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

Status IptablesFailed(const std::vector<std::string>& argv, const CommandResult& r) {
  std::string line;
  for (const std::string& a : argv) line += (line.empty() ? "" : " ") + a;
  return UnavailableError(line + " failed (exit " + std::to_string(r.exit_code) + "): " + Trimmed(r.err));
}

// True if the rule of `check` (a -C argv) exists.
StatusOr<bool> Exists(CommandRunner& runner, const std::vector<std::string>& check) {
  MOOR_ASSIGN_OR_RETURN(CommandResult r, runner.Run(ArgvCommand(check)));
  if (r.exit_code == 0) return true;
  if (r.exit_code == kRuleMissing) return false;
  return IptablesFailed(check, r);
}

}  // namespace

std::vector<std::vector<std::string>> ForwardAcceptArgv(const ForwardAcceptRule& rule, const std::string& action) {
  std::vector<std::vector<std::string>> out;
  for (const char* direction : {"-s", "-d"}) {
    std::vector<std::string> argv = {"iptables", "-w", "5", action, "FORWARD"};
    if (action == "-I") argv.push_back("1");
    for (const char* part : {direction, rule.pod_subnet.c_str(), "-m", "comment", "--comment", rule.comment.c_str(),
                             "-j", "ACCEPT"}) {
      argv.emplace_back(part);
    }
    out.push_back(std::move(argv));
  }
  return out;
}

Status EnsureForwardAccept(CommandRunner& runner, const ForwardAcceptRule& rule) {
  auto checks = ForwardAcceptArgv(rule, "-C");
  auto inserts = ForwardAcceptArgv(rule, "-I");
  for (size_t i = 0; i < checks.size(); ++i) {
    MOOR_ASSIGN_OR_RETURN(bool present, Exists(runner, checks[i]));
    if (present) continue;
    MOOR_ASSIGN_OR_RETURN(CommandResult r, runner.Run(ArgvCommand(inserts[i])));
    if (r.exit_code != 0) return IptablesFailed(inserts[i], r);
  }
  return Status::Ok();
}

Status RemoveForwardAccept(CommandRunner& runner, const ForwardAcceptRule& rule) {
  auto checks = ForwardAcceptArgv(rule, "-C");
  auto deletes = ForwardAcceptArgv(rule, "-D");
  for (size_t i = 0; i < checks.size(); ++i) {
    // Every copy (an earlier crash between check and insert could have left two); bounded.
    for (int copies = 0; copies < 16; ++copies) {
      MOOR_ASSIGN_OR_RETURN(bool present, Exists(runner, checks[i]));
      if (!present) break;
      MOOR_ASSIGN_OR_RETURN(CommandResult r, runner.Run(ArgvCommand(deletes[i])));
      if (r.exit_code != 0) return IptablesFailed(deletes[i], r);
    }
  }
  return Status::Ok();
}

}  // namespace moor::runtime
