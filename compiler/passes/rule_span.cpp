#include "compiler/passes/rule_span.h"

#include <algorithm>

namespace sentinel::passes {

RuleSpans::RuleSpans(const SourceManager& sm) : sm_(sm) {
  for (uint32_t f = 0; f < sm.size(); ++f) files_.emplace(sm.path(f), f);
}

Span RuleSpans::of(const pir::Rule& r) const {
  auto it = files_.find(r.loc.file);
  if (it == files_.end() || r.loc.line == 0) return {};
  uint32_t file = it->second;
  uint32_t size = static_cast<uint32_t>(sm_.text(file).size());
  uint32_t begin = sm_.offset(file, r.loc.line, r.loc.col);
  uint32_t end = std::min<uint32_t>(begin + static_cast<uint32_t>(r.id.size()), size);
  return {file, begin, end};
}

}  // namespace sentinel::passes
