#pragma once

#include <chrono>
#include <string>

#include "moor/common/status.h"

namespace moor {

using WallTime = std::chrono::system_clock::time_point;
using MonoTime = std::chrono::steady_clock::time_point;

// Time is injected: logic never reads the wall clock or sleeps by itself, so tests can
// drive it (tests/fakes/fake_clock.h).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual WallTime Now() const = 0;
  virtual MonoTime Monotonic() const = 0;
};

// The process-wide real clock. Never null; lives for the whole program.
Clock& SystemClock();

// RFC 3339 in UTC with second precision, as Kubernetes writes timestamps:
// "2026-11-24T03:50:12Z".
std::string FormatRfc3339(WallTime t);
// Same, with microseconds ("2026-11-24T03:50:12.123456Z"), as in MicroTime fields.
std::string FormatRfc3339Micro(WallTime t);
// Parses "2026-11-24T03:50:12Z" and "...12.5Z" / "+01:00" offsets.
StatusOr<WallTime> ParseRfc3339(const std::string& text);

// "5s", "3m12s", "4h", "2d" as kubectl's AGE column.
std::string HumanDuration(std::chrono::seconds d);

}  // namespace moor
