// `moor image ls | pull REF | rm REF... | import FILE | prune`
#include "image_verb.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "client_config.h"

namespace moor::cli {
namespace {

constexpr size_t kTruncatedIdLength = 13;  // crictl's
constexpr size_t kMinColumnWidth = 20;     // crictl's tabwriter: minwidth 20, padding 3
constexpr size_t kPadding = 3;

using Row = std::array<std::string, 4>;

// (repository, tag) of a reference as crictl splits it.
std::pair<std::string, std::string> RepoAndTag(const std::string& reference) {
  if (auto at = reference.find('@'); at != std::string::npos) return {reference.substr(0, at), "<none>"};
  size_t slash = reference.rfind('/');
  size_t colon = reference.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    return {reference.substr(0, colon), reference.substr(colon + 1)};
  }
  return {reference, "<none>"};
}

std::string ShortId(const std::string& id) {
  std::string hex = id.rfind("sha256:", 0) == 0 ? id.substr(7) : id;
  return hex.substr(0, kTruncatedIdLength);
}

int Fail(const Status& status) {
  if (status.code() == StatusCode::kUnavailable) return ReportError(status);
  PrintServerError(status);
  return 1;
}

int RunList(const GlobalOptions& global) {
  auto client = ConnectClient(global);
  if (!client.ok()) return ReportError(client.status());
  auto images = (*client)->ListImages();
  if (!images.ok()) return Fail(images.status());
  std::cout << FormatImageTable(*images);
  return 0;
}

int RunPull(const GlobalOptions& global, const std::string& reference) {
  auto client = ConnectClient(global);
  if (!client.ok()) return ReportError(client.status());
  auto image = (*client)->PullImage(reference);
  if (!image.ok()) return Fail(image.status());
  std::cout << "Image is up to date for " << image->id << "\n";
  return 0;
}

int RunRemove(const GlobalOptions& global, const std::vector<std::string>& references) {
  auto client = ConnectClient(global);
  if (!client.ok()) return ReportError(client.status());
  int failures = 0;
  for (const auto& reference : references) {
    Status removed = (*client)->RemoveImage(reference);
    if (!removed.ok()) {
      Fail(removed);
      ++failures;
      continue;
    }
    std::cout << "Deleted: " << reference << "\n";
  }
  return failures > 0 ? 1 : 0;
}

int RunImport(const GlobalOptions& global, const std::string& file) {
  // The server reads the file; it runs on this host, so an absolute path names the same file.
  std::error_code ec;
  std::filesystem::path path = std::filesystem::absolute(file, ec);
  if (ec) return ReportError(InvalidArgumentError("bad path " + file + ": " + ec.message()));
  auto client = ConnectClient(global);
  if (!client.ok()) return ReportError(client.status());
  auto images = (*client)->ImportImage(path.string());
  if (!images.ok()) return Fail(images.status());
  for (const auto& image : *images) {
    if (image.references.empty()) std::cout << "Loaded image ID: " << image.id << "\n";
    for (const auto& reference : image.references) std::cout << "Loaded image: " << reference << "\n";
  }
  return 0;
}

int RunPrune(const GlobalOptions& global) {
  auto client = ConnectClient(global);
  if (!client.ok()) return ReportError(client.status());
  auto deleted = (*client)->PruneImages();
  if (!deleted.ok()) return Fail(deleted.status());
  for (const auto& id : *deleted) std::cout << "Deleted: " << id << "\n";
  return 0;
}

}  // namespace

std::string HumanSize(int64_t bytes) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  double size = static_cast<double>(bytes);
  size_t unit = 0;
  while (size >= 1000.0 && unit + 1 < std::size(kUnits)) {
    size /= 1000.0;
    ++unit;
  }
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.3g%s", size, kUnits[unit]);
  return buf;
}

std::string FormatImageTable(const std::vector<api::ImageSummary>& images) {
  std::vector<Row> rows;
  for (const auto& image : images) {
    std::string id = ShortId(image.id);
    std::string size = HumanSize(image.size);
    if (image.references.empty()) rows.push_back({"<none>", "<none>", id, size});
    for (const auto& reference : image.references) {
      auto [repo, tag] = RepoAndTag(reference);
      rows.push_back({repo, tag, id, size});
    }
  }
  std::sort(rows.begin(), rows.end());
  rows.insert(rows.begin(), Row{"IMAGE", "TAG", "IMAGE ID", "SIZE"});
  std::array<size_t, 4> widths{};
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], std::max(kMinColumnWidth, row[i].size() + kPadding));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size(), ' ');
    }
    out += line + "\n";
  }
  return out;
}

void AddImageVerb(CLI::App& app, GlobalOptions& global, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("image", "Images on this node: moor image ls|pull REF|rm REF...|import FILE|prune");
  cmd->require_subcommand(1);

  CLI::App* ls = cmd->add_subcommand("ls", "List images (IMAGE TAG IMAGE ID SIZE)");
  ls->alias("list");
  ls->callback([&global, &exit_code] { exit_code = RunList(global); });

  auto reference = std::make_shared<std::string>();
  CLI::App* pull = cmd->add_subcommand("pull", "Pull an image from its registry (mirrors and credentials from the "
                                               "server's config)");
  pull->add_option("reference", *reference, "Image reference, e.g. nginx:1.25 or 127.0.0.1:5000/app:v1")->required();
  pull->callback([reference, &global, &exit_code] { exit_code = RunPull(global, *reference); });

  auto references = std::make_shared<std::vector<std::string>>();
  CLI::App* rm = cmd->add_subcommand("rm", "Remove images by reference or id (refused while a container uses one)");
  rm->add_option("references", *references, "Image references or ids")->required();
  rm->callback([references, &global, &exit_code] { exit_code = RunRemove(global, *references); });

  auto file = std::make_shared<std::string>();
  CLI::App* import = cmd->add_subcommand("import", "Import a `docker save` or OCI archive tarball (a file on the "
                                                   "server's host)");
  import->add_option("file", *file, "The archive")->required();
  import->callback([file, &global, &exit_code] { exit_code = RunImport(global, *file); });

  CLI::App* prune = cmd->add_subcommand("prune", "Remove images that no container uses and no reference names");
  prune->callback([&global, &exit_code] { exit_code = RunPrune(global); });
}

}  // namespace moor::cli
