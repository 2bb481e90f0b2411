#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "moor/common/clock.h"
#include "moor/common/status.h"

namespace moor::runtime {

// One line of a CRI log file: "2026-11-24T06:19:59.137582682+00:00 stdout F hello".
struct CriLogLine {
  std::string timestamp;
  std::string stream;  // "stdout" | "stderr"
  bool partial = false;  // "P": the line continues in the next entry
  std::string message;
};

std::optional<CriLogLine> ParseCriLogLine(std::string_view line);

struct LogReadOptions {
  std::optional<int> tail_lines;   // last N lines only
  // Only messages whose (first) entry's timestamp is at or after this (kubectl logs --since /
  // --since-time); entries with an unreadable timestamp are kept. Applied before tail_lines.
  std::optional<WallTime> since;
  bool follow = false;             // keep reading appended lines (and across rotation)
  bool timestamps = false;         // prefix each line with its timestamp
  // With follow: polled between reads; return false to stop (e.g. the container was removed and
  // everything is read, or the client went away).
  std::function<bool()> keep_following;
  std::chrono::milliseconds poll_interval{100};
};

// Reads a CRI log file (and its rotated predecessor "<path>.1" when tailing) and calls `sink`
// with each message re-assembled from partial entries, newline-terminated, as `kubectl logs`
// prints it. Stops early if `sink` returns false. kNotFound if the file does not exist.
// Rotation: Debian's conmon 2.1.6 rotates at --log-size-max by renaming a fresh empty file over
// the path (the old entries are dropped, no "<path>.1" is kept); a follower drains the old file
// and continues at the start of the new one. A file truncated in place is read again from 0.
// A message still waiting for its final ("F") entry is printed when reading ends (not
// following, or keep_following returned false).
Status ReadCriLog(const std::string& path, const LogReadOptions& options,
                  const std::function<bool(std::string_view)>& sink);

}  // namespace moor::runtime
