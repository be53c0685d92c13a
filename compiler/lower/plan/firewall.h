// PIR -> the firewall plan (compiler/dplan/firewall_plan.h).
#pragma once
#include "compiler/dplan/firewall_plan.h"
#include "compiler/lower/pir_to_plan.h"
#include "compiler/pir/pir.h"

namespace sentinel::lower {

// Throws LowerError when a limit is exceeded. The policy must have the block.
dplan::FirewallPlan lower_firewall(const pir::Policy& policy);

}  // namespace sentinel::lower
