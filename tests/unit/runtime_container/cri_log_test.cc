#include "moor/runtime/cri_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <ostream>

#include <gtest/gtest.h>

#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace moor::runtime {
namespace {

struct ParseCase {
  std::string name;
  std::string line;
  bool ok;
  CriLogLine expected;
};

// Tests are named by case; print the name instead of the bytes.
void PrintTo(const ParseCase& c, std::ostream* os) { *os << c.name; }

class ParseCriLogLineTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseCriLogLineTest, Parses) {
  const auto& c = GetParam();
  auto parsed = ParseCriLogLine(c.line);
  ASSERT_EQ(parsed.has_value(), c.ok);
  if (!c.ok) return;
  EXPECT_EQ(parsed->timestamp, c.expected.timestamp);
  EXPECT_EQ(parsed->stream, c.expected.stream);
  EXPECT_EQ(parsed->partial, c.expected.partial);
  EXPECT_EQ(parsed->message, c.expected.message);
}

const char kTs[] = "2026-11-24T06:19:59.137582682+00:00";

INSTANTIATE_TEST_SUITE_P(
    Table, ParseCriLogLineTest,
    ::testing::Values(
        ParseCase{"full", std::string(kTs) + " stdout F hello", true, {kTs, "stdout", false, "hello"}},
        ParseCase{"partial_stderr", std::string(kTs) + " stderr P part", true, {kTs, "stderr", true, "part"}},
        ParseCase{"spaces_kept", std::string(kTs) + " stdout F  a  b ", true, {kTs, "stdout", false, " a  b "}},
        ParseCase{"trailing_newline", std::string(kTs) + " stdout F x\n", true, {kTs, "stdout", false, "x"}},
        ParseCase{"empty_message", std::string(kTs) + " stdout F ", true, {kTs, "stdout", false, ""}},
        ParseCase{"no_space_after_tag", std::string(kTs) + " stdout F", true, {kTs, "stdout", false, ""}},
        ParseCase{"multiple_tags", std::string(kTs) + " stdout P:x tail", true, {kTs, "stdout", true, "tail"}},
        ParseCase{"zulu_time", "2026-11-24T06:19:59Z stdout F z", true, {"2026-11-24T06:19:59Z", "stdout", false, "z"}},
        ParseCase{"bad_stream", std::string(kTs) + " stdin F x", false, {}},
        ParseCase{"bad_tag", std::string(kTs) + " stdout X x", false, {}},
        ParseCase{"no_tag", std::string(kTs) + " stdout", false, {}},
        ParseCase{"plain_text", "hello world", false, {}},
        ParseCase{"empty", "", false, {}}),
    [](const ::testing::TestParamInfo<ParseCase>& info) { return info.param.name; });

std::string Entry(const std::string& stream, char tag, const std::string& message, int second = 0) {
  char ts[64];
  std::snprintf(ts, sizeof(ts), "2026-11-24T06:20:%02d.000000001+00:00", second);
  return std::string(ts) + " " + stream + " " + tag + " " + message + "\n";
}

