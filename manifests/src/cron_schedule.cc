#include "cron_schedule.h"

#include <cctype>
#include <optional>
#include <vector>

namespace moor::manifests::internal {
namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;
  std::vector<std::string> names;  // names[i] stands for min + i
};

std::optional<int> ParseValue(std::string_view s, const FieldSpec& spec) {
  if (s.empty()) return std::nullopt;
  bool digits = true;
  for (char c : s) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (digits) {
    if (s.size() > 4) return std::nullopt;
    int v = std::stoi(std::string(s));
    return v;
  }
  std::string upper(s);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (std::size_t i = 0; i < spec.names.size(); ++i) {
    if (spec.names[i] == upper) return spec.min + static_cast<int>(i);
  }
  return std::nullopt;
}

std::string CheckField(std::string_view field, const FieldSpec& spec) {
  std::size_t start = 0;
  while (true) {
    std::size_t comma = field.find(',', start);
    std::string_view part = field.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    std::string_view range = part;
    auto slash = part.find('/');
    if (slash != std::string_view::npos) {
      range = part.substr(0, slash);
      auto step = ParseValue(part.substr(slash + 1), FieldSpec{spec.name, 0, 0, {}});
      if (!step || *step == 0) return "invalid step in " + std::string(spec.name) + " field \"" + std::string(part) + "\"";
    }
    if (range != "*" && range != "?") {
      auto dash = range.find('-');
      auto lo = ParseValue(range.substr(0, dash), spec);
      std::optional<int> hi = lo;
      if (dash != std::string_view::npos) hi = ParseValue(range.substr(dash + 1), spec);
      if (!lo || !hi) return "invalid " + std::string(spec.name) + " field \"" + std::string(part) + "\"";
      if (*lo < spec.min || *hi > spec.max || *lo > *hi) {
        return std::string(spec.name) + " value out of range (" + std::to_string(spec.min) + "-" +
               std::to_string(spec.max) + "): \"" + std::string(part) + "\"";
      }
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return "";
}

bool IsGoDuration(std::string_view s) {
  // Go's time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ with units ns us µs ms s m h.
  if (s.empty()) return false;
  std::size_t i = 0;
  if (s[0] == '+' || s[0] == '-') ++i;
  if (s.substr(i) == "0") return true;
  bool any = false;
  while (i < s.size()) {
    std::size_t num = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == num) return false;
    std::size_t unit = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    std::string_view u = s.substr(unit, i - unit);
    if (u != "ns" && u != "us" && u != "ms" && u != "s" && u != "m" && u != "h") return false;
    any = true;
  }
  return any;
}

}  // namespace

std::string CheckCronSchedule(std::string_view schedule) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < schedule.size()) {
    while (i < schedule.size() && std::isspace(static_cast<unsigned char>(schedule[i]))) ++i;
    std::size_t start = i;
    while (i < schedule.size() && !std::isspace(static_cast<unsigned char>(schedule[i]))) ++i;
    if (i > start) fields.push_back(schedule.substr(start, i - start));
  }
  if (fields.empty()) return "empty schedule";
  if (fields[0].rfind("TZ=", 0) == 0 || fields[0].rfind("CRON_TZ=", 0) == 0) {
    return "cannot use TZ or CRON_TZ in schedule, use timeZone field instead";
  }
  if (fields[0][0] == '@') {
    static const char* const kDescriptors[] = {"@yearly", "@annually", "@monthly", "@weekly",
                                               "@daily",  "@midnight", "@hourly"};
    if (fields.size() == 1) {
      for (const char* d : kDescriptors) {
        if (fields[0] == d) return "";
      }
    }
    if (fields[0] == "@every" && fields.size() == 2 && IsGoDuration(fields[1])) return "";
    return "unrecognized descriptor \"" + std::string(schedule) + "\"";
  }
  if (fields.size() != 5) return "expected exactly 5 fields, found " + std::to_string(fields.size()) + ": \"" + std::string(schedule) + "\"";
  static const FieldSpec kSpecs[] = {
      {"minute", 0, 59, {}},
      {"hour", 0, 23, {}},
      {"day-of-month", 1, 31, {}},
      {"month", 1, 12, {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
      {"day-of-week", 0, 6, {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
  };
  for (std::size_t f = 0; f < 5; ++f) {
    std::string problem = CheckField(fields[f], kSpecs[f]);
    if (!problem.empty()) return problem;
  }
  return "";
}

}  // namespace moor::manifests::internal
