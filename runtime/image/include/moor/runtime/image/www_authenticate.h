#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace moor::runtime {

// One challenge of a WWW-Authenticate header (RFC 7235), e.g.
//   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"
struct AuthChallenge {
  std::string scheme;                         // lower case: "bearer", "basic"
  std::map<std::string, std::string> params;  // keys lower case, values unquoted and unescaped
};

// Every challenge in one header value, in order. Malformed parts are skipped; an empty or
// unparseable header gives an empty list.
std::vector<AuthChallenge> ParseWwwAuthenticate(std::string_view header);

}  // namespace moor::runtime
