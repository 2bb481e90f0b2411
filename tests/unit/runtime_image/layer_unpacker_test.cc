// UnpackLayer on tars built here with libarchive: whiteouts, hardlinks, owners, devices and
// path traversal. Needs root (owners, device nodes, trusted.* xattrs), like the real thing.
#include "moor/runtime/image/layer_unpacker.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "moor/testing/temp_dir.h"

namespace moor::runtime {
namespace {

using moor::testing::TempDir;

struct Entry {
  std::string path = "";
  mode_t type = AE_IFREG;
  std::string content = "";    // file data, or the symlink / hardlink target
  mode_t mode = 0644;
  int uid = 0;
  int gid = 0;
  bool hardlink = false;
};

// Writes `entries` as a tar (gzip-compressed when `gzip`) to `path`.
void WriteTar(const std::filesystem::path& path, const std::vector<Entry>& entries, bool gzip = true) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (gzip) archive_write_add_filter_gzip(a);
  ASSERT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
  for (const Entry& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.path.c_str());
    archive_entry_set_uid(entry, e.uid);
    archive_entry_set_gid(entry, e.gid);
    archive_entry_set_mtime(entry, 1700000000, 0);
    if (e.hardlink) {
      archive_entry_set_hardlink(entry, e.content.c_str());
      archive_entry_set_size(entry, 0);
    } else {
      archive_entry_set_filetype(entry, e.type);
      archive_entry_set_perm(entry, e.mode);
      if (e.type == AE_IFLNK) archive_entry_set_symlink(entry, e.content.c_str());
      if (e.type == AE_IFCHR) archive_entry_set_rdev(entry, makedev(1, 3));
      archive_entry_set_size(entry, e.type == AE_IFREG ? static_cast<la_int64_t>(e.content.size()) : 0);
    }
    ASSERT_EQ(archive_write_header(a, entry), ARCHIVE_OK) << archive_error_string(a);
    if (!e.hardlink && e.type == AE_IFREG && !e.content.empty()) {
      archive_write_data(a, e.content.data(), e.content.size());
    }
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
}

std::string Read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ImageLayerUnpackerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "layer unpacking tests need root (owners, device nodes, trusted.* xattrs)";
    std::filesystem::create_directories(layer_);
  }
  TempDir tmp_{"layer"};
  std::filesystem::path tar_ = tmp_ / "layer.tar.gz";
  std::filesystem::path layer_ = tmp_ / "layer";
};

