// RuncRuntime on the real thing: runc, Debian's conmon, overlayfs and cgroups, with a rootfs the
// test builds from busybox-static. Needs root. Every container, mount and cgroup is named with a
// per-run prefix and removed in TearDown, also when a test fails.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <gtest/gtest.h>

#include "moor/common/clock.h"
#include "moor/common/files.h"
#include "moor/runtime/cri_log.h"
#include "moor/runtime/runc_runtime.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace moor::runtime {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

const char kBusybox[] = "/bin/busybox";
const char* const kApplets[] = {"sh",   "sleep", "cat",   "echo",     "id", "ls",   "env", "pwd",    "grep",
                                "dd",   "head",  "touch", "hostname", "ps", "true", "seq", "printf", "tty"};

std::string MissingPrerequisite() {
  if (::geteuid() != 0) return "these tests need root (runc, overlay mounts, cgroups)";
  for (const char* tool : {"runc", "conmon"}) {
    if (testing::RunCommand({"sh", "-c", std::string("command -v ") + tool + " || test -x /usr/sbin/" + tool})
            .exit_code != 0) {
      return std::string(tool) + " is not installed (Debian package " + tool + ")";
    }
  }
  if (::access(kBusybox, X_OK) != 0) return "/bin/busybox is missing (Debian package busybox-static)";
  auto file = testing::RunCommand({"sh", "-c", std::string("ldd ") + kBusybox + " 2>&1 || true"});
  if (file.out.find("not a dynamic executable") == std::string::npos) {
    return "/bin/busybox is not static (install busybox-static, not busybox)";
  }
  return "";
}

