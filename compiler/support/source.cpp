#include "compiler/support/source.h"

#include <algorithm>

namespace sentinel {

uint32_t SourceManager::add(std::string path, std::string text) {
  File f{std::move(path), std::move(text), {0}};
  for (uint32_t i = 0; i < f.text.size(); ++i)
    if (f.text[i] == '\n') f.line_starts.push_back(i + 1);
  files_.push_back(std::move(f));
  return static_cast<uint32_t>(files_.size() - 1);
}

LineCol SourceManager::line_col(uint32_t file, uint32_t offset) const {
  const auto& starts = files_[file].line_starts;
  auto it = std::upper_bound(starts.begin(), starts.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - starts.begin());
  return {line, offset - starts[line - 1] + 1};
}

std::string_view SourceManager::line_text(uint32_t file, uint32_t line) const {
  const auto& f = files_[file];
  if (line == 0 || line > f.line_starts.size()) return {};
  uint32_t b = f.line_starts[line - 1];
  uint32_t e = line < f.line_starts.size() ? f.line_starts[line] : f.text.size();
  std::string_view v(f.text.data() + b, e - b);
  while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.remove_suffix(1);
  return v;
}

uint32_t SourceManager::offset(uint32_t file, uint32_t line, uint32_t col) const {
  const auto& f = files_[file];
  if (line == 0 || line > f.line_starts.size()) return static_cast<uint32_t>(f.text.size());
  return std::min<uint32_t>(f.line_starts[line - 1] + (col ? col - 1 : 0),
                            static_cast<uint32_t>(f.text.size()));
}

}  // namespace sentinel
