// PIR -> the conntrack plan (compiler/dplan/conntrack_plan.h).
#pragma once
#include "compiler/dplan/conntrack_plan.h"
#include "compiler/lower/pir_to_plan.h"
#include "compiler/pir/pir.h"

namespace sentinel::lower {

// Throws LowerError when a limit is exceeded. The policy must have the block.
dplan::ConntrackPlan lower_conntrack(const pir::Policy& policy);

}  // namespace sentinel::lower
