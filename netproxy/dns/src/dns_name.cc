#include "moor/netproxy/dns/dns_name.h"

#include <cctype>

namespace moor::netproxy::dns {
namespace {

constexpr size_t kMaxLabel = 63;
constexpr size_t kMaxWireName = 255;

}  // namespace

StatusOr<std::vector<std::string>> NameToLabels(std::string_view name) {
  std::vector<std::string> labels;
  if (name.empty() || name == ".") return labels;
  if (name.back() == '.' && (name.size() < 2 || name[name.size() - 2] != '\\')) name.remove_suffix(1);
  std::string label;
  size_t wire = 1;  // the root label's length byte
  auto finish = [&]() -> Status {
    if (label.empty()) return InvalidArgumentError("empty label in name \"" + std::string(name) + "\"");
    if (label.size() > kMaxLabel) return InvalidArgumentError("label longer than 63 bytes in \"" + std::string(name) + "\"");
    wire += label.size() + 1;
    labels.push_back(std::move(label));
    label.clear();
    return Status::Ok();
  };
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '.') {
      MOOR_RETURN_IF_ERROR(finish());
    } else if (c == '\\') {
      if (i + 1 >= name.size()) return InvalidArgumentError("name ends in a lone backslash");
      if (std::isdigit(static_cast<unsigned char>(name[i + 1]))) {
        if (i + 3 >= name.size() || !std::isdigit(static_cast<unsigned char>(name[i + 2])) ||
            !std::isdigit(static_cast<unsigned char>(name[i + 3]))) {
          return InvalidArgumentError("bad \\DDD escape in name");
        }
        int value = (name[i + 1] - '0') * 100 + (name[i + 2] - '0') * 10 + (name[i + 3] - '0');
        if (value > 255) return InvalidArgumentError("bad \\DDD escape in name");
        label.push_back(static_cast<char>(value));
        i += 3;
      } else {
        label.push_back(name[i + 1]);
        ++i;
      }
    } else {
      label.push_back(c);
    }
  }
  MOOR_RETURN_IF_ERROR(finish());
  if (wire > kMaxWireName) return InvalidArgumentError("name longer than 255 bytes");
  return labels;
}

std::string LabelsToName(const std::vector<std::string>& labels) {
  std::string out;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out.push_back('.');
    for (char c : labels[i]) {
      unsigned char u = static_cast<unsigned char>(c);
      if (c == '.' || c == '\\') {
        out.push_back('\\');
        out.push_back(c);
      } else if (u <= 0x20 || u >= 0x7f) {
        char buf[5];
        buf[0] = '\\';
        buf[1] = static_cast<char>('0' + u / 100);
        buf[2] = static_cast<char>('0' + (u / 10) % 10);
        buf[3] = static_cast<char>('0' + u % 10);
        buf[4] = 0;
        out += buf;
      } else {
        out.push_back(c);
      }
    }
  }
  return out;
}

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace moor::netproxy::dns
