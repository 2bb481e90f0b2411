#include <chrono>

#include <gtest/gtest.h>

#include "moor/common/clock.h"
#include "moor/common/files.h"
#include "moor/common/metrics.h"
#include "moor/common/status.h"
#include "moor/testing/temp_dir.h"

namespace moor {
namespace {

StatusOr<int> Half(int v) {
  if (v % 2) return InvalidArgumentError("odd");
  return v / 2;
}

Status Chain(int v, int* out) {
  MOOR_ASSIGN_OR_RETURN(int h, Half(v));
  MOOR_ASSIGN_OR_RETURN(*out, Half(h));
  return Status::Ok();
}

TEST(StatusTest, MacrosPropagateErrors) {
  int out = 0;
  EXPECT_TRUE(Chain(8, &out).ok());
  EXPECT_EQ(out, 2);
  Status s = Chain(6, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(), "InvalidArgument: odd");
  EXPECT_EQ(s.WithContext("loading").message(), "loading: odd");
}

TEST(ClockTest, Rfc3339RoundTrip) {
  WallTime t = std::chrono::system_clock::from_time_t(1795000000);
  EXPECT_EQ(FormatRfc3339(t), "2026-11-18T11:06:40Z");
  auto parsed = ParseRfc3339("2026-11-18T11:06:40Z");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, t);
  auto offset = ParseRfc3339("2026-11-18T12:06:40.5+01:00");
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(*offset, t + std::chrono::milliseconds(500));
  EXPECT_FALSE(ParseRfc3339("yesterday").ok());
}

TEST(ClockTest, HumanDurationLikeKubectl) {
  using std::chrono::seconds;
  EXPECT_EQ(HumanDuration(seconds(5)), "5s");
  EXPECT_EQ(HumanDuration(seconds(190)), "3m10s");
  EXPECT_EQ(HumanDuration(seconds(3 * 3600 + 5)), "3h");
  EXPECT_EQ(HumanDuration(seconds(3 * 86400 + 7200)), "3d2h");
}

TEST(MetricsTest, RendersPrometheusText) {
  MetricsRegistry r;
  r.GetCounter("moor_api_requests_total", "API requests.", {{"code", "200"}}).Inc();
  r.GetCounter("moor_api_requests_total", "API requests.", {{"code", "200"}}).Inc(2);
  r.GetHistogram("moor_sync_duration_seconds", "Sync time.", {}, {0.1, 1}).Observe(0.5);
  std::string text = r.Render();
  EXPECT_NE(text.find("# TYPE moor_api_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("moor_api_requests_total{code=\"200\"} 3"), std::string::npos);
  EXPECT_NE(text.find("moor_sync_duration_seconds_bucket{le=\"0.1\"} 0"), std::string::npos);
  EXPECT_NE(text.find("moor_sync_duration_seconds_bucket{le=\"+Inf\"} 1"), std::string::npos);
  EXPECT_NE(text.find("moor_sync_duration_seconds_count 1"), std::string::npos);
}

TEST(FilesTest, AtomicWriteAndLimitedRead) {
  testing::TempDir dir("files");
  auto path = dir / "a.txt";
  ASSERT_TRUE(WriteFileAtomic(path, "hello", 0600).ok());
  auto content = ReadFileLimited(path, 100);
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(*content, "hello");
  EXPECT_EQ(ReadFileLimited(path, 3).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(ReadFileLimited(dir / "missing", 3).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(RandomHex(16).size(), 32u);
}

}  // namespace
}  // namespace moor
