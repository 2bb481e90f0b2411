#include "nesting_prescan.h"

#include <cstddef>
#include <string>
#include <vector>

namespace moor::manifests::internal {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// True when the line's content (comment removed) ends with a block scalar header such as
// "|", ">-", "|+2".
bool EndsWithBlockScalarHeader(std::string_view content) {
  std::size_t end = content.size();
  while (end > 0 && IsBlank(content[end - 1])) --end;
  std::size_t i = end;
  while (i > 0 && (content[i - 1] == '-' || content[i - 1] == '+' || (content[i - 1] >= '0' && content[i - 1] <= '9'))) {
    --i;
  }
  if (i == 0 || (content[i - 1] != '|' && content[i - 1] != '>')) return false;
  std::size_t header = i - 1;
  return header == 0 || IsBlank(content[header - 1]);
}

}  // namespace

bool ExceedsNesting(std::string_view text, int max_depth, NestingViolation* where) {
  std::vector<int> indents;  // block levels: the columns of the enclosing lines' content
  int flow_depth = 0;
  char quote = 0;            // open quote character, or 0
  int block_scalar_parent = -1;
  std::size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    std::size_t indent = 0;
    while (indent < line.size() && line[indent] == ' ') ++indent;
    bool blank = indent == line.size();
    if (block_scalar_parent >= 0) {
      if (blank || static_cast<int>(indent) > block_scalar_parent) continue;
      block_scalar_parent = -1;
    }
    std::size_t start = 0;
    if (quote == 0 && flow_depth == 0) {
      if (blank || line[indent] == '#') continue;
      if (line.substr(0, 3) == "---" || line.substr(0, 3) == "...") {
        indents.clear();
        start = 3;
      } else {
        // Each "- " opens a sequence item at its column; then the content opens a level.
        std::size_t p = indent;
        while (true) {
          while (!indents.empty() && indents.back() >= static_cast<int>(p)) indents.pop_back();
          indents.push_back(static_cast<int>(p));
          if (p + 1 < line.size() && line[p] == '-' && line[p + 1] == ' ') {
            p += 1;
            while (p < line.size() && line[p] == ' ') ++p;
            if (p == line.size() || line[p] == '#') break;
            continue;
          }
          break;
        }
        start = indent;
      }
      if (static_cast<int>(indents.size()) > max_depth) {
        *where = NestingViolation{line_no, static_cast<int>(indent) + 1};
        return true;
      }
    }
    char prev = 0;  // previous non-blank character on this line outside quotes
    std::size_t content_end = line.size();
    for (std::size_t i = start; i < line.size(); ++i) {
      char c = line[i];
      if (quote == '"') {
        if (c == '\\') ++i;
        else if (c == '"') quote = 0;
        continue;
      }
      if (quote == '\'') {
        if (c == '\'') quote = 0;
        continue;
      }
      if (c == '#' && (i == 0 || IsBlank(line[i - 1]))) {
        content_end = i;
        break;
      }
      if ((c == '"' || c == '\'') &&
          (prev == 0 || prev == '[' || prev == '{' || prev == ',' || prev == ':' || prev == '-' || prev == '?')) {
        quote = c;
        continue;
      }
      if (c == '[' || c == '{') {
        ++flow_depth;
        if (static_cast<int>(indents.size()) + flow_depth > max_depth) {
          *where = NestingViolation{line_no, static_cast<int>(i) + 1};
          return true;
        }
      } else if ((c == ']' || c == '}') && flow_depth > 0) {
        --flow_depth;
      }
      if (!IsBlank(c)) prev = c;
    }
    if (quote == 0 && flow_depth == 0 && EndsWithBlockScalarHeader(line.substr(0, content_end))) {
      block_scalar_parent = static_cast<int>(indent);
    }
  }
  return false;
}

}  // namespace moor::manifests::internal
