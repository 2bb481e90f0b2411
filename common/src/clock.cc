#include "moor/common/clock.h"

#include <cstdio>
#include <ctime>

namespace moor {
namespace {

class RealClock final : public Clock {
 public:
  WallTime Now() const override { return std::chrono::system_clock::now(); }
  MonoTime Monotonic() const override { return std::chrono::steady_clock::now(); }
};

std::tm UtcTm(WallTime t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

}  // namespace

Clock& SystemClock() {
  static RealClock clock;
  return clock;
}

std::string FormatRfc3339(WallTime t) {
  std::tm tm = UtcTm(t);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string FormatRfc3339Micro(WallTime t) {
  std::tm tm = UtcTm(t);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count() % 1000000;
  if (micros < 0) micros += 1000000;
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[64];
  std::snprintf(out, sizeof(out), "%s.%06lldZ", buf, static_cast<long long>(micros));
  return out;
}

StatusOr<WallTime> ParseRfc3339(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return InvalidArgumentError("not an RFC 3339 time: \"" + text + "\"");
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::time_t secs = timegm(&tm);
  WallTime result = std::chrono::system_clock::from_time_t(secs);
  std::size_t pos = static_cast<std::size_t>(consumed);
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    long long frac = 0;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) {
        frac = frac * 10 + (text[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    while (digits < 6) {
      frac *= 10;
      ++digits;
    }
    result += std::chrono::microseconds(frac);
  }
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) return result;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int hh = 0, mm = 0;
    if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d", &hh, &mm) != 2) {
      return InvalidArgumentError("bad time zone offset in \"" + text + "\"");
    }
    auto offset = std::chrono::hours(hh) + std::chrono::minutes(mm);
    return text[pos] == '+' ? result - offset : result + offset;
  }
  return InvalidArgumentError("missing time zone in \"" + text + "\"");
}

std::string HumanDuration(std::chrono::seconds d) {
  long long s = d.count();
  if (s < 0) s = 0;
  auto fmt = [](long long a, char ua, long long b, char ub) {
    std::string out = std::to_string(a) + ua;
    if (b > 0) out += std::to_string(b) + ub;
    return out;
  };
  if (s < 120) return std::to_string(s) + "s";
  if (s < 600) return fmt(s / 60, 'm', s % 60, 's');
  if (s < 3 * 3600) return std::to_string(s / 60) + "m";
  if (s < 8 * 3600) return fmt(s / 3600, 'h', (s % 3600) / 60, 'm');
  if (s < 48 * 3600) return std::to_string(s / 3600) + "h";
  if (s < 8 * 86400) return fmt(s / 86400, 'd', (s % 86400) / 3600, 'h');
  if (s < 730LL * 86400) return std::to_string(s / 86400) + "d";
  return std::to_string(s / (365 * 86400)) + "y";
}

}  // namespace moor
