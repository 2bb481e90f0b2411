#include "output.h"

#include <algorithm>
#include <cctype>

#include "yaml_writer.h"

namespace moor::cli {
namespace {

std::string CellText(const nlohmann::json& cell) {
  if (cell.is_string()) return cell.get<std::string>();
  if (cell.is_null()) return "<none>";
  return cell.dump();
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string ResourceName(const manifests::KindInfo& kind) {
  return kind.group.empty() ? kind.singular : kind.singular + "." + kind.group;
}

std::string QualifiedName(const manifests::KindInfo& kind, const std::string& name) {
  return ResourceName(kind) + "/" + name;
}

int PrintTables(const std::vector<TableSection>& sections, const TableStyle& style, std::string& out) {
  int rows_printed = 0;
  bool first_section = true;
  for (const TableSection& section : sections) {
    const nlohmann::json& columns = section.table.value("columnDefinitions", nlohmann::json::array());
    const nlohmann::json& rows = section.table.value("rows", nlohmann::json::array());
    if (rows.empty()) continue;
    std::vector<std::size_t> shown;
    std::vector<std::vector<std::string>> grid;
    std::vector<std::string> header;
    if (style.all_namespaces) header.push_back("NAMESPACE");
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (!style.wide && columns[i].value("priority", 0) > 0) continue;
      shown.push_back(i);
      header.push_back(Upper(columns[i].value("name", "")));
    }
    grid.push_back(header);
    for (const auto& row : rows) {
      std::vector<std::string> line;
      const nlohmann::json& cells = row.value("cells", nlohmann::json::array());
      if (style.all_namespaces) {
        line.push_back(row.contains("object") ? row["object"].value("metadata", nlohmann::json::object()).value("namespace", "")
                                              : "");
      }
      for (std::size_t idx = 0; idx < shown.size(); ++idx) {
        std::size_t i = shown[idx];
        std::string text = i < cells.size() ? CellText(cells[i]) : "";
        if (idx == 0 && style.kind_prefix && section.kind != nullptr) text = QualifiedName(*section.kind, text);
        line.push_back(text);
      }
      grid.push_back(std::move(line));
      ++rows_printed;
    }
    std::vector<std::size_t> widths(header.size(), 0);
    for (const auto& line : grid) {
      for (std::size_t i = 0; i < line.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
    }
    if (!first_section) out += "\n";
    first_section = false;
    for (const auto& line : grid) {
      std::string text;
      for (std::size_t i = 0; i < line.size(); ++i) {
        text += line[i];
        if (i + 1 < line.size()) text += std::string(widths[i] - line[i].size() + 3, ' ');
      }
      while (!text.empty() && text.back() == ' ') text.pop_back();
      out += text + "\n";
    }
  }
  return rows_printed;
}

std::string FormatObjects(const std::vector<nlohmann::json>& objects, const std::string& format, bool single_named) {
  nlohmann::json value;
  if (single_named && objects.size() == 1) {
    value = objects.front();
  } else {
    value = {{"apiVersion", "v1"},
             {"kind", "List"},
             {"items", objects.empty() ? nlohmann::json::array() : nlohmann::json(objects)},
             {"metadata", {{"resourceVersion", ""}}}};
  }
  if (format == "json") return value.dump(4) + "\n";
  return ToYaml(value);
}

}  // namespace moor::cli