// A single-layer image: busybox and its applets, /etc/passwd with root and app (1000).
void BuildBusyboxLayer(const fs::path& layer) {
  fs::create_directories(layer / "bin");
  for (const char* d : {"proc", "sys", "dev", "tmp", "etc", "root"}) fs::create_directories(layer / d);
  fs::permissions(layer / "tmp", fs::perms::all | fs::perms::sticky_bit);
  fs::copy_file(kBusybox, layer / "bin/busybox");
  for (const char* applet : kApplets) fs::create_symlink("busybox", layer / "bin" / applet);
  testing::WriteFile(layer / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/tmp:/bin/sh\n");
  testing::WriteFile(layer / "etc/group", "root:x:0:\napp:x:1000:\n");
}

std::string RuncState(const std::string& runc_root, const std::string& id) {
  auto r = testing::RunCommand({"runc", "--root", runc_root, "state", id});
  return r.exit_code == 0 ? r.out : "";
}

class RuncRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing = MissingPrerequisite();
    ASSERT_TRUE(missing.empty()) << missing;
    prefix_ = "moortest-" + RandomHex(4);
    BuildBusyboxLayer(dir_ / "layer");
    options_.state_dir = (dir_ / "state").string();
    options_.runc_root = (dir_ / "runc").string();
    options_.cgroup_parent = prefix_;
    NewRuntime();
  }

  void NewRuntime() {
    auto rt = CreateRuncRuntime(options_);
    ASSERT_TRUE(rt.ok()) << rt.status().ToString();
    runtime_ = std::move(rt).value();
  }

  void TearDown() override {
    if (options_.state_dir.empty()) return;  // SetUp stopped before creating anything
    if (runtime_ == nullptr) NewRuntime();
    if (runtime_ != nullptr) {
      auto all = runtime_->List();
      if (all.ok()) {
        for (const auto& c : *all) EXPECT_TRUE(runtime_->Remove(c.id).ok()) << c.id;
      }
      for (const auto& id : ids_) EXPECT_TRUE(runtime_->Remove(id).ok()) << id;
    }
    // Belt and braces: nothing of ours may outlive the test.
    testing::RunCommand({"sh", "-c", "for id in $(runc --root " + options_.runc_root +
                                         " list -q 2>/dev/null); do runc --root " + options_.runc_root +
                                         " delete --force $id; done"});
    testing::RunCommand({"sh", "-c", "grep -o ' " + dir_.path().string() + "[^ ]*' /proc/self/mountinfo | sort -r | "
                                     "while read m; do umount -l $m; done"});
    if (!prefix_.empty()) {
      testing::RunCommand({"sh", "-c", "for d in /sys/fs/cgroup/*/" + prefix_ + " /sys/fs/cgroup/" + prefix_ +
                                           "; do [ -d $d ] && find $d -depth -type d -exec rmdir {} \\; ; done; true"});
    }
  }

  ContainerSpec Spec(const std::string& name, std::vector<std::string> args) {
    ContainerSpec spec;
    spec.id = prefix_ + "-" + name;
    spec.name = name;
    spec.labels = {{"test", prefix_}, {"name", name}};
    spec.rootfs_layers = {(dir_ / "layer").string()};
    spec.args = std::move(args);
    spec.hostname = "h-" + name;
    spec.log_path = (dir_ / "logs" / (name + ".log")).string();
    ids_.push_back(spec.id);
    return spec;
  }

  StatusOr<ContainerInfo> WaitForExit(const std::string& id) {
    StatusOr<ContainerInfo> info = NotFoundError(id);
    testing::WaitFor(
        [&] {
          info = runtime_->Inspect(id);
          return !info.ok() || info->state == ContainerState::kExited || info->state == ContainerState::kUnknown;
        },
        seconds(30));
    return info;
  }

  // Creates, starts and waits for the container; returns its exit info and stdout+stderr.
  ContainerInfo RunToExit(const ContainerSpec& spec, std::string* output) {
    Status created = runtime_->Create(spec);
    EXPECT_TRUE(created.ok()) << created.ToString();
    Status started = runtime_->Start(spec.id);
    EXPECT_TRUE(started.ok()) << started.ToString();
    auto info = WaitForExit(spec.id);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    if (!info.ok()) return {};
    EXPECT_EQ(info->state, ContainerState::kExited);
    if (output != nullptr) {
      output->clear();
      Status read = ReadCriLog(spec.log_path, {}, [&](std::string_view line) {
        output->append(line);
        return true;
      });
      EXPECT_TRUE(read.ok()) << read.ToString();
    }
    return *info;
  }

  std::vector<std::string> MountsUnderStateDir() {
    auto mountinfo = ReadFileLimited("/proc/self/mountinfo", 64 << 20);
    std::vector<std::string> out;
    std::istringstream in(*mountinfo);
    std::string line;
    while (std::getline(in, line)) {
      if (line.find(" " + options_.state_dir) != std::string::npos) out.push_back(line);
    }
    return out;
  }

  testing::TempDir dir_{"runc"};
  std::string prefix_;
  RuncRuntimeOptions options_;
  std::unique_ptr<ContainerRuntime> runtime_;
  std::vector<std::string> ids_;
};

