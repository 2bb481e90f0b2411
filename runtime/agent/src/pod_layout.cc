#include "pod_layout.h"

namespace moor::runtime {

std::string PodLayout::SandboxId(const std::string& pod_uid) {
  std::string id;
  for (char c : pod_uid) {
    if (c == '-') continue;
    id += c;
    if (id.size() == 16) break;
  }
  return id;
}

}  // namespace moor::runtime
