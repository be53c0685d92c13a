#include "fixtures.h"

namespace snt {

std::unique_ptr<Object> load_fw(const FwSetup& s, const std::vector<FwRule>& rules) {
  std::vector<ClsRule> matches;
  for (auto& r : rules) matches.push_back(r.match);
  ClsImage img = build_cls(matches);

  sn_fw_config cfg{};
  cfg.cls_steps = img.steps();
  cfg.nrules = uint32_t(rules.size());
  cfg.default_action = s.default_action;
  cfg.mode = s.mode;
  cfg.ct_mode = s.ct_mode;
  cfg.next_slot = s.next_slot;
  cfg.malformed_counter_key = s.malformed_key;
  cfg.established_counter_key = s.established_key;
  cfg.reject_interval_ns = s.reject_interval_ns;
  cfg.reject_burst = s.reject_burst;

  auto o = std::make_unique<Object>(s.variant);
  o->config(cfg).max_entries("sn_fw_rules", uint32_t(rules.size() + 1));
  size_cls(*o, "sn_fw", img);
  if (s.ring_size) o->max_entries("sn_fw_events", s.ring_size);
  for (auto& [name, fd] : s.shared) o->reuse(name, fd);
  o->load();

  write_cls(*o, "sn_fw", img);
  for (uint32_t i = 0; i < rules.size(); i++)
    put(o->map("sn_fw_rules"), i, sn_fw_rule{rules[i].counter_key, rules[i].action, 0});
  put(o->map("sn_fw_rules"), uint32_t(rules.size()), sn_fw_rule{s.default_key, s.default_action, 0});
  return o;
}

std::unique_ptr<Object> load_rl(const RlSetup& s, const std::vector<RlRule>& rules) {
  std::vector<ClsRule> matches;
  for (auto& r : rules) matches.push_back(r.match);
  ClsImage img = build_cls(matches);

  sn_rl_config cfg{};
  cfg.cls_steps = img.steps();
  cfg.nrules = uint32_t(rules.size());
  cfg.mode = s.mode;
  cfg.next_slot = s.next_slot;
  cfg.contended_counter_key = s.contended_key;

  auto o = std::make_unique<Object>(s.variant);
  o->config(cfg).max_entries("sn_rl_rules", uint32_t(rules.size() ? rules.size() : 1));
  size_cls(*o, "sn_rl", img);
  if (s.ring_size) o->max_entries("sn_rl_events", s.ring_size);
  for (auto& [name, fd] : s.shared) o->reuse(name, fd);
  o->load();

  write_cls(*o, "sn_rl", img);
  for (uint32_t i = 0; i < rules.size(); i++) put(o->map("sn_rl_rules"), i, rules[i].rule);
  return o;
}

sn_rl_rule rl_gcra(uint8_t algorithm, uint64_t count, uint64_t unit_ns, uint64_t burst) {
  sn_rl_rule r{};
  r.algorithm = algorithm;
  r.interval = (unit_ns << SN_RL_TICK_SHIFT) / count;
  r.tolerance = (burst - 1) * r.interval;
  return r;
}

sn_rl_rule rl_window(uint8_t algorithm, uint64_t limit, uint64_t window_ns) {
  sn_rl_rule r{};
  r.algorithm = algorithm;
  r.interval = window_ns;
  r.tolerance = limit;
  return r;
}

CtSetup ct_defaults() {
  CtSetup s;
  // Distinct timeouts, so that a test can tell which one an entry got.
  const uint64_t s_ = 1000000000ull;
  s.timeout_ns[SN_CT_TO_TCP_SYN] = 60 * s_;
  s.timeout_ns[SN_CT_TO_TCP_ESTABLISHED] = 7200 * s_;
  s.timeout_ns[SN_CT_TO_TCP_CLOSING] = 120 * s_;
  s.timeout_ns[SN_CT_TO_TCP_CLOSE] = 10 * s_;
  s.timeout_ns[SN_CT_TO_UDP] = 30 * s_;
  s.timeout_ns[SN_CT_TO_UDP_STREAM] = 180 * s_;
  s.timeout_ns[SN_CT_TO_ICMP] = 20 * s_;
  s.timeout_ns[SN_CT_TO_OTHER] = 600 * s_;
  return s;
}

std::unique_ptr<Object> load_ct(const CtSetup& s) {
  sn_ct_config cfg{};
  for (int i = 0; i < SN_CT_NTIMEOUTS; i++) cfg.timeout_ns[i] = s.timeout_ns[i];
  cfg.created_counter_key = s.created_key;
  auto o = std::make_unique<Object>("ct");
  o->config(cfg);
  for (auto& [name, fd] : s.shared) o->reuse(name, fd);
  o->load();
  return o;
}

std::unique_ptr<Object> load_dispatch(const Shared& shared) {
  auto o = std::make_unique<Object>("dispatch");
  for (auto& [name, fd] : shared) o->reuse(name, fd);
  o->load();
  return o;
}

}  // namespace snt
