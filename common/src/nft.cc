#include "moor/common/nft.h"

namespace moor {

std::string NftReplaceTablePrefix(const std::string& table) {
  return "table ip " + table + " {}\ndelete table ip " + table + "\n";
}

Status RunNftScript(CommandRunner& runner, const std::string& table, const std::string& script) {
  CommandSpec spec;
  spec.argv = {"nft", "-f", "-"};
  spec.input = script;
  spec.timeout = std::chrono::seconds(60);
  auto ran = RunChecked(runner, spec);
  if (!ran.ok()) return ran.status().WithContext("programming nftables table ip " + table);
  return Status::Ok();
}

}  // namespace moor
