#include "moor/manifests/base64.h"

namespace moor::manifests {
namespace {

int DecodeChar(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool IsNewline(char c) { return c == '\n' || c == '\r'; }

}  // namespace

std::optional<std::string> DecodeBase64(std::string_view src, std::size_t* bad_offset) {
  std::string out;
  std::size_t si = 0;
  auto fail = [&](std::size_t at) -> std::optional<std::string> {
    if (bad_offset != nullptr) *bad_offset = at;
    return std::nullopt;
  };
  while (true) {
    int buf[4] = {0, 0, 0, 0};
    int j = 0;
    bool end = false;
    for (; j < 4; ++j) {
      if (si == src.size()) {
        if (j == 0) return out;
        return fail(si - j);
      }
      unsigned char in = static_cast<unsigned char>(src[si]);
      ++si;
      int v = DecodeChar(in);
      if (v >= 0) {
        buf[j] = v;
        continue;
      }
      if (IsNewline(static_cast<char>(in))) {
        --j;
        continue;
      }
      if (in != '=') return fail(si - 1);
      // Padding: only valid after 2 or 3 data characters.
      if (j == 0 || j == 1) return fail(si - 1);
      if (j == 2) {
        while (si < src.size() && IsNewline(src[si])) ++si;
        if (si == src.size()) return fail(src.size());
        if (src[si] != '=') return fail(si - 1);
        ++si;
      }
      while (si < src.size() && IsNewline(src[si])) ++si;
      if (si < src.size()) return fail(si);
      end = true;
      break;
    }
    unsigned value = (static_cast<unsigned>(buf[0]) << 18) | (static_cast<unsigned>(buf[1]) << 12) |
                     (static_cast<unsigned>(buf[2]) << 6) | static_cast<unsigned>(buf[3]);
    int bytes = end ? j - 1 : 3;
    if (bytes >= 1) out += static_cast<char>((value >> 16) & 0xff);
    if (bytes >= 2) out += static_cast<char>((value >> 8) & 0xff);
    if (bytes >= 3) out += static_cast<char>(value & 0xff);
    if (end) return out;
    while (si < src.size() && IsNewline(src[si])) ++si;
    if (si == src.size()) return out;
  }
}

}  // namespace moor::manifests
