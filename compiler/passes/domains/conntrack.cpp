// Connection tracking has settings only: nothing to analyze beyond sema.
#include "compiler/passes/analyses.h"

namespace sentinel::passes {

void analyze_conntrack(const pir::Policy&, const pir::Block&, const SourceManager&, DiagEngine&) {}

}  // namespace sentinel::passes
