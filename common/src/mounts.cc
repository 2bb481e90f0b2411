#include "moor/common/mounts.h"

#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "moor/common/files.h"

namespace moor {
namespace {

std::string DecodeMountinfoPath(std::string_view field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() &&
        std::all_of(field.begin() + static_cast<long>(i) + 1, field.begin() + static_cast<long>(i) + 4,
                    [](char c) { return c >= '0' && c <= '7'; })) {
      out += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0'));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

std::string TrimSlashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

std::vector<std::string> MountPointsUnder(std::string_view mountinfo, const std::string& dir) {
  const std::string base = TrimSlashes(dir);
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < mountinfo.size()) {
    std::size_t end = mountinfo.find('\n', start);
    if (end == std::string_view::npos) end = mountinfo.size();
    std::string_view line = mountinfo.substr(start, end - start);
    start = end + 1;
    // id parent major:minor root mountpoint options ...
    std::string_view field;
    std::size_t pos = 0;
    for (int i = 0; i <= 4 && pos <= line.size(); ++i) {
      std::size_t sp = line.find(' ', pos);
      if (sp == std::string_view::npos) sp = line.size();
      field = i == 4 ? line.substr(pos, sp - pos) : std::string_view();
      pos = sp + 1;
    }
    if (field.empty()) continue;
    std::string point = DecodeMountinfoPath(field);
    if (point == base || (point.size() > base.size() && point.compare(0, base.size(), base) == 0 &&
                          (base == "/" || point[base.size()] == '/'))) {
      if (std::find(out.begin(), out.end(), point) == out.end()) out.push_back(point);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return std::count(a.begin(), a.end(), '/') > std::count(b.begin(), b.end(), '/');
  });
  return out;
}

std::vector<std::string> CurrentMountPointsUnder(const std::string& dir) {
  auto mountinfo = ReadFileLimited("/proc/self/mountinfo", 64 << 20);
  if (!mountinfo.ok()) return {};
  return MountPointsUnder(*mountinfo, dir);
}

Status UnmountAllUnder(const std::string& dir) {
  for (int round = 0; round < 10; ++round) {
    MOOR_ASSIGN_OR_RETURN(std::string mountinfo, ReadFileLimited("/proc/self/mountinfo", 64 << 20));
    auto points = MountPointsUnder(mountinfo, dir);
    if (points.empty()) return Status::Ok();
    for (const auto& p : points) {
      if (::umount2(p.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
        return UnavailableError("unmount " + p + ": " + std::strerror(errno));
      }
    }
  }
  return UnavailableError("mounts below " + dir + " keep reappearing after 10 rounds of unmounting");
}

}  // namespace moor
