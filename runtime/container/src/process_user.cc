#include "moor/runtime/process_user.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <vector>

namespace moor::runtime {
namespace {

struct PasswdEntry {
  std::string name;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
};

struct GroupEntry {
  std::string name;
  std::uint32_t gid = 0;
  std::vector<std::string> members;
};

std::optional<std::uint32_t> ParseId(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t end = text.find(sep, start);
    out.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  for (auto line : Split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    out.push_back(line);
  }
  return out;
}

// name:password:uid:gid:gecos:home:shell; malformed lines are skipped as libc does.
std::vector<PasswdEntry> ParsePasswd(std::string_view text) {
  std::vector<PasswdEntry> out;
  for (auto line : Lines(text)) {
    auto f = Split(line, ':');
    if (f.size() < 4) continue;
    auto uid = ParseId(f[2]);
    auto gid = ParseId(f[3]);
    if (!uid || !gid || f[0].empty()) continue;
    out.push_back({std::string(f[0]), *uid, *gid});
  }
  return out;
}

// name:password:gid:member,member
std::vector<GroupEntry> ParseGroup(std::string_view text) {
  std::vector<GroupEntry> out;
  for (auto line : Lines(text)) {
    auto f = Split(line, ':');
    if (f.size() < 3) continue;
    auto gid = ParseId(f[2]);
    if (!gid || f[0].empty()) continue;
    GroupEntry g{std::string(f[0]), *gid, {}};
    if (f.size() >= 4 && !f[3].empty()) {
      for (auto m : Split(f[3], ',')) {
        if (!m.empty()) g.members.emplace_back(m);
      }
    }
    out.push_back(std::move(g));
  }
  return out;
}

const PasswdEntry* FindUserByUid(const std::vector<PasswdEntry>& users, std::uint32_t uid) {
  for (const auto& u : users) {
    if (u.uid == uid) return &u;
  }
  return nullptr;
}

const PasswdEntry* FindUserByName(const std::vector<PasswdEntry>& users, std::string_view name) {
  for (const auto& u : users) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

// Reads `rel` (e.g. "etc/passwd") inside `root_fd`, resolving symlinks and ".." as if `root_fd`
// were "/". Missing: "".
StatusOr<std::string> ReadInRoot(int root_fd, const std::string& rootfs, const char* rel) {
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  int fd = static_cast<int>(::syscall(SYS_openat2, root_fd, rel, &how, sizeof(how)));
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::string();
    return UnavailableError("open " + rootfs + "/" + rel + ": " + std::strerror(errno));
  }
  constexpr std::size_t kLimit = 4 << 20;
  std::string out;
  char buf[16384];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = UnavailableError("read " + rootfs + "/" + rel + ": " + std::strerror(errno));
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > kLimit) {
      ::close(fd);
      return ResourceExhaustedError(rootfs + "/" + rel + " is larger than 4 MiB");
    }
  }
  ::close(fd);
  return out;
}

}  // namespace

StatusOr<ProcessUser> ResolveProcessUser(const SecurityOptions& security, std::string_view image_user,
                                         std::string_view passwd, std::string_view group) {
  const auto users = ParsePasswd(passwd);
  const auto groups = ParseGroup(group);
  ProcessUser out;
  const PasswdEntry* entry = nullptr;
  std::optional<std::uint32_t> gid_from_user_string;

  if (security.run_as_user) {
    out.uid = *security.run_as_user;
    entry = FindUserByUid(users, out.uid);
  } else {
    std::string_view user_part = image_user;
    std::optional<std::string_view> group_part;
    if (auto colon = image_user.find(':'); colon != std::string_view::npos) {
      user_part = image_user.substr(0, colon);
      group_part = image_user.substr(colon + 1);
    }
    if (user_part.empty()) {
      out.uid = 0;
      entry = FindUserByUid(users, 0);
    } else if (auto uid = ParseId(user_part)) {
      out.uid = *uid;
      entry = FindUserByUid(users, out.uid);
    } else {
      entry = FindUserByName(users, user_part);
      if (entry == nullptr) {
        return NotFoundError("user \"" + std::string(user_part) + "\" (from the image's User \"" +
                             std::string(image_user) + "\") is not in the image's /etc/passwd");
      }
      out.uid = entry->uid;
    }
    if (group_part && !group_part->empty()) {
      if (auto gid = ParseId(*group_part)) {
        gid_from_user_string = *gid;
      } else {
        auto it = std::find_if(groups.begin(), groups.end(), [&](const GroupEntry& g) { return g.name == *group_part; });
        if (it == groups.end()) {
          return NotFoundError("group \"" + std::string(*group_part) + "\" (from the image's User \"" +
                               std::string(image_user) + "\") is not in the image's /etc/group");
        }
        gid_from_user_string = it->gid;
      }
    }
  }

  if (security.run_as_group) out.gid = *security.run_as_group;
  else if (gid_from_user_string) out.gid = *gid_from_user_string;
  else if (entry != nullptr) out.gid = entry->gid;
  else out.gid = 0;

  auto add_gid = [&](std::uint32_t gid) {
    if (gid == out.gid) return;
    if (std::find(out.additional_gids.begin(), out.additional_gids.end(), gid) != out.additional_gids.end()) return;
    out.additional_gids.push_back(gid);
  };
  if (entry != nullptr) {
    for (const auto& g : groups) {
      if (std::find(g.members.begin(), g.members.end(), entry->name) != g.members.end()) add_gid(g.gid);
    }
  }
  for (auto gid : security.supplemental_groups) add_gid(gid);
  return out;
}

StatusOr<ProcessUser> ResolveProcessUserInRootfs(const SecurityOptions& security, std::string_view image_user,
                                                 const std::string& rootfs) {
  int root_fd = ::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) return UnavailableError("open rootfs " + rootfs + ": " + std::strerror(errno));
  auto passwd = ReadInRoot(root_fd, rootfs, "etc/passwd");
  auto group = passwd.ok() ? ReadInRoot(root_fd, rootfs, "etc/group") : passwd;
  ::close(root_fd);
  if (!passwd.ok()) return passwd.status();
  if (!group.ok()) return group.status();
  return ResolveProcessUser(security, image_user, *passwd, *group);
}

}  // namespace moor::runtime
