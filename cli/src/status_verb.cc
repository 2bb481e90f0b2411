// `moor status`: each source, and the last sync of each of its files, with errors.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "client_config.h"
#include "moor/common/clock.h"
#include "verbs.h"

namespace moor::cli {
namespace {

std::string Columns(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& r : rows) {
    widths.resize(std::max(widths.size(), r.size()), 0);
    for (std::size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(widths[i] - r[i].size() + 3, ' ');
    }
    out += line + "\n";
  }
  return out;
}

int RunStatus(const GlobalOptions& global) {
  auto client = ConnectClient(global);
  if (!client.ok()) return ReportError(client.status());
  auto status = (*client)->SourceStatus();
  if (!status.ok()) return ReportError(status.status());
  WallTime now = SystemClock().Now();
  std::string out;
  for (const auto& source : (*status).value("sources", nlohmann::json::array())) {
    out += "Source " + source.value("name", "") + " (" + source.value("type", "") + "): " +
           source.value("location", "") + "\n";
    const auto& files = source.value("files", nlohmann::json::array());
    if (files.empty()) {
      out += "  no files synced yet\n\n";
      continue;
    }
    std::vector<std::vector<std::string>> rows = {{"FILE", "RESULT", "OBJECTS", "SYNCED", "REVISION"}};
    std::vector<std::string> errors;
    int failed = 0;
    for (const auto& file : files) {
      int objects = 0;
      for (const auto& o : file.value("objects", nlohmann::json::array())) {
        std::string action = o.value("action", "");
        if (action != "pruned" && action != "failed") ++objects;
      }
      std::string result = file.value("result", "");
      if (result == "Failed") ++failed;
      std::string age = "-";
      auto t = ParseRfc3339(file.value("time", ""));
      if (t.ok()) age = HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(now - *t)) + " ago";
      rows.push_back({file.value("path", ""), result, result == "Failed" ? "-" : std::to_string(objects), age,
                      file.value("revision", "").substr(0, 12)});
      for (const auto& e : file.value("errors", nlohmann::json::array())) errors.push_back(e.get<std::string>());
    }
    std::string table = Columns(rows);
    std::string indented;
    std::size_t start = 0;
    while (start < table.size()) {
      std::size_t end = table.find('\n', start);
      indented += "  " + table.substr(start, end - start) + "\n";
      start = end + 1;
    }
    out += indented;
    out += "  " + std::to_string(files.size()) + " file(s), " + std::to_string(failed) + " failed\n";
    if (!errors.empty()) {
      out += "  Errors and warnings (a failed file changes nothing; its last applied objects stay):\n";
      for (const auto& e : errors) out += "    " + e + "\n";
    }
    out += "\n";
  }
  std::cout << out;
  return 0;
}

}  // namespace

void AddStatusVerb(CLI::App& app, GlobalOptions& global, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("status", "Show sources, the last sync of every file, and errors");
  cmd->callback([&global, &exit_code] { exit_code = RunStatus(global); });
}

}  // namespace moor::cli
