#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "moor/manifests/kinds.h"

namespace moor::cli {

// "deployment.apps", "pod" — the resource name kubectl prints in messages and -o name.
std::string ResourceName(const manifests::KindInfo& kind);
// "deployment.apps/web"
std::string QualifiedName(const manifests::KindInfo& kind, const std::string& name);

// One kind's rows, as the server's meta.k8s.io/v1 Table returned them.
struct TableSection {
  const manifests::KindInfo* kind = nullptr;
  nlohmann::json table;
};

struct TableStyle {
  bool wide = false;            // include priority > 0 columns (-o wide)
  bool all_namespaces = false;  // prepend NAMESPACE (-A)
  bool kind_prefix = false;     // names as "deployment.apps/web" (several kinds asked for)
};

// Prints sections like kubectl: columns padded with three spaces, a blank line between kinds.
// Returns the number of rows printed.
int PrintTables(const std::vector<TableSection>& sections, const TableStyle& style, std::string& out);

// -o json / -o yaml as kubectl: a single object named on the command line as is; anything
// else (a listing, even of one object, or several names) wrapped in a v1 List.
std::string FormatObjects(const std::vector<nlohmann::json>& objects, const std::string& format, bool single_named);

}  // namespace moor::cli
