#include "moor/runtime/image_reference.h"

#include <cctype>
#include <string>

#include "moor/runtime/image/digest.h"

// The grammar is Docker's (github.com/distribution/reference):
//   reference        := name [ ":" tag ] [ "@" digest ]
//   name             := [domain '/'] path-component ['/' path-component]*
//   domain           := host [':' port-number]
//   host             := domain-name | IPv4address | '[' IPv6address ']'
//   domain-name      := domain-component ['.' domain-component]*
//   domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
//   path-component   := alpha-numeric [separator alpha-numeric]*
//   alpha-numeric    := /[a-z0-9]+/
//   separator        := /[_.]|__|[-]*/
//   tag              := /[\w][\w.-]{0,127}/
// and the normalization is ParseNormalizedNamed's: a first component without '.' or ':', not
// "localhost" and all lowercase is a Docker Hub path; single-component Docker Hub names get
// "library/"; "index.docker.io" is "docker.io"; no tag and no digest means ":latest".

namespace moor::runtime {
namespace {

constexpr std::string_view kDockerHub = "docker.io";
constexpr std::size_t kNameTotalLengthMax = 255;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool IsWordChar(char c) { return IsAlnum(c) || c == '_'; }

bool IsDomainComponent(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-') return false;
  }
  return true;
}

bool IsPort(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsDomain(std::string_view s) {
  std::string_view host = s;
  if (!s.empty() && s.front() == '[') {
    std::size_t close = s.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    for (char c : s.substr(1, close - 1)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':') return false;
    }
    std::string_view rest = s.substr(close + 1);
    if (rest.empty()) return true;
    return rest.front() == ':' && IsPort(rest.substr(1));
  }
  std::size_t colon = s.find(':');
  if (colon != std::string_view::npos) {
    if (!IsPort(s.substr(colon + 1))) return false;
    host = s.substr(0, colon);
  }
  while (true) {
    std::size_t dot = host.find('.');
    if (!IsDomainComponent(host.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    host = host.substr(dot + 1);
  }
}

// path-component with Docker's separators: "." "_" "__" or any run of "-".
bool IsPathComponent(std::string_view s) {
  if (s.empty() || !IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  std::size_t i = 0;
  while (i < s.size()) {
    if (IsLowerAlnum(s[i])) {
      ++i;
      continue;
    }
    std::size_t start = i;
    while (i < s.size() && !IsLowerAlnum(s[i])) ++i;
    std::string_view sep = s.substr(start, i - start);
    bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
  }
  return true;
}

bool IsPath(std::string_view s) {
  while (true) {
    std::size_t slash = s.find('/');
    if (!IsPathComponent(s.substr(0, slash))) return false;
    if (slash == std::string_view::npos) return true;
    s = s.substr(slash + 1);
  }
}

bool IsTag(std::string_view s) {
  if (s.empty() || s.size() > 128 || !IsWordChar(s.front())) return false;
  for (char c : s) {
    if (!IsWordChar(c) && c != '.' && c != '-') return false;
  }
  return true;
}

// digest := algorithm ":" hex, algorithm components [A-Za-z][A-Za-z0-9]* joined by [+._-],
// hex [0-9a-fA-F]{32,}. Only the shape; the algorithm is checked by ValidateDigest.
bool LooksLikeDigest(std::string_view s) {
  std::size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view algorithm = s.substr(0, colon);
  std::string_view hex = s.substr(colon + 1);
  bool component_start = true;
  for (char c : algorithm) {
    if (component_start) {
      if (!std::isalpha(static_cast<unsigned char>(c))) return false;
      component_start = false;
    } else if (c == '+' || c == '.' || c == '_' || c == '-') {
      component_start = true;
    } else if (!IsAlnum(c)) {
      return false;
    }
  }
  if (component_start || hex.size() < 32) return false;
  for (char c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status Invalid(std::string_view text, std::string_view reason) {
  std::string message = "invalid reference format";
  if (!reason.empty()) message += ": " + std::string(reason);
  return InvalidArgumentError(message + " (\"" + std::string(text) + "\")");
}

}  // namespace

std::string ImageReference::String() const {
  std::string out = registry + "/" + repository;
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

bool ImageReference::IsLatest() const { return digest.empty() && (tag.empty() || tag == "latest"); }

StatusOr<ImageReference> ParseImageReference(std::string_view text) {
  if (text.empty()) return Invalid(text, "repository name must have at least one component");
  if (IsHex64(text)) return Invalid(text, "cannot specify 64-byte hexadecimal strings as a repository name");

  ImageReference ref;
  std::string_view name = text;
  std::size_t at = name.find('@');
  if (at != std::string_view::npos) {
    std::string_view digest = name.substr(at + 1);
    if (!LooksLikeDigest(digest)) return Invalid(text, "");
    Status valid = ValidateDigest(digest);
    if (!valid.ok()) return Invalid(text, valid.message());
    ref.digest = std::string(digest);
    name = name.substr(0, at);
  }
  std::size_t colon = name.rfind(':');
  std::size_t slash = name.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    std::string_view tag = name.substr(colon + 1);
    if (!IsTag(tag)) return Invalid(text, "");
    ref.tag = std::string(tag);
    name = name.substr(0, colon);
  }
  if (name.empty()) return Invalid(text, "");

  // splitDockerDomain.
  std::string_view remainder = name;
  std::size_t first_slash = name.find('/');
  if (first_slash == std::string_view::npos) {
    ref.registry = std::string(kDockerHub);
  } else {
    std::string_view first = name.substr(0, first_slash);
    bool is_domain = first.find_first_of(".:") != std::string_view::npos || first == "localhost";
    for (char c : first) {
      if (c >= 'A' && c <= 'Z') is_domain = true;
    }
    if (is_domain) {
      if (!IsDomain(first)) return Invalid(text, "");
      ref.registry = first == "index.docker.io" ? std::string(kDockerHub) : std::string(first);
      remainder = name.substr(first_slash + 1);
    } else {
      ref.registry = std::string(kDockerHub);
    }
  }
  for (char c : remainder) {
    if (c >= 'A' && c <= 'Z') return Invalid(text, "repository name must be lowercase");
  }
  if (!IsPath(remainder)) return Invalid(text, "");
  ref.repository = std::string(remainder);
  if (ref.registry == kDockerHub && ref.repository.find('/') == std::string::npos) {
    ref.repository = "library/" + ref.repository;
  }
  if (ref.registry.size() + 1 + ref.repository.size() > kNameTotalLengthMax) {
    return Invalid(text, "repository name must not be more than 255 characters");
  }
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

}  // namespace moor::runtime
