#pragma once

#include <string>
#include <utility>
#include <vector>

#include "moor/common/command.h"

namespace moor::runtime {

// A CommandSpec that only sets argv (defaults for everything else).
inline CommandSpec ArgvCommand(std::vector<std::string> argv) {
  CommandSpec spec;
  spec.argv = std::move(argv);
  return spec;
}

}  // namespace moor::runtime
