// One policy, two implementations, one sequence of timed packets: each
// packet goes through the reference evaluator and, when a generation is
// loaded, through the kernel at the hooks it would meet (in: XDP, then TC
// ingress unless XDP dropped it; out: TC egress), with the same clock. What
// the two say is compared packet by packet: the verdict, every counter that
// moved (the firewall's deciding rule, the rate-limit rule and whether it
// was within its limit, flows conntrack created), and the connection-table
// entry of the packet's flow. Shared by the packet tests and the
// differential tests.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/eval/eval.h"
#include "compiler/eval/packet.h"
#include "tests/support/policy_fixture.h"

namespace sentinel::testing {

// What the kernel did with one packet.
struct KernelStep {
  bool dropped = false;
  uint32_t xdp = 2;  // the XDP action (in); 2 XDP_PASS when the generation has no XDP program
  int tc = -1;       // the TC verdict; -1 TCX_NEXT, also when the hook is empty or not reached
  std::map<std::string, uint64_t> moved;  // "<domain>/<id>" -> packets counted by this packet
};

struct Step {
  eval::Verdict verdict;
  std::optional<KernelStep> kernel;  // when a generation is loaded
  // Every way the kernel differs from the evaluator on this packet, one
  // sentence each; empty when they agree.
  std::vector<std::string> differences;
};

// How the kernel's counters are read after each packet. `all`: every
// counter of the policy, so a counter that moved and should not have is
// caught at once; it costs a map lookup per rule per packet. `expected`:
// only those the evaluator says move, before and after (a stray count
// shows up in compare_totals()); for policies of hundreds of rules.
enum class CounterCheck { All, Expected };

class ChainCheck {
 public:
  // `fx.kernel`, when loaded, is the generation the packets go through; the
  // fixture must outlive the check.
  explicit ChainCheck(PolicyFixture& fx, CounterCheck counters = CounterCheck::All);
  Step run(const eval::TimedPacket& tp);
  eval::Evaluator& evaluator() { return ev_; }
  // Counters the evaluator says moved, summed over every packet so far.
  const std::map<std::string, uint64_t>& evaluator_totals() const { return totals_; }
  // Every counter of the kernel against the evaluator's totals; one
  // sentence per difference.
  std::vector<std::string> compare_totals();

 private:
  std::map<std::string, uint64_t> snapshot();
  std::map<std::string, uint64_t> read(const std::map<std::string, uint64_t>& keys);
  std::optional<std::string> compare_flow(const eval::Packet& pkt);
  PolicyFixture& fx_;
  eval::Evaluator ev_;
  CounterCheck mode_;
  bool ct_ = false;
  std::map<std::string, uint64_t> last_;  // the kernel's counters after the previous packet
  std::map<std::string, uint64_t> totals_;
};

// "<domain>/<id>" -> 1 for every counter the evaluator says the packet moves.
std::map<std::string, uint64_t> counted(const eval::Verdict& v);

// "ratelimit/ssh#pass+1 firewall/web+1"
std::string format_counts(const std::map<std::string, uint64_t>& m);

// "@1.500000000s in tcp 10.0.0.1:1 -> 10.0.0.2:22 [S.]": a packet as a
// .packets line (and `sentinelc explain --packet`) writes it.
std::string format_timed(const eval::TimedPacket& tp);

}  // namespace sentinel::testing
