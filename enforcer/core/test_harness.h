// A generation loaded into the real kernel for tests and benchmarks: the
// same loader as apply, private maps, nothing pinned or attached. Frames go
// through BPF_PROG_TEST_RUN at each hook with the test clock of
// sentinel/abi/meta.h, so stateful behaviour (connection tracking, rate
// limits) is deterministic.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "enforcer/bpf/kernel.h"
#include "enforcer/core/bundle.h"
#include "enforcer/core/domain_view.h"
#include "enforcer/core/loader.h"

namespace sentinel::enforcer::core {

class GenerationHarness {
 public:
  // Throws core::Error (load, fill, smoke test) like apply. `o` lets a test
  // resize maps (LoadOptions::max_entries_override), e.g. a smaller ring.
  // Without o.ifindexes, every interface the policy's rules name that exists
  // in this network namespace counts as attached.
  static GenerationHarness load(const Bundle& b, LoadOptions o = {});

  bool has(backend::Hook hook) const { return g_.entries.count(hook) > 0; }
  // The XDP entry of the generation (the chain follows its tail calls):
  // returns the XDP action; 2 (XDP_PASS) when the generation has no XDP program.
  // `iface`: the interface it arrives on (it must exist here); empty: one
  // that no rule names.
  uint32_t xdp(std::span<const uint8_t> frame, std::optional<uint64_t> time_ns = {}, bool quiet = false,
               const std::string& iface = {});
  // The TC programs; their verdict (-1 TCX_NEXT when the hook is empty).
  int tc(backend::Hook hook, std::span<const uint8_t> frame, std::optional<uint64_t> time_ns = {});
  // Average ns per run over `repeat` runs of the XDP entry.
  double bench_xdp(std::span<const uint8_t> frame, uint32_t repeat);

  // Every counter of the policy by "<domain>/<id>", summed over CPUs.
  std::map<std::string, Counter> counters();
  Counter counter(const std::string& domain, const std::string& id);
  bpf::Fd map(const std::string& name) const { return g_.maps.at(name); }
  bpf::Kernel& kernel() { return *k_; }

 private:
  std::shared_ptr<bpf::Kernel> k_;
  LoadedGeneration g_;
  uint32_t unnamed_ifindex_ = 0;  // an interface no rule names, when rules name some
  pir::Policy policy_;
};

}  // namespace sentinel::enforcer::core
