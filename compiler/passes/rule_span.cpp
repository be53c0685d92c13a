#include "compiler/passes/rule_span.h"

#include <algorithm>

namespace sentinel::passes {

RuleSpans::RuleSpans(const SourceManager& sm) : sm_(sm) {
  for (uint32_t f = 0; f < sm.size(); ++f) files_.emplace(sm.path(f), f);
}

Span RuleSpans::of(const pir::Loc& loc, size_t id_len) const {
  auto it = files_.find(loc.file);
  if (it == files_.end() || loc.line == 0) return {};
  uint32_t file = it->second;
  uint32_t size = static_cast<uint32_t>(sm_.text(file).size());
  uint32_t begin = sm_.offset(file, loc.line, loc.col);
  uint32_t end = std::min<uint32_t>(begin + static_cast<uint32_t>(id_len), size);
  return {file, begin, end};
}

}  // namespace sentinel::passes
