#include "enforcer/core/test_harness.h"

#include <net/if.h>

#include <set>

#include "compiler/dplan/classifier.h"
#include "enforcer/bpf/libbpf_kernel.h"
#include "enforcer/core/error.h"

extern "C" {
#include "sentinel/abi/common.h"
}

namespace sentinel::enforcer::core {

GenerationHarness GenerationHarness::load(const Bundle& b, LoadOptions o) {
  GenerationHarness h;
  h.k_ = bpf::make_libbpf_kernel();
  h.policy_ = b.policy;
  o.what = "test generation";
  std::set<std::string> named;
  for (const auto& m : b.plan.maps) named.insert(m.ifaces.begin(), m.ifaces.end());
  if (o.ifindexes.empty())
    for (const auto& name : named)
      if (uint32_t ifindex = h.k_->ifindex_of(name)) o.ifindexes[name] = ifindex;
  if (!named.empty()) {
    // A packet from no interface of the test arrives on loopback in a test
    // run; when rules name interfaces, take one they do not name.
    if (struct if_nameindex* all = ::if_nameindex()) {
      for (auto* i = all; i->if_index && !h.unnamed_ifindex_; ++i)
        if (!named.count(i->if_name)) h.unnamed_ifindex_ = i->if_index;
      ::if_freenameindex(all);
    }
    if (!h.unnamed_ifindex_) throw Error("test run", "every interface here is one the rules name");
  }
  h.g_ = load_generation(*h.k_, b, o);
  smoke_test(*h.k_, h.g_);
  return h;
}

uint32_t GenerationHarness::xdp(std::span<const uint8_t> frame, std::optional<uint64_t> time_ns, bool quiet,
                                const std::string& iface) {
  auto it = g_.entries.find(backend::Hook::Xdp);
  if (it == g_.entries.end()) return 2;
  auto meta = xdp_meta(quiet, time_ns);
  uint32_t ifindex = unnamed_ifindex_;
  if (!iface.empty() && !(ifindex = k_->ifindex_of(iface)))
    throw Error("test run", "no interface " + iface + " in this network namespace");
  return k_->test_run(g_.progs.at(it->second), frame, 1, meta, ifindex).retval;
}

int GenerationHarness::tc(backend::Hook hook, std::span<const uint8_t> frame, std::optional<uint64_t> time_ns) {
  auto it = g_.entries.find(hook);
  if (it == g_.entries.end()) return -1;
  return static_cast<int32_t>(k_->test_run_tc(g_.progs.at(it->second), frame, 1, tc_cb(false, time_ns)).retval);
}

double GenerationHarness::bench_xdp(std::span<const uint8_t> frame, uint32_t repeat) {
  auto it = g_.entries.find(backend::Hook::Xdp);
  if (it == g_.entries.end()) throw Error("bench", "the generation has no XDP program");
  return k_->test_run(g_.progs.at(it->second), frame, repeat).duration_ns;
}

Counter GenerationHarness::counter(const std::string& domain, const std::string& id) {
  Counter c;
  auto it = g_.maps.find(SN_MAP_COUNTERS);
  if (it == g_.maps.end()) return c;
  uint64_t key = dplan::counter_key(domain, id);
  std::vector<sn_counter> raw(k_->possible_cpus());
  if (k_->lookup(it->second, SN_MAP_COUNTERS, &key, raw.data(), raw.size()))
    for (const auto& v : raw) c.packets += v.packets, c.bytes += v.bytes;
  return c;
}

std::map<std::string, Counter> GenerationHarness::counters() {
  std::map<std::string, Counter> out;
  for (const auto& b : policy_.blocks)
    for (const auto& [domain, id] : view_of(b->domain()).counters(policy_)) {
      Counter c = counter(domain, id);
      if (c.packets || c.bytes) out[domain + "/" + id] = c;
    }
  return out;
}

}  // namespace sentinel::enforcer::core
