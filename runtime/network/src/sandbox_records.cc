#include "sandbox_records.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "moor/common/files.h"
#include "moor/runtime/cni/config.h"

namespace moor::runtime {

namespace {

constexpr std::size_t kMaxRecordBytes = 1 << 20;
constexpr std::string_view kSuffix = ".json";

std::string StringField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

nlohmann::json JsonField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() ? *it : nlohmann::json();
}

}  // namespace

Status SandboxRecords::Save(const SandboxRecord& r) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return UnavailableError("creating " + dir_ + ": " + ec.message());
  nlohmann::json j = {
      {"id", r.id},
      {"containerID", r.container_id},
      {"netns", r.netns_path},
      {"ready", r.ready},
      {"portMappings", cni::PortMappingsJson(r.ports)},
      {"conflist", r.conflist},
      {"result", r.result},
      {"ip", r.ip},
      {"gateway", r.gateway},
  };
  return WriteFileAtomic(PathFor(r.id), j.dump(2) + "\n", 0600);
}

StatusOr<std::optional<SandboxRecord>> SandboxRecords::Load(const std::string& id) const {
  const std::string path = PathFor(id);
  auto text = ReadFileLimited(path, kMaxRecordBytes);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return std::optional<SandboxRecord>();
    return text.status();
  }
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return InternalError("sandbox network record " + path + " is not a JSON object");
  SandboxRecord r;
  r.id = id;
  r.container_id = StringField(j, "containerID");
  r.netns_path = StringField(j, "netns");
  r.ready = j.value("ready", false);
  if (j.contains("portMappings")) {
    auto ports = cni::PortMappingsFromJson(j["portMappings"]);
    if (!ports.ok()) return InternalError("sandbox network record " + path + ": " + ports.status().message());
    r.ports = std::move(ports).value();
  }
  r.conflist = JsonField(j, "conflist");
  r.result = JsonField(j, "result");
  r.ip = StringField(j, "ip");
  r.gateway = StringField(j, "gateway");
  return std::optional<SandboxRecord>(std::move(r));
}

Status SandboxRecords::Remove(const std::string& id) {
  std::error_code ec;
  std::filesystem::remove(PathFor(id), ec);
  if (ec) return UnavailableError("removing " + PathFor(id) + ": " + ec.message());
  return Status::Ok();
}

StatusOr<std::vector<std::string>> SandboxRecords::List() const {
  std::vector<std::string> ids;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir_, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return ids;
    return UnavailableError("listing " + dir_ + ": " + ec.message());
  }
  for (const auto& entry : it) {
    std::string name = entry.path().filename().string();
    if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix)) continue;  // skips WriteFileAtomic temps
    std::string id = name.substr(0, name.size() - kSuffix.size());
    if (cni::IsValidSandboxId(id)) ids.push_back(std::move(id));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace moor::runtime
