#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace moor::manifests::internal {

// Kubernetes' name and key syntax rules (k8s.io/apimachinery/pkg/util/validation). Each
// returns the list of problems in Kubernetes' wording; empty means valid.
std::vector<std::string> CheckDns1123Label(std::string_view value);      // <= 63, [a-z0-9]([-a-z0-9]*[a-z0-9])?
std::vector<std::string> CheckDns1035Label(std::string_view value);      // <= 63, [a-z]([-a-z0-9]*[a-z0-9])?
std::vector<std::string> CheckDns1123Subdomain(std::string_view value);  // <= 253, labels joined by '.'
std::vector<std::string> CheckQualifiedName(std::string_view value);     // [prefix/]name (label/annotation keys)
std::vector<std::string> CheckLabelValue(std::string_view value);        // <= 63, empty or alnum at ends
std::vector<std::string> CheckPortName(std::string_view value);          // IANA_SVC_NAME
std::vector<std::string> CheckConfigMapKey(std::string_view value);      // [-._a-zA-Z0-9]+, <= 253
std::vector<std::string> CheckPathSegmentName(std::string_view value);   // not "." "..", no '/' '%'
std::vector<std::string> CheckEnvVarName(std::string_view value);        // printable ASCII, no '='

// "a, b" joined for messages.
std::string JoinProblems(const std::vector<std::string>& problems);

}  // namespace moor::manifests::internal
