// Running the compiled firewall in the kernel without attaching anything:
// for packet tests, differential tests and benchmarks.
//
//   auto fw = sentinel::enforcer::core::FirewallHarness::load(artifacts.object, artifacts.plan);
//   uint32_t action = fw.run(frame);              // XDP_DROP (1) / XDP_PASS (2) ...
//   double ns = fw.bench(frame, 100000);          // average ns per run
//   auto c = fw.counters();                       // rule id -> {packets, bytes}
//
// Each harness owns a private program and private maps (its counters start at
// zero, nothing is pinned, no interface is touched); they are freed with the
// harness. Needs root (CAP_BPF); throws core::Error on any failure, with the
// verifier log in Error::log().
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "enforcer/bpf/kernel.h"
#include "enforcer/core/firewall_spec.h"

namespace sentinel::dplan {
struct FirewallPlan;
}

namespace sentinel::enforcer::core {

struct RuleCounter {
  uint64_t packets = 0;
  uint64_t bytes = 0;
};

class FirewallHarness {
 public:
  // From the compiler's artifacts: the BPF ELF object and the plan.
  static FirewallHarness load(std::span<const uint8_t> elf, const dplan::FirewallPlan& plan);
  static FirewallHarness load(std::span<const char> elf, const dplan::FirewallPlan& plan);
  // From bundle bytes (a .snb file's contents), verified like apply does.
  static FirewallHarness load_bundle(std::string_view bundle_bytes);
  // From a spec; `kernel` defaults to the real one.
  static FirewallHarness load_spec(const FirewallSpec& spec,
                                   std::shared_ptr<bpf::Kernel> kernel = nullptr);

  // The XDP action for one Ethernet frame (BPF_PROG_TEST_RUN).
  uint32_t run(std::span<const uint8_t> frame);
  // Runs the frame `repeat` times in the kernel; average ns per run.
  double bench(std::span<const uint8_t> frame, uint32_t repeat);
  // Per-rule counters summed over CPUs: every rule id of the plan (or
  // "#<index>" when ids are unknown), "default", and "malformed".
  std::map<std::string, RuleCounter> counters();

  uint32_t prog_id() const;

 private:
  struct State;
  explicit FirewallHarness(std::shared_ptr<State> s) : s_(std::move(s)) {}
  std::shared_ptr<State> s_;
};

}  // namespace sentinel::enforcer::core
