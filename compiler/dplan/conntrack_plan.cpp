// The conntrack plan as `sentinelc build --dump-after=plan` prints it.
#include <fmt/format.h>

#include "compiler/dplan/conntrack_plan.h"
#include "compiler/dplan/print_support.h"

namespace sentinel::dplan {

std::string ConntrackPlan::print() const {
  static const char* names[] = {"tcp-syn", "tcp-established", "tcp-closing", "tcp-close",
                                "udp", "udp-stream", "icmp", "other"};
  std::string out = "conntrack plan:\n";
  for (int i = 0; i < SN_CT_NTIMEOUTS; ++i) out += fmt::format("  timeout {:<16} {} ns\n", names[i], config.timeout_ns[i]);
  out += fmt::format("  created_counter_key {:#018x}\n", config.created_counter_key);
  return out;
}

}  // namespace sentinel::dplan
