#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "moor/common/status.h"
#include "moor/runtime/pod_network.h"

namespace moor::runtime {

// What CniNetwork remembers about one sandbox, so that Inspect and Teardown work from another
// process (daemon restart) with exactly the configuration and results of the ADD.
struct SandboxRecord {
  std::string id;
  std::string container_id;      // CNI_CONTAINERID
  std::string netns_path;
  bool ready = false;            // false while Setup runs (or if it crashed midway)
  std::vector<PortMapping> ports;
  nlohmann::json conflist;           // the pod network conflist used for ADD
  nlohmann::json result;             // final ADD result of `conflist`; null until known
  std::string ip;                    // from `result`
  std::string gateway;
};

// One JSON file per sandbox in a directory (<state_dir>/sandboxes/<id>.json), written atomically.
// Thread-safe for different ids; callers serialize calls for one id.
class SandboxRecords {
 public:
  explicit SandboxRecords(std::string dir) : dir_(std::move(dir)) {}

  Status Save(const SandboxRecord& record);
  // std::nullopt if there is no record; kInternal (naming the file) if it is unreadable.
  StatusOr<std::optional<SandboxRecord>> Load(const std::string& id) const;
  // OK if missing.
  Status Remove(const std::string& id);
  // Ids with a record, sorted; empty if the directory does not exist.
  StatusOr<std::vector<std::string>> List() const;

 private:
  std::string PathFor(const std::string& id) const { return dir_ + "/" + id + ".json"; }

  std::string dir_;
};

}  // namespace moor::runtime