TEST_F(RuncRuntimeTest, ExitCodeTimestampsAndCriLogs) {
  auto spec = Spec("exit3", {"sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(runtime_->Create(spec).ok());
  auto created = runtime_->Inspect(spec.id);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->state, ContainerState::kCreated);
  EXPECT_EQ(created->labels.at("name"), "exit3");
  EXPECT_EQ(created->log_path, spec.log_path);
  ASSERT_TRUE(runtime_->Start(spec.id).ok());
  auto info = WaitForExit(spec.id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state, ContainerState::kExited);
  EXPECT_EQ(info->exit_code, 3);
  EXPECT_FALSE(info->oom_killed);
  auto created_at = ParseRfc3339(info->created_at);
  auto started_at = ParseRfc3339(info->started_at);
  auto finished_at = ParseRfc3339(info->finished_at);
  ASSERT_TRUE(created_at.ok() && started_at.ok() && finished_at.ok())
      << info->created_at << " " << info->started_at << " " << info->finished_at;
  EXPECT_LE(*created_at, *started_at);
  EXPECT_LE(*started_at, *finished_at);

  // The raw file is in the CRI format, one entry per line.
  auto raw = ReadFileLimited(spec.log_path, 1 << 20);
  ASSERT_TRUE(raw.ok());
  std::istringstream in(*raw);
  std::string line;
  std::map<std::string, std::string> by_stream;
  while (std::getline(in, line)) {
    auto entry = ParseCriLogLine(line);
    ASSERT_TRUE(entry.has_value()) << line;
    EXPECT_FALSE(entry->partial);
    EXPECT_TRUE(ParseRfc3339(entry->timestamp).ok()) << entry->timestamp;
    by_stream[entry->stream] += entry->message;
  }
  EXPECT_EQ(by_stream["stdout"], "out");
  EXPECT_EQ(by_stream["stderr"], "err");

  EXPECT_TRUE(runtime_->Kill(spec.id, SIGKILL).ok());  // exited: still fine
  ASSERT_TRUE(runtime_->Remove(spec.id).ok());
  EXPECT_EQ(runtime_->Inspect(spec.id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(fs::exists(spec.log_path)) << "the log stays for the caller to remove";
  EXPECT_TRUE(runtime_->Remove(spec.id).ok());  // idempotent
}

TEST_F(RuncRuntimeTest, ContainerOutlivesRuntimeAndIsAdoptedThenRemovedCompletely) {
  auto spec = Spec("sleeper", {"sleep", "1000"});
  ASSERT_TRUE(runtime_->Create(spec).ok());
  ASSERT_TRUE(runtime_->Start(spec.id).ok());
  auto before = runtime_->Inspect(spec.id);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->state, ContainerState::kRunning);
  ASSERT_GT(before->pid, 0);
  runtime_.reset();  // the daemon goes away

  EXPECT_EQ(::kill(before->pid, 0), 0) << "the container died with the runtime object";
  NewRuntime();
  auto all = runtime_->List();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 1u);
  const ContainerInfo& adopted = all->front();
  EXPECT_EQ(adopted.id, spec.id);
  EXPECT_EQ(adopted.state, ContainerState::kRunning);
  EXPECT_EQ(adopted.pid, before->pid);
  EXPECT_EQ(adopted.labels, spec.labels);
  EXPECT_EQ(adopted.started_at, before->started_at);

  ASSERT_FALSE(MountsUnderStateDir().empty()) << "the rootfs should be mounted while it runs";
  std::vector<std::string> cgroup_dirs;
  for (const auto& h : fs::directory_iterator("/sys/fs/cgroup")) {
    fs::path d = h.path() / prefix_ / spec.id;
    if (fs::exists(d)) cgroup_dirs.push_back(d.string());
  }
  ASSERT_FALSE(cgroup_dirs.empty()) << "runc made no cgroup under " << prefix_;

  ASSERT_TRUE(runtime_->Remove(spec.id).ok());
  EXPECT_TRUE(testing::WaitFor([&] { return ::kill(before->pid, 0) != 0; }, seconds(10)));
  EXPECT_TRUE(MountsUnderStateDir().empty());
  EXPECT_EQ(RuncState(options_.runc_root, spec.id), "");
  for (const auto& d : cgroup_dirs) EXPECT_FALSE(fs::exists(d)) << d;
  EXPECT_FALSE(fs::exists(fs::path(options_.state_dir) / spec.id));
  auto after = runtime_->List();
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->empty());
}

