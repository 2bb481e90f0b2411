#pragma once

#include <map>
#include <string>

#include "moor/common/status.h"

namespace moor::runtime {

// What the runtime remembers about a container besides runc's own state, in container.json.
struct ContainerRecord {
  std::string id;
  std::string name;
  std::map<std::string, std::string> labels;
  std::string log_path;
  std::string cgroup_path;  // "/<cgroup_parent>/<id>"
  std::string created_at;   // RFC 3339
  std::string started_at;   // RFC 3339, empty until started
};

// The layout of one container's state directory <state_dir>/<id>/:
//   container.json     ContainerRecord
//   bundle/config.json the OCI spec; bundle/rootfs the overlay mount point
//   overlay/upper, overlay/work
//   persist/           conmon's persist dir: "exit" (exit code), "oom" (OOM kill seen)
//   exits/             conmon's exit dir: "<id>" (exit code)
//   conmon.pid, container.pid, conmon.log (conmon's own output before it detaches)
class ContainerDir {
 public:
  ContainerDir(const std::string& state_dir, const std::string& id) : root_(state_dir + "/" + id), id_(id) {}

  const std::string& root() const { return root_; }
  std::string record() const { return root_ + "/container.json"; }
  std::string bundle() const { return root_ + "/bundle"; }
  std::string config() const { return bundle() + "/config.json"; }
  std::string rootfs() const { return bundle() + "/rootfs"; }
  std::string upper() const { return root_ + "/overlay/upper"; }
  std::string work() const { return root_ + "/overlay/work"; }
  std::string persist() const { return root_ + "/persist"; }
  std::string exit_file() const { return persist() + "/exit"; }
  std::string oom_file() const { return persist() + "/oom"; }
  std::string exit_dir() const { return root_ + "/exits"; }
  std::string socket_dir() const { return root_ + "/sockets"; }
  std::string conmon_pid_file() const { return root_ + "/conmon.pid"; }
  std::string container_pid_file() const { return root_ + "/container.pid"; }
  std::string conmon_log() const { return root_ + "/conmon.log"; }

  // kNotFound if there is no container.json (not a container, or removed).
  StatusOr<ContainerRecord> ReadRecord() const;
  Status WriteRecord(const ContainerRecord& record) const;

 private:
  std::string root_;
  std::string id_;
};

}  // namespace moor::runtime
