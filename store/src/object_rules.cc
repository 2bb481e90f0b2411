#include "object_rules.h"

#include <cctype>
#include <charconv>

#include "moor/common/files.h"
#include "moor/manifests/kinds.h"

namespace moor::store {

std::string GroupResourceOf(std::string_view kind) {
  if (const manifests::KindInfo* info = manifests::FindKindByKind(kind)) return info->GroupResource();
  std::string plural;
  for (char c : kind) plural += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!plural.empty() && plural.back() == 's') return plural + "es";
  if (plural.size() > 1 && plural.back() == 'y') return plural.substr(0, plural.size() - 1) + "ies";
  return plural + "s";
}

namespace {
std::string Quoted(const manifests::ObjectKey& key) { return GroupResourceOf(key.kind) + " \"" + key.name + "\""; }
}  // namespace

Status AlreadyExists(const manifests::ObjectKey& key) { return AlreadyExistsError(Quoted(key) + " already exists"); }

Status NotFound(const manifests::ObjectKey& key) { return NotFoundError(Quoted(key) + " not found"); }

Status StaleResourceVersion(const manifests::ObjectKey& key) {
  return ConflictError("Operation cannot be fulfilled on " + Quoted(key) +
                       ": the object has been modified; please apply your changes to the latest version and try again");
}

Status UidMismatch(const manifests::ObjectKey& key, std::string_view precondition_uid, std::string_view stored_uid) {
  return ConflictError("Operation cannot be fulfilled on " + Quoted(key) + ": Precondition failed: UID in precondition: " +
                       std::string(precondition_uid) + ", UID in object meta: " + std::string(stored_uid));
}

Status DeletePreconditionFailed(const manifests::ObjectKey& key, int64_t precondition_rv, int64_t stored_rv) {
  return ConflictError("Operation cannot be fulfilled on " + Quoted(key) +
                       ": Precondition failed: ResourceVersion in precondition: " + std::to_string(precondition_rv) +
                       ", ResourceVersion in object meta: " + std::to_string(stored_rv));
}

Status BeingDeletedExists(const manifests::ObjectKey& key) {
  return AlreadyExistsError("object is being deleted: " + Quoted(key) +
                            " already exists (Terminating); it can be created again once it is gone");
}

Status BeingDeletedUpdate(const manifests::ObjectKey& key) {
  return ConflictError("Operation cannot be fulfilled on " + Quoted(key) +
                       ": the object is being deleted (Terminating): only its metadata can change; it can be created again once it is gone");
}

std::string NewUid() {
  std::string hex = RandomHex(16);
  hex[12] = '4';                                    // version 4
  hex[16] = "89ab"[std::stoi(hex.substr(16, 1), nullptr, 16) & 3];  // RFC 4122 variant
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20, 12);
}

std::string RandomNameSuffix(size_t length) {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  while (out.size() < length) {
    std::string hex = RandomHex(length);
    for (size_t i = 0; i + 1 < hex.size() && out.size() < length; i += 2) {
      int byte = std::stoi(hex.substr(i, 2), nullptr, 16);
      if (byte >= 252) continue;  // 252 = 7 * 36: keep the distribution uniform
      out += kAlphabet[static_cast<size_t>(byte) % kAlphabet.size()];
    }
  }
  return out;
}

StatusOr<std::optional<int64_t>> ResourceVersionOf(const manifests::Object& obj) {
  if (!obj.is_object()) return std::optional<int64_t>();
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return std::optional<int64_t>();
  auto rv = meta->find("resourceVersion");
  if (rv == meta->end() || rv->is_null()) return std::optional<int64_t>();
  if (rv->is_number_unsigned() || (rv->is_number_integer() && rv->get<int64_t>() >= 0)) {
    return std::optional<int64_t>(rv->get<int64_t>());
  }
  if (rv->is_string()) {
    const std::string& text = rv->get_ref<const std::string&>();
    if (text.empty()) return std::optional<int64_t>();
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size() && value >= 0) return std::optional<int64_t>(value);
  }
  return InvalidArgumentError("metadata.resourceVersion: Invalid value: " + DumpJson(*rv) +
                              ": must be a non-negative decimal integer");
}

std::string MetadataString(const manifests::Object& obj, std::string_view field) {
  if (!obj.is_object()) return "";
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return "";
  auto it = meta->find(field);
  if (it == meta->end() || !it->is_string()) return "";
  return it->get<std::string>();
}

bool SpecEqual(const manifests::Object& a, const manifests::Object& b) {
  if (!a.is_object() || !b.is_object()) return a == b;
  // Compare key by key, skipping metadata and status, without copying the trees.
  auto skip = [](const std::string& key) { return key == "metadata" || key == "status"; };
  size_t a_count = 0;
  for (auto it = a.begin(); it != a.end(); ++it) {
    if (skip(it.key())) continue;
    ++a_count;
    auto other = b.find(it.key());
    if (other == b.end() || *other != it.value()) return false;
  }
  size_t b_count = 0;
  for (auto it = b.begin(); it != b.end(); ++it) {
    if (!skip(it.key())) ++b_count;
  }
  return a_count == b_count;
}

std::string DumpJson(const manifests::Object& obj) {
  return obj.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

manifests::Object KeepServerPopulatedFields(const manifests::Object& input, const manifests::Object& stored) {
  manifests::Object out = input;
  const std::string kind = manifests::KindOf(input);
  const std::string type = kind == "Service" ? manifests::StringAt(input, "spec.type") : "";
  for (const std::string& path : manifests::ServerPopulatedFields(kind)) {
    if (kind == "Service") {
      const bool node_ports = type == "NodePort" || type == "LoadBalancer";
      if (path == "spec.ports[*].nodePort" && !node_ports) continue;
      if (path.rfind("spec.clusterIP", 0) == 0 && type == "ExternalName") continue;
    }
    manifests::KeepFieldsAt(out, stored, path);
  }
  return out;
}

}  // namespace moor::store
