#include "name_rules.h"


namespace moor::manifests::internal {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool MatchesDns1123Label(std::string_view v) {
  if (v.empty() || !IsLowerAlnum(v.front()) || !IsLowerAlnum(v.back())) return false;
  for (char c : v) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool MatchesQualifiedNamePart(std::string_view v) {
  if (v.empty() || !IsAlnum(v.front()) || !IsAlnum(v.back())) return false;
  for (char c : v) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> CheckDns1123Label(std::string_view value) {
  std::vector<std::string> out;
  if (value.size() > 63) out.push_back("must be no more than 63 characters");
  if (!MatchesDns1123Label(value)) {
    out.push_back(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
        "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  }
  return out;
}

std::vector<std::string> CheckDns1035Label(std::string_view value) {
  std::vector<std::string> out;
  if (value.size() > 63) out.push_back("must be no more than 63 characters");
  if (!MatchesDns1123Label(value) || !(value.front() >= 'a' && value.front() <= 'z')) {
    out.push_back(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
        "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
        "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
  }
  return out;
}

std::vector<std::string> CheckDns1123Subdomain(std::string_view value) {
  std::vector<std::string> out;
  if (value.size() > 253) out.push_back("must be no more than 253 characters");
  bool ok = !value.empty();
  std::size_t start = 0;
  while (ok) {
    std::size_t dot = value.find('.', start);
    std::string_view part = value.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    ok = MatchesDns1123Label(part);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (!ok) {
    out.push_back(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
        "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  }
  return out;
}

std::vector<std::string> CheckQualifiedName(std::string_view value) {
  std::vector<std::string> out;
  std::string_view name = value;
  auto slash = value.find('/');
  if (slash != std::string_view::npos) {
    std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      out.push_back("prefix part must be non-empty");
    } else {
      for (const std::string& p : CheckDns1123Subdomain(prefix)) out.push_back("prefix part " + p);
    }
    if (name.find('/') != std::string_view::npos) {
      out.push_back(
          "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
          "an alphanumeric character, with an optional DNS subdomain prefix and '/'");
      return out;
    }
  }
  if (name.empty()) {
    out.push_back("name part must be non-empty");
  } else {
    if (name.size() > 63) out.push_back("name part must be no more than 63 characters");
    if (!MatchesQualifiedNamePart(name)) {
      out.push_back(
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
          "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
          "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
    }
  }
  return out;
}

std::vector<std::string> CheckLabelValue(std::string_view value) {
  std::vector<std::string> out;
  if (value.size() > 63) out.push_back("must be no more than 63 characters");
  if (!value.empty() && !MatchesQualifiedNamePart(value)) {
    out.push_back(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
        "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
        "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  }
  return out;
}

std::vector<std::string> CheckPortName(std::string_view value) {
  std::vector<std::string> out;
  if (value.size() > 15) out.push_back("must be no more than 15 characters");
  bool chars_ok = !value.empty();
  bool has_letter = false;
  for (char c : value) {
    if (c >= 'a' && c <= 'z') has_letter = true;
    if (!IsLowerAlnum(c) && c != '-') chars_ok = false;
  }
  if (!chars_ok) out.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (value.find("--") != std::string_view::npos) out.push_back("must not contain consecutive hyphens");
  if (!has_letter) out.push_back("must contain at least one letter (a-z)");
  if (!value.empty() && (value.front() == '-' || value.back() == '-')) {
    out.push_back("must not begin or end with a hyphen");
  }
  return out;
}

std::vector<std::string> CheckConfigMapKey(std::string_view value) {
  std::vector<std::string> out;
  if (value.size() > 253) out.push_back("must be no more than 253 characters");
  bool ok = !value.empty();
  for (char c : value) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') ok = false;
  }
  if (!ok) {
    out.push_back(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
        "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  }
  if (value == ".") out.push_back("must not be '.'");
  else if (value == "..") out.push_back("must not be '..'");
  else if (value.substr(0, 2) == "..") out.push_back("must not start with '..'");
  return out;
}

std::vector<std::string> CheckPathSegmentName(std::string_view value) {
  std::vector<std::string> out;
  if (value == "." || value == "..") out.push_back("may not be '" + std::string(value) + "'");
  if (value.find('/') != std::string_view::npos) out.push_back("may not contain '/'");
  if (value.find('%') != std::string_view::npos) out.push_back("may not contain '%'");
  return out;
}

std::vector<std::string> CheckEnvVarName(std::string_view value) {
  std::vector<std::string> out;
  bool ok = !value.empty();
  for (char c : value) {
    if (c < 32 || c > 126 || c == '=') ok = false;
  }
  if (!ok) out.push_back("a valid environment variable name must consist only of printable ASCII characters other than '='");
  return out;
}

std::string JoinProblems(const std::vector<std::string>& problems) {
  std::string out;
  for (const std::string& p : problems) {
    if (!out.empty()) out += "; ";
    out += p;
  }
  return out;
}

}  // namespace moor::manifests::internal
