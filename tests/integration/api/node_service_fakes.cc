#include "node_service_fakes.h"

#include <algorithm>
#include <chrono>

namespace moor::api::testenv {

std::string FakeLogSource::Key(const std::string& ns, const std::string& pod, const std::string& container) {
  return ns + "/" + pod + "/" + container;
}

void FakeLogSource::Append(const std::string& ns, const std::string& pod, const std::string& container,
                           const std::vector<std::string>& lines) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& c = containers_[Key(ns, pod, container)];
  c.lines.insert(c.lines.end(), lines.begin(), lines.end());
  changed_.notify_all();
}

void FakeLogSource::SetPrevious(const std::string& ns, const std::string& pod, const std::string& container,
                                const std::vector<std::string>& lines) {
  std::lock_guard<std::mutex> lock(mu_);
  containers_[Key(ns, pod, container)].previous = lines;
}

void FakeLogSource::SetWaiting(const std::string& ns, const std::string& pod, const std::string& container,
                               const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  containers_[Key(ns, pod, container)].waiting = reason;
}

Status FakeLogSource::Stream(const PodLogRequest& request, const std::function<bool(std::string_view)>& sink) {
  std::unique_lock<std::mutex> lock(mu_);
  requests_.push_back(request);
  const std::string key = Key(request.ns, request.pod, request.container);
  Container& c = containers_[key];
  if (!c.waiting.empty()) {
    return FailedPreconditionError("container \"" + request.container + "\" in pod \"" + request.pod +
                                   "\" is waiting to start: " + c.waiting);
  }
  auto render = [&](const std::string& line) {
    return (request.timestamps ? "2027-01-15T08:00:00.000000000Z " : "") + line + "\n";
  };
  std::vector<std::string> lines = request.previous ? c.previous.value_or(std::vector<std::string>{}) : c.lines;
  if (request.previous && !c.previous) {
    return InvalidArgumentError("previous terminated container \"" + request.container + "\" in pod \"" +
                                request.pod + "\" not found");
  }
  size_t start = 0;
  if (request.tail_lines) start = lines.size() - std::min<size_t>(lines.size(), *request.tail_lines);
  std::string text;
  for (size_t i = start; i < lines.size(); ++i) text += render(lines[i]);
  size_t sent = lines.size();
  lock.unlock();
  if (!text.empty() && !sink(text)) return Status::Ok();
  if (!request.follow || request.previous) return Status::Ok();

  lock.lock();
  ++following_;
  changed_.notify_all();
  while (true) {
    changed_.wait_for(lock, std::chrono::milliseconds(50));
    if (request.keep_following && !request.keep_following()) break;
    std::vector<std::string>& now = containers_[key].lines;
    if (now.size() <= sent) continue;
    std::string more;
    for (size_t i = sent; i < now.size(); ++i) more += render(now[i]);
    sent = now.size();
    lock.unlock();
    bool go_on = sink(more);
    lock.lock();
    if (!go_on) break;
  }
  --following_;
  ++finished_follows_;
  changed_.notify_all();
  return Status::Ok();
}

std::vector<PodLogRequest> FakeLogSource::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

int FakeLogSource::following() const {
  std::lock_guard<std::mutex> lock(mu_);
  return following_;
}

int FakeLogSource::finished_follows() const {
  std::lock_guard<std::mutex> lock(mu_);
  return finished_follows_;
}

void FakeImageService::Add(const ImageSummary& image) {
  std::lock_guard<std::mutex> lock(mu_);
  images_.push_back(image);
}

void FakeImageService::FailPull(const std::string& reference, const Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  pull_failures_[reference] = status;
}

void FakeImageService::SetArchive(const std::string& path, const std::vector<ImageSummary>& images) {
  std::lock_guard<std::mutex> lock(mu_);
  archives_[path] = images;
}

StatusOr<std::vector<ImageSummary>> FakeImageService::List() {
  std::lock_guard<std::mutex> lock(mu_);
  return images_;
}

StatusOr<ImageSummary> FakeImageService::Pull(const std::string& reference) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = pull_failures_.find(reference); it != pull_failures_.end()) return it->second;
  for (const auto& image : images_) {
    for (const auto& r : image.references) {
      if (r == reference) return image;
    }
  }
  ImageSummary image;
  image.id = "sha256:" + std::string(64 - std::to_string(images_.size()).size(), 'a') + std::to_string(images_.size());
  image.references = {reference};
  image.size = 1234567;
  images_.push_back(image);
  return image;
}

Status FakeImageService::Remove(const std::string& reference_or_id) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = images_.begin(); it != images_.end(); ++it) {
    bool match = it->id == reference_or_id ||
                 std::find(it->references.begin(), it->references.end(), reference_or_id) != it->references.end();
    if (!match) continue;
    if (it->in_use) {
      return FailedPreconditionError("image " + reference_or_id + " is in use by a container");
    }
    images_.erase(it);
    return Status::Ok();
  }
  return NotFoundError("image \"" + reference_or_id + "\" not found");
}

StatusOr<std::vector<ImageSummary>> FakeImageService::Import(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = archives_.find(path);
  if (it == archives_.end()) return NotFoundError("open " + path + ": no such file");
  images_.insert(images_.end(), it->second.begin(), it->second.end());
  return it->second;
}

StatusOr<std::vector<std::string>> FakeImageService::Prune() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> removed;
  std::vector<ImageSummary> kept;
  for (auto& image : images_) {
    if (!image.in_use && image.references.empty()) {
      removed.push_back(image.id);
    } else {
      kept.push_back(image);
    }
  }
  images_ = kept;
  return removed;
}

manifests::Object PodJson(const std::string& name, const std::vector<std::string>& containers, const std::string& ns) {
  manifests::Object list = manifests::Object::array();
  for (const auto& c : containers) list.push_back({{"name", c}, {"image", "busybox:1.36"}});
  return manifests::Object{{"apiVersion", "v1"},
                           {"kind", "Pod"},
                           {"metadata", {{"name", name}, {"namespace", ns}}},
                           {"spec", {{"nodeName", "node1"}, {"containers", list}}}};
}

}  // namespace moor::api::testenv
