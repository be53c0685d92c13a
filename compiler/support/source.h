// Source files and byte spans. A span is (file, begin, end) in bytes; line and
// column are computed on demand so that every stage can carry cheap spans.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel {

struct Span {
  uint32_t file = UINT32_MAX;
  uint32_t begin = 0;
  uint32_t end = 0;
  bool valid() const { return file != UINT32_MAX; }
  bool operator==(const Span&) const = default;
};

struct LineCol {
  uint32_t line = 0;  // 1-based
  uint32_t col = 0;   // 1-based, in bytes
};

class SourceManager {
 public:
  uint32_t add(std::string path, std::string text);
  const std::string& path(uint32_t file) const { return files_[file].path; }
  const std::string& text(uint32_t file) const { return files_[file].text; }
  size_t size() const { return files_.size(); }
  LineCol line_col(uint32_t file, uint32_t offset) const;
  std::string_view line_text(uint32_t file, uint32_t line) const;
  // Byte offset of a 1-based line/column; used by the parser, which sees lines.
  uint32_t offset(uint32_t file, uint32_t line, uint32_t col) const;

 private:
  struct File {
    std::string path;
    std::string text;
    std::vector<uint32_t> line_starts;
  };
  std::vector<File> files_;
};

}  // namespace sentinel
