#include "moor/manifests/quantity.h"

#include <cmath>
#include <cstdio>

namespace moor::manifests {
namespace {

// Values are kept as nano-units in 128 bits; refuse anything past 1e29 units.
constexpr __int128 Pow10(int n) {
  __int128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}
const __int128 kMaxNanos = Pow10(38);

Status Invalid(std::string_view text) { return InvalidArgumentError("invalid quantity \"" + std::string(text) + "\""); }

std::string Int128ToString(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u = neg ? static_cast<unsigned __int128>(-v) : static_cast<unsigned __int128>(v);
  std::string s;
  while (u > 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return neg ? "-" + s : s;
}

std::int64_t ClampToInt64(__int128 v) {
  if (v > INT64_MAX) return INT64_MAX;
  if (v < INT64_MIN) return INT64_MIN;
  return static_cast<std::int64_t>(v);
}

// Ceiling division for a positive divisor.
__int128 CeilDiv(__int128 a, __int128 b) {
  __int128 q = a / b;
  if (a % b != 0 && a > 0) ++q;
  return q;
}

}  // namespace

StatusOr<Quantity> Quantity::Parse(std::string_view text) {
  std::string_view s = text;
  if (s.empty()) return Invalid(text);
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  // Number: digits, optional '.', digits (at least one digit overall).
  std::string digits;  // all significant digits, integer and fraction
  int fraction_digits = 0;
  std::size_t i = 0;
  bool seen_dot = false;
  bool any_digit = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      digits += c;
      any_digit = true;
      if (seen_dot) ++fraction_digits;
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
  }
  if (!any_digit) return Invalid(text);
  std::string_view suffix = s.substr(i);

  Format format = Format::kDecimalSI;
  int exponent10 = 0;  // value = number * 10^exponent10 * 2^exponent2
  int exponent2 = 0;
  if (suffix.empty()) {
  } else if (suffix.size() == 2 && suffix[1] == 'i') {
    format = Format::kBinarySI;
    switch (suffix[0]) {
      case 'K': exponent2 = 10; break;
      case 'M': exponent2 = 20; break;
      case 'G': exponent2 = 30; break;
      case 'T': exponent2 = 40; break;
      case 'P': exponent2 = 50; break;
      case 'E': exponent2 = 60; break;
      default: return Invalid(text);
    }
  } else if (suffix.size() == 1 && std::string_view("numkMGTPE").find(suffix[0]) != std::string_view::npos) {
    switch (suffix[0]) {
      case 'n': exponent10 = -9; break;
      case 'u': exponent10 = -6; break;
      case 'm': exponent10 = -3; break;
      case 'k': exponent10 = 3; break;
      case 'M': exponent10 = 6; break;
      case 'G': exponent10 = 9; break;
      case 'T': exponent10 = 12; break;
      case 'P': exponent10 = 15; break;
      case 'E': exponent10 = 18; break;
    }
  } else if (suffix[0] == 'e' || suffix[0] == 'E') {
    format = Format::kDecimalExponent;
    std::string_view e = suffix.substr(1);
    bool eneg = false;
    if (!e.empty() && (e[0] == '+' || e[0] == '-')) {
      eneg = e[0] == '-';
      e.remove_prefix(1);
    }
    if (e.empty() || e.size() > 4) return Invalid(text);
    int v = 0;
    for (char c : e) {
      if (c < '0' || c > '9') return Invalid(text);
      v = v * 10 + (c - '0');
    }
    exponent10 = eneg ? -v : v;
  } else {
    return Invalid(text);
  }

  // nanos = digits * 10^(exponent10 - fraction_digits + 9) * 2^exponent2, rounded up.
  std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) {
    Quantity q;
    q.format_ = format;
    return q;
  }
  digits = digits.substr(first);
  int scale = exponent10 - fraction_digits + 9;
  // Drop digits below 1n (rounding up), bounded so the loop stays small.
  bool round_up = false;
  while (scale < 0 && !digits.empty()) {
    if (digits.back() != '0') round_up = true;
    digits.pop_back();
    ++scale;
  }
  if (digits.empty()) digits = "0";
  if (static_cast<int>(digits.size()) + scale > 38) return Invalid(text);
  __int128 value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  value *= Pow10(scale);
  if (round_up) ++value;
  for (int k = 0; k < exponent2; ++k) {
    value *= 2;
    if (value > kMaxNanos) return Invalid(text);
  }
  if (value > kMaxNanos) return Invalid(text);
  Quantity q;
  q.nanos_ = negative ? -value : value;
  q.format_ = format;
  return q;
}

StatusOr<Quantity> Quantity::FromJson(const Object& value) {
  if (value.is_string()) return Parse(value.get<std::string>());
  if (value.is_number_integer()) {
    std::string text = value.is_number_unsigned() ? std::to_string(value.get<std::uint64_t>())
                                                  : std::to_string(value.get<std::int64_t>());
    return Parse(text);
  }
  if (value.is_number_float()) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.17g", value.get<double>());
    std::string text(buf);
    // %g may write "1e+30": Kubernetes' exponent form has no '+'.
    auto plus = text.find("e+");
    if (plus != std::string::npos) text.erase(plus + 1, 1);
    return Parse(text);
  }
  return InvalidArgumentError("invalid quantity " + value.dump() + ": must be a string or a number");
}

Quantity Quantity::FromMilli(std::int64_t milli, Format format) {
  Quantity q;
  q.nanos_ = static_cast<__int128>(milli) * 1000000;
  q.format_ = format;
  return q;
}

std::int64_t Quantity::MilliValue() const { return ClampToInt64(CeilDiv(nanos_, 1000000)); }
std::int64_t Quantity::Value() const { return ClampToInt64(CeilDiv(nanos_, 1000000000)); }

std::string Quantity::ToString() const {
  if (nanos_ == 0) return "0";
  const __int128 units = Pow10(9);
  if (format_ == Format::kBinarySI && (nanos_ <= -1024 * units || nanos_ >= 1024 * units) && nanos_ % units == 0) {
    __int128 v = nanos_ / units;
    static const char* const kSuffix[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    int k = 0;
    while (k < 6 && v % 1024 == 0) {
      v /= 1024;
      ++k;
    }
    return Int128ToString(v) + kSuffix[k];
  }
  // Decimal: the largest exponent (multiple of 3, from -9) that keeps an integer mantissa.
  int exponent = -9;
  __int128 mantissa = nanos_;
  while (exponent < 18 && mantissa % 1000 == 0) {
    mantissa /= 1000;
    exponent += 3;
  }
  if (format_ == Format::kDecimalExponent) {
    return Int128ToString(mantissa) + (exponent == 0 ? "" : "e" + std::to_string(exponent));
  }
  const char* suffix = "";
  switch (exponent) {
    case -9: suffix = "n"; break;
    case -6: suffix = "u"; break;
    case -3: suffix = "m"; break;
    case 0: suffix = ""; break;
    case 3: suffix = "k"; break;
    case 6: suffix = "M"; break;
    case 9: suffix = "G"; break;
    case 12: suffix = "T"; break;
    case 15: suffix = "P"; break;
    case 18: suffix = "E"; break;
  }
  return Int128ToString(mantissa) + suffix;
}

}  // namespace moor::manifests
