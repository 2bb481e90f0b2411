#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "moor/api/node_services.h"
#include "moor/manifests/object.h"

namespace moor::api::testenv {

// An in-memory PodLogSource: per container a log of lines that tests append to, a previous
// log, or a waiting reason. Follows like the real one: sends appended lines until the sink or
// keep_following says stop. Thread-safe.
class FakeLogSource final : public PodLogSource {
 public:
  // Adds lines ("x\n" each) to the current log of ns/pod/container.
  void Append(const std::string& ns, const std::string& pod, const std::string& container,
              const std::vector<std::string>& lines);
  void SetPrevious(const std::string& ns, const std::string& pod, const std::string& container,
                   const std::vector<std::string>& lines);
  // The container has not started: Stream fails with kFailedPrecondition.
  void SetWaiting(const std::string& ns, const std::string& pod, const std::string& container,
                  const std::string& reason);

  Status Stream(const PodLogRequest& request, const std::function<bool(std::string_view)>& sink) override;

  // Requests seen so far, oldest first.
  std::vector<PodLogRequest> requests() const;
  // How many follow streams are running now / have returned.
  int following() const;
  int finished_follows() const;

 private:
  struct Container {
    std::vector<std::string> lines;
    std::optional<std::vector<std::string>> previous;
    std::string waiting;
  };
  static std::string Key(const std::string& ns, const std::string& pod, const std::string& container);

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, Container> containers_;  // GUARDED_BY(mu_)
  std::vector<PodLogRequest> requests_;          // GUARDED_BY(mu_)
  int following_ = 0;                            // GUARDED_BY(mu_)
  int finished_follows_ = 0;                     // GUARDED_BY(mu_)
};

// An in-memory ImageService. Images with in_use refuse removal. Thread-safe.
class FakeImageService final : public ImageService {
 public:
  void Add(const ImageSummary& image);
  // Pull of this reference fails with `status`.
  void FailPull(const std::string& reference, const Status& status);
  // Import of this path yields these images (others: kNotFound).
  void SetArchive(const std::string& path, const std::vector<ImageSummary>& images);

  StatusOr<std::vector<ImageSummary>> List() override;
  StatusOr<ImageSummary> Pull(const std::string& reference) override;
  Status Remove(const std::string& reference_or_id) override;
  StatusOr<std::vector<ImageSummary>> Import(const std::string& path) override;
  StatusOr<std::vector<std::string>> Prune() override;

 private:
  std::mutex mu_;
  std::vector<ImageSummary> images_;                                 // GUARDED_BY(mu_)
  std::map<std::string, Status> pull_failures_;                      // GUARDED_BY(mu_)
  std::map<std::string, std::vector<ImageSummary>> archives_;        // GUARDED_BY(mu_)
};

// A Pod object (v1) named `name` in `ns` with containers of these names, bound to node1.
manifests::Object PodJson(const std::string& name, const std::vector<std::string>& containers,
                          const std::string& ns = "default");

}  // namespace moor::api::testenv