TEST_F(ImageLayerUnpackerTest, PreservesOwnersModesLinksAndDevices) {
  WriteTar(tar_, {
                     {.path = "bin/", .type = AE_IFDIR, .mode = 0755},
                     {.path = "bin/busybox", .content = "#!binary", .mode = 04755},
                     {.path = "bin/sh", .type = AE_IFLNK, .content = "busybox"},
                     {.path = "bin/ash", .content = "bin/busybox", .hardlink = true},
                     {.path = "/etc/passwd", .content = "root:x:0:0::/root:/bin/sh\n"},
                     {.path = "./home/user/", .type = AE_IFDIR, .mode = 0700, .uid = 1000, .gid = 1001},
                     {.path = "home/user/notes", .content = "hi", .mode = 0600, .uid = 1000, .gid = 1001},
                     {.path = "dev/null", .type = AE_IFCHR, .mode = 0666},
                     {.path = "a/b/../c", .content = "c"},
                 });
  ASSERT_TRUE(UnpackLayer(tar_, layer_).ok());

  struct stat st;
  ASSERT_EQ(::lstat((layer_ / "bin/busybox").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  EXPECT_EQ(Read(layer_ / "bin/busybox"), "#!binary");
  EXPECT_EQ(std::filesystem::read_symlink(layer_ / "bin/sh"), "busybox");
  struct stat link;
  ASSERT_EQ(::lstat((layer_ / "bin/ash").c_str(), &link), 0);
  EXPECT_EQ(link.st_ino, st.st_ino);  // a hardlink, not a copy
  EXPECT_EQ(Read(layer_ / "etc/passwd"), "root:x:0:0::/root:/bin/sh\n");  // absolute names stay inside
  ASSERT_EQ(::lstat((layer_ / "home/user").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 1001u);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(::lstat((layer_ / "home/user/notes").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1000u);
  ASSERT_EQ(::lstat((layer_ / "dev/null").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(1, 3));
  EXPECT_EQ(Read(layer_ / "a/c"), "c");
}

TEST_F(ImageLayerUnpackerTest, WhiteoutsBecomeOverlayfsWhiteouts) {
  WriteTar(tar_, {
                     {.path = "etc/", .type = AE_IFDIR, .mode = 0755},
                     {.path = "etc/.wh.removed.conf", .content = ""},
                     {.path = "var/lib/.wh.gone", .content = ""},  // parent not in the layer
                     {.path = "opt/", .type = AE_IFDIR, .mode = 0755},
                     {.path = "opt/.wh..wh..opq", .content = ""},
                     {.path = "opt/kept", .content = "k"},
                     {.path = ".wh..wh.plnk/", .type = AE_IFDIR, .mode = 0700},  // aufs metadata: dropped
                     {.path = "srv/keep", .content = "mine"},
                     {.path = "srv/.wh.keep", .content = ""},  // the layer's own entry is not hidden
                 },
           /*gzip=*/false);
  ASSERT_TRUE(UnpackLayer(tar_, layer_).ok());

  for (const char* rel : {"etc/removed.conf", "var/lib/gone"}) {
    struct stat st;
    ASSERT_EQ(::lstat((layer_ / rel).c_str(), &st), 0) << rel;
    EXPECT_TRUE(S_ISCHR(st.st_mode)) << rel;
    EXPECT_EQ(st.st_rdev, makedev(0, 0)) << rel;
    EXPECT_EQ(st.st_uid, 0u);
    EXPECT_EQ(st.st_gid, 0u);
  }
  EXPECT_FALSE(std::filesystem::exists(layer_ / "etc/.wh.removed.conf"));
  char value[8] = {};
  ASSERT_EQ(::lgetxattr((layer_ / "opt").c_str(), "trusted.overlay.opaque", value, sizeof(value)), 1);
  EXPECT_EQ(value[0], 'y');
  EXPECT_EQ(Read(layer_ / "opt/kept"), "k");
  EXPECT_FALSE(std::filesystem::exists(layer_ / "opt/.wh..wh..opq"));
  EXPECT_FALSE(std::filesystem::exists(layer_ / ".wh..wh.plnk"));
  EXPECT_EQ(Read(layer_ / "srv/keep"), "mine");
}

TEST_F(ImageLayerUnpackerTest, RejectsPathTraversal) {
  struct Case {
    std::vector<Entry> entries;
    std::string names;  // in the error
  };
  std::vector<Case> cases = {
      {{{.path = "../escaped", .content = "x"}}, "../escaped"},
      {{{.path = "a/../../escaped", .content = "x"}}, "a/../../escaped"},
      {{{.path = "/../escaped", .content = "x"}}, "/../escaped"},
      {{{.path = "ok", .content = "x"}, {.path = "link", .content = "../escaped", .hardlink = true}}, "link"},
      // A symlink out of the layer, then a file written through it.
      {{{.path = "out", .type = AE_IFLNK, .content = (tmp_ / "outside").string()},
        {.path = "out/escaped", .content = "x"}},
       "out/escaped"},
      // A hardlink to a host file reached through such a symlink.
      {{{.path = "out", .type = AE_IFLNK, .content = (tmp_ / "outside").string()},
        {.path = "escaped", .content = "out/secret", .hardlink = true}},
       "escaped"},
      // A whiteout through the same kind of symlink.
      {{{.path = "out", .type = AE_IFLNK, .content = (tmp_ / "outside").string()}, {.path = "out/.wh.escaped"}},
       "out/escaped"},
  };
  std::filesystem::create_directories(tmp_ / "outside");
  moor::testing::WriteFile(tmp_ / "outside/secret", "host file");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    std::filesystem::path dir = tmp_ / ("layer" + std::to_string(i));
    std::filesystem::create_directories(dir);
    WriteTar(tar_, cases[i].entries);
    Status s = UnpackLayer(tar_, dir);
    ASSERT_FALSE(s.ok()) << "case " << i;
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
    EXPECT_NE(s.message().find(cases[i].names), std::string::npos) << s.ToString();
    EXPECT_FALSE(std::filesystem::exists(tmp_ / "escaped")) << "case " << i;
    EXPECT_FALSE(std::filesystem::exists(tmp_ / "outside/escaped")) << "case " << i;
    EXPECT_FALSE(std::filesystem::exists(dir / "escaped")) << "case " << i;
    EXPECT_EQ(std::filesystem::hard_link_count(tmp_ / "outside/secret"), 1u) << "case " << i;
  }
}

TEST(ImageCleanEntryPathTest, Table) {
  struct Case {
    std::string in;
    std::optional<std::string> out;
  };
  for (const Case& c : std::vector<Case>{{"a/b", "a/b"},
                                         {"./a//b/", "a/b"},
                                         {"/etc/passwd", "etc/passwd"},
                                         {".", ""},
                                         {"./", ""},
                                         {"a/b/../c", "a/c"},
                                         {"a/..", ""},
                                         {"..", std::nullopt},
                                         {"../a", std::nullopt},
                                         {"a/../../b", std::nullopt},
                                         {"/../a", std::nullopt},
                                         {"..a/b..", "..a/b.."}}) {
    EXPECT_EQ(CleanEntryPath(c.in), c.out) << c.in;
  }
}

TEST(ImageLayerUnpackerErrorTest, NotAnArchive) {
  TempDir tmp("layer-bad");
  moor::testing::WriteFile(tmp / "junk", std::string(1000, 'j'));
  std::filesystem::create_directories(tmp / "out");
  Status s = UnpackLayer(tmp / "junk", tmp / "out");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
}

}  // namespace
}  // namespace moor::runtime
