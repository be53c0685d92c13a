// Everything that goes into the kernel for one firewall generation, whether
// it came from a bundle file or straight from the compiler's plan.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "enforcer/core/map_image.h"

extern "C" {
#include "sentinel/abi/firewall.h"
}

namespace sentinel::dplan {
struct FirewallPlan;
}

namespace sentinel::enforcer::core {

struct FirewallSpec {
  std::vector<uint8_t> elf;  // BPF object with program SN_FW_PROG
  sn_fw_config config{};
  MapImage tuples, keys, rules;
  std::string pir;  // pir::print text of the policy; stored in sn_fw_pir
  std::vector<std::string> rule_ids;  // parallel to rules when known (from a plan)
};

// Consistency between the config scalars and the images: counts, key and
// value sizes. Throws core::Error naming the part.
void check_spec(const FirewallSpec& spec);

FirewallSpec spec_from_plan(std::vector<uint8_t> elf, const dplan::FirewallPlan& plan,
                            std::string pir = {});

}  // namespace sentinel::enforcer::core
