#include "container_dir.h"

#include <nlohmann/json.hpp>

#include "moor/common/files.h"

namespace moor::runtime {

StatusOr<ContainerRecord> ContainerDir::ReadRecord() const {
  auto text = ReadFileLimited(record(), 1 << 20);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return NotFoundError("container " + id_ + " not found");
    return text.status();
  }
  try {
    auto j = nlohmann::json::parse(*text);
    ContainerRecord r;
    r.id = j.value("id", id_);
    r.name = j.value("name", "");
    r.labels = j.value("labels", std::map<std::string, std::string>{});
    r.log_path = j.value("logPath", "");
    r.cgroup_path = j.value("cgroupPath", "");
    r.created_at = j.value("createdAt", "");
    r.started_at = j.value("startedAt", "");
    return r;
  } catch (const std::exception& e) {
    return InternalError(record() + " is not valid: " + e.what());
  }
}

Status ContainerDir::WriteRecord(const ContainerRecord& r) const {
  nlohmann::json j = {
      {"id", r.id},
      {"name", r.name},
      {"labels", r.labels},
      {"logPath", r.log_path},
      {"cgroupPath", r.cgroup_path},
      {"createdAt", r.created_at},
      {"startedAt", r.started_at},
  };
  return WriteFileAtomic(record(), j.dump(2) + "\n", 0600);
}

}  // namespace moor::runtime