TEST_F(RuncRuntimeTest, ExecSeesHostnameFileAndTimesOut) {
  testing::WriteFile(dir_ / "pod/hostname", "h-exec\n");
  auto spec = Spec("exec", {"sleep", "1000"});
  spec.mounts.push_back({"/etc/hostname", (dir_ / "pod/hostname").string(), "bind", true, {}});
  ASSERT_TRUE(runtime_->Create(spec).ok());
  ASSERT_TRUE(runtime_->Start(spec.id).ok());

  auto cat = runtime_->Exec(spec.id, {"cat", "/etc/hostname"}, seconds(20));
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  EXPECT_EQ(cat->exit_code, 0) << cat->err;
  EXPECT_EQ(cat->out, "h-exec\n");
  auto hostname = runtime_->Exec(spec.id, {"hostname"}, seconds(20));
  ASSERT_TRUE(hostname.ok());
  EXPECT_EQ(hostname->out, "h-exec\n");
  auto failing = runtime_->Exec(spec.id, {"sh", "-c", "echo no >&2; exit 7"}, seconds(20));
  ASSERT_TRUE(failing.ok());
  EXPECT_EQ(failing->exit_code, 7);
  EXPECT_NE(failing->err.find("no"), std::string::npos);

  auto slow = runtime_->Exec(spec.id, {"sleep", "321"}, milliseconds(1000));
  ASSERT_TRUE(slow.ok());
  EXPECT_TRUE(slow->timed_out);
  // The timed-out process does not linger in the container.
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        auto ps = runtime_->Exec(spec.id, {"ps"}, seconds(20));
        return ps.ok() && ps->out.find("sleep 321") == std::string::npos;
      },
      seconds(10)));

  auto argv = runtime_->InteractiveExecCommand(spec.id, {"sh"}, true);
  ASSERT_GE(argv.size(), 6u);
  EXPECT_EQ(argv[1], "--root");
  EXPECT_EQ(argv[2], options_.runc_root);
  EXPECT_EQ(argv[3], "exec");
  EXPECT_EQ(argv[4], "-t");
  EXPECT_EQ(argv[5], spec.id);

  // SIGTERM is ignored by a pid-1 sleep; SIGKILL is not.
  ASSERT_TRUE(runtime_->Kill(spec.id, SIGKILL).ok());
  auto info = WaitForExit(spec.id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->exit_code, 137);
  EXPECT_FALSE(info->oom_killed);
  EXPECT_EQ(runtime_->Exec(spec.id, {"true"}, seconds(5)).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(RuncRuntimeTest, MemoryLimitOomKills) {
  auto spec = Spec("oom", {"sh", "-c", "x=0123456789; while :; do x=$x$x; done"});
  spec.resources.memory_limit_bytes = 8 * 1024 * 1024;
  auto info = RunToExit(spec, nullptr);
  EXPECT_EQ(info.exit_code, 137);
  EXPECT_TRUE(info.oom_killed);
}

TEST_F(RuncRuntimeTest, DefaultCapabilitiesAndAdds) {
  std::string out;
  auto info = RunToExit(Spec("caps", {"grep", "CapEff", "/proc/self/status"}), &out);
  EXPECT_EQ(info.exit_code, 0);
  EXPECT_EQ(out, "CapEff:\t00000000a80425fb\n");  // Docker's default set

  auto spec = Spec("caps-add", {"grep", "CapEff", "/proc/self/status"});
  spec.security.capabilities_add = {"NET_ADMIN"};
  spec.security.capabilities_drop = {"CAP_MKNOD"};
  RunToExit(spec, &out);
  EXPECT_EQ(out, "CapEff:\t00000000a00435fb\n");

  spec = Spec("caps-none", {"grep", "CapBnd", "/proc/self/status"});
  spec.security.capabilities_drop = {"ALL"};
  RunToExit(spec, &out);
  EXPECT_EQ(out, "CapBnd:\t0000000000000000\n");
}

TEST_F(RuncRuntimeTest, UsersFromRunAsUserAndImage) {
  std::string out;
  auto spec = Spec("uid", {"sh", "-c", "id -u; id -g"});
  spec.security.run_as_user = 1000;
  spec.image_user = "root";
  RunToExit(spec, &out);
  EXPECT_EQ(out, "1000\n1000\n");

  spec = Spec("image-user", {"id", "-u"});
  spec.image_user = "app";
  RunToExit(spec, &out);
  EXPECT_EQ(out, "1000\n");

  spec = Spec("bad-user", {"id", "-u"});
  spec.image_user = "ghost";
  Status s = runtime_->Create(spec);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_NE(s.message().find("ghost"), std::string::npos);
  for (const auto& m : MountsUnderStateDir()) EXPECT_EQ(m.find(spec.id), std::string::npos) << m;
  EXPECT_FALSE(fs::exists(fs::path(options_.state_dir) / spec.id));
}

TEST_F(RuncRuntimeTest, ReadOnlyRootfsBindMountEnvAndWorkingDir) {
  std::string out;
  testing::WriteFile(dir_ / "pod/resolv.conf", "nameserver 127.0.0.53\n");
  auto spec = Spec("ro", {"sh", "-c", "touch /x 2>/dev/null && echo writable || echo readonly; cat /etc/resolv.conf"});
  spec.security.read_only_rootfs = true;
  // The mount point for a file the image does not have is made before the root turns read-only.
  spec.mounts.push_back({"/etc/resolv.conf", (dir_ / "pod/resolv.conf").string(), "bind", true, {}});
  RunToExit(spec, &out);
  EXPECT_EQ(out, "readonly\nnameserver 127.0.0.53\n");

  spec = Spec("rw", {"sh", "-c", "touch /x && echo writable"});
  RunToExit(spec, &out);
  EXPECT_EQ(out, "writable\n");

  testing::WriteFile(dir_ / "host/config.txt", "from the host\n");
  spec = Spec("bind", {"sh", "-c", "cat /config/config.txt; echo $FOO; pwd"});
  spec.mounts.push_back({"/config/config.txt", (dir_ / "host/config.txt").string(), "bind", true, {}});
  spec.env = {"FOO=bar baz"};
  spec.working_dir = "/tmp";
  RunToExit(spec, &out);
  EXPECT_EQ(out, "from the host\nbar baz\n/tmp\n");
}

TEST_F(RuncRuntimeTest, PartialLinesAreReassembledAndTtyWorks) {
  std::string out;
  auto spec = Spec("partial", {"sh", "-c", "printf abc; sleep 0.3; echo def; printf tail"});
  RunToExit(spec, &out);
  EXPECT_EQ(out, "abcdef\ntail\n");
  auto raw = ReadFileLimited(spec.log_path, 1 << 20);
  ASSERT_TRUE(raw.ok());
  EXPECT_NE(raw->find(" stdout P abc\n"), std::string::npos) << *raw;

  spec = Spec("tty", {"sh", "-c", "tty; echo done"});
  spec.tty = true;
  RunToExit(spec, &out);
  EXPECT_NE(out.find("/dev/pts/0"), std::string::npos) << out;
  EXPECT_NE(out.find("done"), std::string::npos) << out;
}

TEST_F(RuncRuntimeTest, LogRotationByConmonKeepsTheNewestEntries) {
  auto spec = Spec("rotate", {"sh", "-c", "for i in $(seq 1 300); do echo line$i; done"});
  spec.log_max_bytes = 2000;
  std::string out;
  RunToExit(spec, &out);
  EXPECT_LE(fs::file_size(spec.log_path), 2000u);
  EXPECT_FALSE(fs::exists(spec.log_path + ".1")) << "conmon 2.1 replaces the file instead of keeping <path>.1";
  ASSERT_FALSE(out.empty());
  EXPECT_NE(out.find("line300\n"), std::string::npos);
  EXPECT_EQ(out.find("line1\n"), std::string::npos);
}

TEST_F(RuncRuntimeTest, FailedCreateLeavesNothingBehind) {
  auto spec = Spec("broken", {"/does/not/exist"});
  Status s = runtime_->Create(spec);
  // runc 1.1 checks the executable at create time; either way nothing may be left behind.
  if (s.ok()) {
    ADD_FAILURE() << "create of a missing executable succeeded; runc reports it only on start";
    (void)runtime_->Start(spec.id);
    ASSERT_TRUE(runtime_->Remove(spec.id).ok());
  } else {
    EXPECT_NE(s.message().find("/does/not/exist"), std::string::npos) << s.ToString();
  }
  EXPECT_TRUE(MountsUnderStateDir().empty());
  EXPECT_FALSE(fs::exists(fs::path(options_.state_dir) / spec.id));
  EXPECT_EQ(RuncState(options_.runc_root, spec.id), "");

  auto dup = Spec("dup", {"sleep", "1000"});
  ASSERT_TRUE(runtime_->Create(dup).ok());
  EXPECT_EQ(runtime_->Create(dup).code(), StatusCode::kAlreadyExists);
  auto info = runtime_->Inspect(dup.id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state, ContainerState::kCreated);
  ASSERT_TRUE(runtime_->Remove(dup.id).ok());  // never started: still removable
  EXPECT_TRUE(MountsUnderStateDir().empty());
}

TEST_F(RuncRuntimeTest, RunCreatesAndStartsWithOneRuncProcess) {
  // Run: conmon's "create" becomes `runc run --detach` (the runc-run.sh wrapper).
  auto spec = Spec("run1", {"sh", "-c", "echo ran; exec sleep 1000"});
  ASSERT_TRUE(runtime_->Run(spec).ok());
  auto info = runtime_->Inspect(spec.id);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->state, ContainerState::kRunning);
  EXPECT_GT(info->pid, 0);
  EXPECT_FALSE(info->started_at.empty());
  EXPECT_NE(RuncState(options_.runc_root, spec.id).find("\"status\": \"running\""), std::string::npos);
  EXPECT_FALSE(runtime_->Start(spec.id).ok()) << "already running: no second start";
  EXPECT_TRUE(testing::WaitFor([&] {
    auto raw = ReadFileLimited(spec.log_path, 1 << 20);
    return raw.ok() && raw->find(" stdout F ran") != std::string::npos;
  }));
  ASSERT_TRUE(runtime_->Kill(spec.id, SIGKILL).ok());
  auto exited = WaitForExit(spec.id);
  ASSERT_TRUE(exited.ok());
  EXPECT_EQ(exited->exit_code, 137);
  ASSERT_TRUE(runtime_->Remove(spec.id).ok());

  // A Run that fails leaves nothing behind, like a failed Create.
  auto broken = Spec("runbroken", {"/does/not/exist"});
  Status s = runtime_->Run(broken);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/does/not/exist"), std::string::npos) << s.ToString();
  EXPECT_TRUE(MountsUnderStateDir().empty());
  EXPECT_FALSE(fs::exists(fs::path(options_.state_dir) / broken.id));
  EXPECT_EQ(RuncState(options_.runc_root, broken.id), "");
}

TEST_F(RuncRuntimeTest, ContainerWhoseMonitorDiedIsUnknownAndRemovable) {
  auto spec = Spec("orphan", {"sleep", "1000"});
  ASSERT_TRUE(runtime_->Create(spec).ok());
  ASSERT_TRUE(runtime_->Start(spec.id).ok());
  auto info = runtime_->Inspect(spec.id);
  ASSERT_TRUE(info.ok());
  auto conmon_pid = ReadFileLimited(fs::path(options_.state_dir) / spec.id / "conmon.pid", 64);
  ASSERT_TRUE(conmon_pid.ok());
  // As after a crash of the monitor (or a reboot): nobody records the exit.
  ASSERT_EQ(::kill(std::stoi(*conmon_pid), SIGKILL), 0);
  ASSERT_EQ(::kill(info->pid, SIGKILL), 0);
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        auto now = runtime_->Inspect(spec.id);
        return now.ok() && now->state == ContainerState::kUnknown;
      },
      seconds(20)));
  ASSERT_TRUE(runtime_->Remove(spec.id).ok());
  EXPECT_TRUE(MountsUnderStateDir().empty());
  EXPECT_EQ(RuncState(options_.runc_root, spec.id), "");
}

}  // namespace
}  // namespace moor::runtime
