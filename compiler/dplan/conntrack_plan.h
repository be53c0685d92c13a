// Connection tracking's dataplane plan (sentinel/abi/conntrack.h): the TC
// programs' timeouts. The firewall reads the table; see FirewallPlan.
#pragma once
#include <string>
#include <vector>

extern "C" {
#include "sentinel/abi/conntrack.h"
}

namespace sentinel::dplan {

struct ConntrackPlan {
  sn_ct_config config{};
  std::vector<uint64_t> counter_keys;
  std::string print() const;
};

}  // namespace sentinel::dplan
