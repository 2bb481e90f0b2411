#include "pod_watch.h"

#include <fcntl.h>
#include <unistd.h>

#include "moor/api/kubeconfig.h"
#include "moor/common/files.h"

namespace moor::bench {

namespace fs = std::filesystem;

StatusOr<std::unique_ptr<PodWatch>> PodWatch::Start(const fs::path& kubeconfig, const fs::path& work_dir) {
  MOOR_ASSIGN_OR_RETURN(api::Kubeconfig config, api::ReadKubeconfig(kubeconfig));
  std::unique_ptr<PodWatch> watch(new PodWatch());
  const fs::path ca = work_dir / "watch-ca.pem", header = work_dir / "watch-header";
  MOOR_RETURN_IF_ERROR(WriteFileAtomic(ca, config.ca_pem));
  // The token goes in a file (curl's -H @file) so that it is not on a command line.
  MOOR_RETURN_IF_ERROR(WriteFileAtomic(header, "Authorization: Bearer " + config.token + "\n"));
  watch->out_path_ = work_dir / "watch.out";
  watch->curl_ = std::make_unique<testing::ChildProcess>(
      std::vector<std::string>{"curl", "-sSN", "--cacert", ca.string(), "-H", "@" + header.string(),
                               config.server + "/api/v1/pods?watch=true&timeoutSeconds=3600"},
      watch->out_path_.string());
  for (int i = 0; i < 100 && watch->fd_ < 0; ++i) {  // ChildProcess creates the file in the child
    watch->fd_ = ::open(watch->out_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (watch->fd_ < 0) ::usleep(10000);
  }
  if (watch->fd_ < 0) return UnavailableError("curl's output " + watch->out_path_.string() + " never appeared");
  return watch;
}

bool PodWatch::Drain(const std::function<void(const std::string&, const nlohmann::json&)>& on_event) {
  const bool running = curl_->Running();  // read before draining, so nothing written before the exit is missed
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd_, buf, sizeof buf)) > 0) partial_.append(buf, static_cast<std::size_t>(n));
  std::size_t start = 0, end;
  while ((end = partial_.find('\n', start)) != std::string::npos) {
    std::string line = partial_.substr(start, end - start);
    start = end + 1;
    nlohmann::json event = nlohmann::json::parse(line, nullptr, false);
    if (event.is_object() && event.contains("type") && event["type"].is_string() && event.contains("object")) {
      on_event(event["type"].get<std::string>(), event["object"]);
    } else if (!line.empty()) {
      other_ += line + "\n";
    }
  }
  partial_.erase(0, start);
  return running;
}

PodWatch::~PodWatch() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace moor::bench
