#include "scalar_resolver.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <regex>

#include "moor/manifests/base64.h"

namespace moor::manifests::internal {
namespace {

using Type = ResolvedScalar::Type;

ResolvedScalar Make(Type type) {
  ResolvedScalar r;
  r.type = type;
  return r;
}
ResolvedScalar Null() { return Make(Type::kNull); }
ResolvedScalar Bool(bool v) {
  ResolvedScalar r = Make(Type::kBool);
  r.bool_value = v;
  return r;
}
ResolvedScalar Float(double v) {
  ResolvedScalar r = Make(Type::kFloat);
  r.float_value = v;
  return r;
}
ResolvedScalar String(std::string_view v) {
  ResolvedScalar r = Make(Type::kString);
  r.string_value = std::string(v);
  return r;
}
ResolvedScalar Error(std::string m) {
  ResolvedScalar r = Make(Type::kError);
  r.string_value = std::move(m);
  return r;
}

// The fixed words go-yaml v2 resolves by table lookup.
bool LookupWord(std::string_view in, ResolvedScalar* out) {
  static const char* const kTrue[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
  static const char* const kFalse[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
  static const char* const kNull[] = {"", "~", "null", "Null", "NULL"};
  for (const char* w : kTrue) if (in == w) { *out = Bool(true); return true; }
  for (const char* w : kFalse) if (in == w) { *out = Bool(false); return true; }
  for (const char* w : kNull) if (in == w) { *out = Null(); return true; }
  if (in == ".nan" || in == ".NaN" || in == ".NAN") { *out = Float(std::nan("")); return true; }
  if (in == ".inf" || in == ".Inf" || in == ".INF" || in == "+.inf" || in == "+.Inf" || in == "+.INF") {
    *out = Float(std::numeric_limits<double>::infinity());
    return true;
  }
  if (in == "-.inf" || in == "-.Inf" || in == "-.INF") {
    *out = Float(-std::numeric_limits<double>::infinity());
    return true;
  }
  return false;
}

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// Go's strconv.ParseInt/ParseUint with base 0 (after '_' removal): optional sign, then
// 0x/0X hex, 0o/0O octal, 0b/0B binary, leading-0 octal, else decimal. Fills magnitude
// and sign; false on syntax error or uint64 overflow.
bool ParseGoInteger(std::string_view s, bool* negative, unsigned __int128* magnitude) {
  *negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    *negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  int base = 10;
  if (s.size() >= 2 && s[0] == '0') {
    char p = s[1];
    if (p == 'x' || p == 'X') { base = 16; s.remove_prefix(2); }
    else if (p == 'o' || p == 'O') { base = 8; s.remove_prefix(2); }
    else if (p == 'b' || p == 'B') { base = 2; s.remove_prefix(2); }
    else { base = 8; s.remove_prefix(1); }
    if (s.empty()) return false;
  }
  unsigned __int128 v = 0;
  for (char c : s) {
    int d = DigitValue(c);
    if (d >= base) return false;
    v = v * static_cast<unsigned>(base) + static_cast<unsigned>(d);
    if (v > std::numeric_limits<std::uint64_t>::max()) return false;
  }
  *magnitude = v;
  return true;
}

bool ResolveInteger(std::string_view plain, ResolvedScalar* out) {
  bool negative = false;
  unsigned __int128 mag = 0;
  if (!ParseGoInteger(plain, &negative, &mag)) return false;
  const auto int_max = static_cast<unsigned __int128>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (mag > int_max + 1) return false;
    out->type = Type::kInt;
    out->int_value = mag == int_max + 1 ? std::numeric_limits<std::int64_t>::min()
                                        : -static_cast<std::int64_t>(mag);
    return true;
  }
  if (mag <= int_max) {
    out->type = Type::kInt;
    out->int_value = static_cast<std::int64_t>(mag);
  } else {
    out->type = Type::kUint;
    out->uint_value = static_cast<std::uint64_t>(mag);
  }
  return true;
}

bool ResolveFloat(std::string_view plain, ResolvedScalar* out) {
  static const std::regex kYamlFloat(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  // Bounded input: libstdc++'s regex recurses per character.
  if (plain.size() > 512) return false;
  std::string s(plain);
  if (!std::regex_match(s, kYamlFloat)) return false;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == ERANGE) return false;
  *out = Float(v);
  return true;
}

// go-yaml v2 tries timestamps first for plain scalars starting with a digit: "2006-1-2"
// (date only) and RFC 3339 forms. A date becomes midnight UTC as Go's JSON writes it; full
// timestamps are kept as written (they are already RFC 3339 text).
bool ResolveTimestamp(std::string_view in, ResolvedScalar* out) {
  static const std::regex kDate(R"(^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$)");
  static const std::regex kDateTime(
      R"(^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$)");
  if (in.size() > 64) return false;
  std::string s(in);
  std::smatch m;
  if (std::regex_match(s, m, kDate)) {
    int month = std::stoi(m[2].str());
    int day = std::stoi(m[3].str());
    if (month < 1 || month > 12 || day < 1 || day > 31) return false;
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%s-%02d-%02dT00:00:00Z", m[1].str().c_str(), month, day);
    *out = String(buf);
    return true;
  }
  if (std::regex_match(s, kDateTime)) {
    *out = String(in);
    return true;
  }
  return false;
}

ResolvedScalar ResolvePlain(std::string_view in) {
  ResolvedScalar out;
  if (LookupWord(in, &out)) return out;
  char first = in[0];
  if (first == '.') {
    if (ResolveFloat(in, &out)) return out;
    return String(in);
  }
  bool digit = first >= '0' && first <= '9';
  if (!digit && first != '+' && first != '-') return String(in);
  if (digit && ResolveTimestamp(in, &out)) return out;
  std::string plain;
  for (char c : in) {
    if (c != '_') plain += c;
  }
  if (ResolveInteger(plain, &out)) return out;
  if (ResolveFloat(plain, &out)) return out;
  return String(in);
}

std::string_view ShortTag(std::string_view tag) {
  static constexpr std::string_view kLong = "tag:yaml.org,2002:";
  if (tag.substr(0, kLong.size()) == kLong) return tag.substr(kLong.size());
  if (tag.substr(0, 2) == "!!") return tag.substr(2);
  return {};
}

}  // namespace

ResolvedScalar ResolveScalar(std::string_view tag, std::string_view text) {
  if (tag == "!") return String(text);
  if (tag.empty() || tag == "?") return ResolvePlain(text);
  std::string_view type = ShortTag(tag);
  if (type == "str") return String(text);
  if (type == "binary") {
    std::size_t bad = 0;
    auto decoded = DecodeBase64(text, &bad);
    if (!decoded) return Error("!!binary value contains invalid base64 data");
    return String(*decoded);
  }
  if (type.empty() || (type != "int" && type != "float" && type != "bool" && type != "null" && type != "timestamp")) {
    return String(text);  // unknown or application tag: the text as a string
  }
  ResolvedScalar r = ResolvePlain(text);
  bool matches = (type == "int" && (r.type == Type::kInt || r.type == Type::kUint)) ||
                 (type == "float" && r.type == Type::kFloat) || (type == "bool" && r.type == Type::kBool) ||
                 (type == "null" && r.type == Type::kNull) || (type == "timestamp" && r.type == Type::kString &&
                                                               ResolveTimestamp(text, &r));
  if (type == "float" && r.type == Type::kInt) return Float(static_cast<double>(r.int_value));
  if (type == "float" && r.type == Type::kUint) return Float(static_cast<double>(r.uint_value));
  if (!matches) return Error("cannot decode \"" + std::string(text) + "\" as !!" + std::string(type));
  return r;
}

}  // namespace moor::manifests::internal
