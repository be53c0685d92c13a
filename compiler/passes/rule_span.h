// Maps a rule's pir::Loc back to a span in the SourceManager: the rule id's
// bytes at (file, line, col). Analyses run on PIR, which carries paths, not
// file ids.
#pragma once
#include <string>
#include <unordered_map>

#include "compiler/pir/pir.h"
#include "compiler/support/source.h"

namespace sentinel::passes {

class RuleSpans {
 public:
  explicit RuleSpans(const SourceManager& sm);
  // An invalid span when the file is not loaded (a policy read from a dump).
  Span of(const pir::Loc& loc, size_t id_len) const;

 private:
  const SourceManager& sm_;
  std::unordered_map<std::string, uint32_t> files_;
};

}  // namespace sentinel::passes
