// PIR -> connection tracking's plan: the timeouts of the TC programs.
#include "compiler/lower/pir_to_plan.h"
#include "compiler/lower/plan/conntrack.h"
#include "compiler/pir/domains/conntrack.h"

namespace sentinel::lower {

dplan::ConntrackPlan lower_conntrack(const pir::Policy& policy) {
  static_assert(static_cast<int>(pir::kCtTimeouts) == SN_CT_NTIMEOUTS);
  const pir::Conntrack& ct = *policy.get<pir::Conntrack>();
  dplan::ConntrackPlan plan;
  for (size_t i = 0; i < pir::kCtTimeouts; ++i) plan.config.timeout_ns[i] = ct.timeouts_ns[i];
  plan.config.created_counter_key = dplan::counter_key("conntrack", "created");
  plan.counter_keys.push_back(plan.config.created_counter_key);
  return plan;
}

}  // namespace sentinel::lower
