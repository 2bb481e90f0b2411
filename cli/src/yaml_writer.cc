#include "yaml_writer.h"

#include <cctype>
#include <cstdio>
#include <regex>
#include <string_view>

namespace moor::cli {
namespace {

bool LooksLikeNonString(const std::string& s) {
  static const std::regex kInt(R"(^[-+]?(0|[1-9][0-9_]*|0[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+)$)");
  static const std::regex kFloat(R"(^[-+]?([0-9][0-9_]*)?\.?[0-9]+([eE][-+]?[0-9]+)?$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$)");
  static const std::regex kTimestamp(R"(^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?$)");
  static const char* kWords[] = {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
                                 "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON",
                                 "off", "Off", "OFF", "null", "Null", "NULL", "~"};
  for (const char* w : kWords) {
    if (s == w) return true;
  }
  return std::regex_match(s, kInt) || std::regex_match(s, kFloat) || std::regex_match(s, kTimestamp);
}

bool PlainAllowed(const std::string& s) {
  if (s.empty()) return false;
  if (s.front() == ' ' || s.back() == ' ') return false;
  static const std::string_view kIndicators = "-?:,[]{}#&*!|>'\"%@`";
  if (kIndicators.find(s.front()) != std::string_view::npos) {
    // "-foo" and ":foo" style starts are fine in plain style when followed by a non-space,
    // but go-yaml quotes them whenever the first character is an indicator other than '-',
    // '?', ':' followed by a non-space.
    bool dash_like = (s.front() == '-' || s.front() == '?' || s.front() == ':') && s.size() > 1 && s[1] != ' ';
    if (!dash_like) return false;
  }
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return false;
  if (s.back() == ':') return false;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

std::string DoubleQuoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02X", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string SingleQuoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "''";
    else out += c;
  }
  return out + "'";
}

std::string Indent(int n) { return std::string(static_cast<std::size_t>(n), ' '); }

void WriteNode(const nlohmann::json& v, int indent, std::string& out);

// A scalar that follows "key: " or "- ". Multi-line strings become literal blocks indented at
// `indent`.
void WriteScalar(const nlohmann::json& v, int indent, std::string& out) {
  if (v.is_null()) {
    out += "null\n";
  } else if (v.is_boolean()) {
    out += v.get<bool>() ? "true\n" : "false\n";
  } else if (v.is_number_integer() || v.is_number_unsigned()) {
    out += v.dump() + "\n";
  } else if (v.is_number_float()) {
    out += v.dump() + "\n";
  } else {
    const std::string& s = v.get_ref<const std::string&>();
    bool has_newline = s.find('\n') != std::string::npos;
    bool printable = true;
    for (unsigned char c : s) {
      if ((c < 0x20 && c != '\n') || c == 0x7f) printable = false;
    }
    if (has_newline && printable && s.find(" \n") == std::string::npos) {
      out += s.back() == '\n' ? "|\n" : "|-\n";
      std::size_t start = 0;
      while (start < s.size()) {
        std::size_t end = s.find('\n', start);
        if (end == std::string::npos) end = s.size();
        std::string line = s.substr(start, end - start);
        out += line.empty() ? "" : Indent(indent) + line;
        out += "\n";
        start = end + 1;
      }
    } else if (!printable || has_newline || s.empty()) {
      out += DoubleQuoted(s) + "\n";
    } else if (LooksLikeNonString(s)) {
      out += DoubleQuoted(s) + "\n";
    } else if (!PlainAllowed(s)) {
      out += SingleQuoted(s) + "\n";
    } else {
      out += s + "\n";
    }
  }
}

bool IsEmptyCollection(const nlohmann::json& v) { return (v.is_object() || v.is_array()) && v.empty(); }

std::string KeyText(const std::string& key) {
  if (LooksLikeNonString(key)) return DoubleQuoted(key);
  if (!PlainAllowed(key)) return SingleQuoted(key);
  return key;
}

void WriteMapping(const nlohmann::json& v, int indent, bool first_inline, std::string& out) {
  bool first = true;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!(first && first_inline)) out += Indent(indent);
    first = false;
    out += KeyText(it.key()) + ":";
    const nlohmann::json& child = it.value();
    if (IsEmptyCollection(child)) {
      out += child.is_object() ? " {}\n" : " []\n";
    } else if (child.is_object()) {
      out += "\n";
      WriteMapping(child, indent + 2, false, out);
    } else if (child.is_array()) {
      out += "\n";
      WriteNode(child, indent, out);  // go-yaml: a mapping's sequence is not indented
    } else {
      out += " ";
      WriteScalar(child, indent + 2, out);
    }
  }
}

void WriteSequence(const nlohmann::json& v, int indent, std::string& out) {
  for (const auto& item : v) {
    out += Indent(indent) + "-";
    if (IsEmptyCollection(item)) {
      out += item.is_object() ? " {}\n" : " []\n";
    } else if (item.is_object()) {
      out += " ";
      WriteMapping(item, indent + 2, true, out);
    } else if (item.is_array()) {
      out += "\n";
      WriteSequence(item, indent + 2, out);
    } else {
      out += " ";
      WriteScalar(item, indent + 2, out);
    }
  }
}

void WriteNode(const nlohmann::json& v, int indent, std::string& out) {
  if (IsEmptyCollection(v)) {
    out += Indent(indent) + (v.is_object() ? "{}\n" : "[]\n");
  } else if (v.is_object()) {
    WriteMapping(v, indent, false, out);
  } else if (v.is_array()) {
    WriteSequence(v, indent, out);
  } else {
    out += Indent(indent);
    WriteScalar(v, indent, out);
  }
}

}  // namespace

std::string ToYaml(const nlohmann::json& value) {
  std::string out;
  WriteNode(value, 0, out);
  return out;
}

}  // namespace moor::cli
