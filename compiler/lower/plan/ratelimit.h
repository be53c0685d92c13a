// PIR -> the ratelimit plan (compiler/dplan/ratelimit_plan.h).
#pragma once
#include "compiler/dplan/ratelimit_plan.h"
#include "compiler/lower/pir_to_plan.h"
#include "compiler/pir/pir.h"

namespace sentinel::lower {

// Throws LowerError when a limit is exceeded. The policy must have the block.
dplan::RateLimitPlan lower_ratelimit(const pir::Policy& policy);

}  // namespace sentinel::lower
