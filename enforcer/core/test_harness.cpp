#include "enforcer/core/test_harness.h"

#include <cstring>

#include "compiler/dplan/firewall_plan.h"
#include "compiler/pir/domains/firewall.h"
#include "compiler/pir/pir.h"
#include "enforcer/bpf/libbpf_kernel.h"
#include "enforcer/core/bundle.h"
#include "enforcer/core/error.h"
#include "enforcer/core/loader.h"

namespace sentinel::enforcer::core {

struct FirewallHarness::State {
  std::shared_ptr<bpf::Kernel> k;
  LoadedGeneration g;
  std::vector<std::string> ids;  // parallel to the rules array
  std::vector<uint64_t> keys;
  uint64_t malformed_key = 0;
};

FirewallHarness FirewallHarness::load(std::span<const uint8_t> elf,
                                      const dplan::FirewallPlan& plan) {
  return load_spec(spec_from_plan({elf.begin(), elf.end()}, plan));
}

FirewallHarness FirewallHarness::load(std::span<const char> elf, const dplan::FirewallPlan& plan) {
  auto p = reinterpret_cast<const uint8_t*>(elf.data());
  return load(std::span<const uint8_t>(p, elf.size()), plan);
}

FirewallHarness FirewallHarness::load_bundle(std::string_view bytes) {
  return load_spec(parse_bundle(bytes).firewall);
}

FirewallHarness FirewallHarness::load_spec(const FirewallSpec& spec,
                                           std::shared_ptr<bpf::Kernel> kernel) {
  auto s = std::make_shared<State>();
  s->k = kernel ? std::move(kernel) : std::shared_ptr<bpf::Kernel>(bpf::make_libbpf_kernel());
  LoadOptions o;
  o.what = "test harness";
  s->g = load_firewall(*s->k, spec, o);
  std::vector<std::string> ids = spec.rule_ids;
  if (ids.empty() && !spec.pir.empty()) {
    // A bundle carries the rule ids in its policy text, in rule order.
    std::string err;
    auto p = pir::parse(spec.pir, &err);
    const auto* fw = p ? p->get<pir::Firewall>() : nullptr;
    if (fw && fw->rules.size() == spec.config.nrules) {
      for (const auto& r : fw->rules) ids.push_back(r.id);
      ids.push_back("default");
    }
  }
  for (uint32_t i = 0; i < spec.rules.count; ++i) {
    sn_fw_rule r;
    std::memcpy(&r, spec.rules.value_at(i), sizeof r);
    s->keys.push_back(r.counter_key);
    if (i + 1 == spec.rules.count)
      s->ids.push_back("default");
    else if (ids.size() == spec.rules.count)
      s->ids.push_back(ids[i]);
    else
      s->ids.push_back("#" + std::to_string(i));
  }
  s->malformed_key = spec.config.malformed_counter_key;
  return FirewallHarness(std::move(s));
}

uint32_t FirewallHarness::run(std::span<const uint8_t> frame) {
  try {
    return s_->k->test_run(s_->g.prog, frame, 1).retval;
  } catch (const bpf::BpfError& e) {
    throw Error("test run", e.what());
  }
}

double FirewallHarness::bench(std::span<const uint8_t> frame, uint32_t repeat) {
  try {
    return s_->k->test_run(s_->g.prog, frame, repeat ? repeat : 1).duration_ns;
  } catch (const bpf::BpfError& e) {
    throw Error("test run", e.what());
  }
}

std::map<std::string, RuleCounter> FirewallHarness::counters() {
  std::map<std::string, RuleCounter> out;
  const bpf::Fd& cnt = s_->g.maps.at(SN_FW_MAP_COUNTERS);
  bool percpu = s_->k->map_info(cnt, SN_FW_MAP_COUNTERS).percpu();
  std::vector<sn_counter> raw(percpu ? s_->k->possible_cpus() : 1);
  auto read = [&](uint64_t key) {
    RuleCounter c;
    std::fill(raw.begin(), raw.end(), sn_counter{});
    if (s_->k->lookup(cnt, SN_FW_MAP_COUNTERS, &key, raw.data()))
      for (const auto& v : raw) c.packets += v.packets, c.bytes += v.bytes;
    return c;
  };
  for (size_t i = 0; i < s_->ids.size(); ++i) out[s_->ids[i]] = read(s_->keys[i]);
  if (s_->malformed_key) out["malformed"] = read(s_->malformed_key);
  return out;
}

uint32_t FirewallHarness::prog_id() const { return s_->g.prog_id; }

}  // namespace sentinel::enforcer::core