void Append(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

std::vector<std::string> ReadAll(const std::string& path, LogReadOptions options = {}, Status* status = nullptr) {
  std::vector<std::string> out;
  Status s = ReadCriLog(path, options, [&](std::string_view m) {
    out.emplace_back(m);
    return true;
  });
  if (status != nullptr) *status = s;
  else EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

TEST(ReadCriLogTest, AssemblesPartialEntriesPerStream) {
  testing::TempDir dir("crilog");
  auto path = dir / "0.log";
  Append(path, Entry("stdout", 'P', "hel", 1) + Entry("stderr", 'F', "err line", 2) + Entry("stdout", 'P', "lo ", 3) +
                   Entry("stdout", 'F', "world", 4) + "garbage that is not CRI\n" + Entry("stdout", 'F', "", 5));
  EXPECT_EQ(ReadAll(path.string()), (std::vector<std::string>{"err line\n", "hello world\n", "\n"}));
}

TEST(ReadCriLogTest, TimestampsUseTheFirstFragment) {
  testing::TempDir dir("crilog");
  auto path = dir / "0.log";
  Append(path, Entry("stdout", 'P', "a", 1) + Entry("stdout", 'F', "b", 2));
  LogReadOptions options;
  options.timestamps = true;
  EXPECT_EQ(ReadAll(path.string(), options),
            (std::vector<std::string>{"2026-11-24T06:20:01.000000001+00:00 ab\n"}));
}

// kubectl logs --since: whole messages by their first entry's time, then --tail over what is left.
TEST(ReadCriLogTest, SinceKeepsMessagesFromThatTimeOnBeforeTailing) {
  testing::TempDir dir("crilog");
  auto path = dir / "0.log";
  Append(path, Entry("stdout", 'F', "one", 1) + Entry("stdout", 'P', "tw", 2) + Entry("stdout", 'F', "o", 3) +
                   Entry("stdout", 'F', "three", 4) + Entry("stdout", 'F', "four", 5));
  LogReadOptions options;
  auto since = ParseRfc3339("2026-11-24T06:20:02Z");
  ASSERT_TRUE(since.ok());
  options.since = *since;
  EXPECT_EQ(ReadAll(path.string(), options), (std::vector<std::string>{"two\n", "three\n", "four\n"}));
  options.tail_lines = 2;
  EXPECT_EQ(ReadAll(path.string(), options), (std::vector<std::string>{"three\n", "four\n"}));
  options.tail_lines.reset();
  options.since = *since + std::chrono::hours(1);
  EXPECT_TRUE(ReadAll(path.string(), options).empty());
}

TEST(ReadCriLogTest, UnterminatedLastEntryAndPendingPartialAreShown) {
  testing::TempDir dir("crilog");
  auto path = dir / "0.log";
  std::string last = Entry("stdout", 'F', "cut", 2);
  last.pop_back();
  Append(path, Entry("stderr", 'P', "no end", 1) + last);
  EXPECT_EQ(ReadAll(path.string()), (std::vector<std::string>{"cut\n", "no end\n"}));
}

struct TailCase {
  std::string name;
  int tail;
  bool rotated_file;
  std::vector<std::string> expected;
};

// Tests are named by case; print the name instead of the bytes.
void PrintTo(const TailCase& c, std::ostream* os) { *os << c.name; }

class TailTest : public ::testing::TestWithParam<TailCase> {};

TEST_P(TailTest, LastLines) {
  testing::TempDir dir("crilog");
  auto path = dir / "0.log";
  if (GetParam().rotated_file) {
    Append(dir / "0.log.1", Entry("stdout", 'F', "old1") + Entry("stdout", 'F', "old2"));
  }
  Append(path, Entry("stdout", 'F', "l1") + Entry("stdout", 'P', "l") + Entry("stdout", 'F', "2") +
                   Entry("stderr", 'F', "l3"));
  LogReadOptions options;
  options.tail_lines = GetParam().tail;
  EXPECT_EQ(ReadAll(path.string(), options), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, TailTest,
    ::testing::Values(TailCase{"zero", 0, true, {}}, TailCase{"two", 2, false, {"l2\n", "l3\n"}},
                      TailCase{"all", 3, false, {"l1\n", "l2\n", "l3\n"}},
                      TailCase{"more_than_there", 10, false, {"l1\n", "l2\n", "l3\n"}},
                      TailCase{"current_file_enough", 3, true, {"l1\n", "l2\n", "l3\n"}},
                      TailCase{"fills_from_rotated_file", 4, true, {"old2\n", "l1\n", "l2\n", "l3\n"}},
                      TailCase{"negative_means_all", -1, true, {"l1\n", "l2\n", "l3\n"}}),
    [](const ::testing::TestParamInfo<TailCase>& info) { return info.param.name; });

TEST(ReadCriLogTest, MissingFileIsNotFound) {
  testing::TempDir dir("crilog");
  Status s;
  ReadAll((dir / "nope.log").string(), {}, &s);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
}

TEST(ReadCriLogTest, SinkCanStopEarly) {
  testing::TempDir dir("crilog");
  auto path = dir / "0.log";
  Append(path, Entry("stdout", 'F', "a") + Entry("stdout", 'F', "b") + Entry("stdout", 'F', "c"));
  std::vector<std::string> got;
  Status s = ReadCriLog(path.string(), {}, [&](std::string_view m) {
    got.emplace_back(m);
    return got.size() < 2;
  });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(got, (std::vector<std::string>{"a\n", "b\n"}));
}

// A follower in a thread; the test writes, rotates and truncates the file like conmon and
// checks what the follower printed.
class Follower {
 public:
  Follower(const std::string& path, std::optional<int> tail) {
    LogReadOptions options;
    options.follow = true;
    options.tail_lines = tail;
    options.poll_interval = std::chrono::milliseconds(5);
    options.keep_following = [this] { return !stop_.load(); };
    thread_ = std::thread([this, path, options] {
      status_ = ReadCriLog(path, options, [this](std::string_view m) {
        std::lock_guard<std::mutex> lock(mu_);
        lines_.emplace_back(m);
        return true;
      });
    });
  }
  ~Follower() { (void)Stop(); }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }
  bool WaitForLines(std::size_t n) {
    return testing::WaitFor([&] { return lines().size() >= n; }, std::chrono::seconds(10));
  }
  Status Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return status_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<std::string> lines_;
  Status status_;
  std::thread thread_;
};

TEST(ReadCriLogFollowTest, FollowsAppendsRotationAndTruncation) {
  testing::TempDir dir("crilog");
  auto path = dir / "0.log";
  Append(path, Entry("stdout", 'F', "zero") + Entry("stdout", 'F', "one"));
  Follower follower(path.string(), 1);
  ASSERT_TRUE(follower.WaitForLines(1));

  // Appended, then rotated the way conmon does it: a fresh file renamed over the path. What
  // was written before the rename is still printed, then the new file from its start.
  Append(path, Entry("stdout", 'F', "two"));
  Append(dir / "0.log.tmp", Entry("stdout", 'F', "three"));
  std::filesystem::rename(dir / "0.log.tmp", path);
  ASSERT_TRUE(follower.WaitForLines(3));

  // Truncated in place (copytruncate): read again from the start.
  ASSERT_EQ(::truncate(path.c_str(), 0), 0);
  Append(path, Entry("stdout", 'F', "4"));
  ASSERT_TRUE(follower.WaitForLines(4));

  // A partial entry waits for the rest of its line.
  Append(path, Entry("stdout", 'P', "fi"));
  Append(path, Entry("stdout", 'F', "ve"));
  ASSERT_TRUE(follower.WaitForLines(5));

  // On stop, a message still waiting for its end is printed.
  Append(path, Entry("stderr", 'P', "six"));
  Status s = follower.Stop();
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(follower.lines(), (std::vector<std::string>{"one\n", "two\n", "three\n", "4\n", "five\n", "six\n"}));
}

}  // namespace
}  // namespace moor::runtime
