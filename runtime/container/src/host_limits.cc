#include "host_limits.h"

#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <string>

#include "moor/common/files.h"

namespace moor::runtime {

namespace {
constexpr std::uint64_t kNofile = 1048576;
constexpr int kCapSysResource = 24;
}  // namespace

std::uint64_t ParseCapabilityMask(std::string_view status, std::string_view key) {
  std::size_t pos = 0;
  while (pos < status.size()) {
    std::size_t end = status.find('\n', pos);
    if (end == std::string_view::npos) end = status.size();
    std::string_view line = status.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ':') continue;
    std::string_view value = line.substr(key.size() + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    std::uint64_t mask = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), mask, 16);
    if (ec == std::errc()) return mask;
  }
  return ~std::uint64_t{0};
}

std::uint64_t ContainerNofileLimit(std::uint64_t effective_caps, std::uint64_t current_hard_limit) {
  if (effective_caps & (std::uint64_t{1} << kCapSysResource)) return kNofile;
  return std::min(kNofile, current_hard_limit);
}

HostLimits DetectHostLimits() {
  HostLimits out;
  auto status = ReadFileLimited("/proc/self/status", 1 << 16);
  std::uint64_t effective = ~std::uint64_t{0};
  if (status.ok()) {
    out.bounding_capabilities = ParseCapabilityMask(*status, "CapBnd");
    effective = ParseCapabilityMask(*status, "CapEff");
  }
  rlimit limit{};
  std::uint64_t hard = kNofile;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_max != RLIM_INFINITY) hard = limit.rlim_max;
  out.nofile_limit = ContainerNofileLimit(effective, hard);
  return out;
}

}  // namespace moor::runtime
