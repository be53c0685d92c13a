// Random valid firewall policies for differential testing: nested and
// overlapping prefixes of both families, negations, port ranges that share
// boundaries, every protocol and action, both defaults and modes.
#pragma once
#include <random>

#include "compiler/pir/pir.h"

namespace sentinel::testing {

pir::Policy random_policy(std::mt19937_64& rng);

}  // namespace sentinel::testing
