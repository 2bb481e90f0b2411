#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "moor/common/command.h"
#include "netns_host.h"

namespace moor::runtime::testing {

// A CommandRunner and NetnsHost that plays the host for CniNetwork unit tests and records every
// invocation:
//   NetnsHost Create / Remove       a set of namespace paths, recorded as the calls
//                                   "netns create PATH [shared]" / "netns remove PATH"
//   ip -4 -j route show exact CIDR  / ip -4 route add|del unreachable CIDR metric M
//                                   a route table (Routes())
//   <cni_bin_dir>/bridge ADD        allocates 10.42.0.2, .3, ... and prints a CNI 1.0.0 result
//   <cni_bin_dir>/portmap ADD       prints its prevResult
//   <cni_bin_dir>/loopback ADD      prints a result for lo
//   any plugin DEL                  succeeds, prints nothing
//   nft -f -                        a script "table ip T {}\ndelete table ip T\n[table ip T {...}]":
//                                   the table's last definition (Tables()), or none
//   iptables -w 5 -C|-I|-D FORWARD    a FORWARD chain (ForwardRules(): the rules' match parts)
// FailNext(program, result) makes the next call of `program` ("portmap", "ip", ...) return
// `result` instead. Thread-safe.
class FakeHost final : public CommandRunner, public NetnsHost {
 public:
  struct Call {
    std::vector<std::string> argv;
    std::map<std::string, std::string> env;
    std::string input;
    std::string Program() const;   // basename of argv[0]
    std::string Summary() const;   // "bridge ADD eth0" for plugins, the joined argv otherwise
    nlohmann::json Stdin() const { return nlohmann::json::parse(input); }
  };

  StatusOr<CommandResult> Run(const CommandSpec& spec) override;
  bool IsMounted(const std::string& path) override { return IsNetns(path); }
  Status Create(const std::string& path, bool make_dir_shared) override;
  Status Remove(const std::string& path) override;

  void FailNext(const std::string& program, CommandResult result);
  void AddRoute(const nlohmann::json& route);  // as `ip -j` prints it: {"type","dst","metric",...}

  bool IsNetns(const std::string& path) const;
  std::vector<Call> Calls() const;
  std::vector<std::string> Summaries() const;
  void ClearCalls();
  nlohmann::json Routes() const;
  std::set<std::string> Netns() const;
  std::map<std::string, std::string> Tables() const;  // nftables table name -> the script defining it
  std::vector<std::string> ForwardRules() const;      // "-s 10.42.0.0/24 -m comment ... -j ACCEPT", first first

 private:
  CommandResult Handle(const Call& call);
  CommandResult Ip(const std::vector<std::string>& argv);
  CommandResult Plugin(const Call& call);
  CommandResult Nft(const Call& call);
  CommandResult Iptables(const std::vector<std::string>& argv);

  mutable std::mutex mu_;
  std::vector<Call> calls_;
  std::map<std::string, std::vector<CommandResult>> failures_;
  std::set<std::string> netns_;  // paths
  nlohmann::json routes_ = nlohmann::json::array();
  std::map<std::string, std::string> tables_;
  std::vector<std::string> forward_;
  int next_host_ = 2;
};

}  // namespace moor::runtime::testing
