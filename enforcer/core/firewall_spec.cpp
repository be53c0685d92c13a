#include "enforcer/core/firewall_spec.h"

#include "compiler/dplan/firewall_plan.h"
#include "enforcer/core/error.h"

namespace sentinel::enforcer::core {

void check_spec(const FirewallSpec& s) {
  auto need = [](bool ok, const std::string& msg) {
    if (!ok) throw Error("verify", msg);
  };
  need(!s.elf.empty(), "part firewall/program.o: empty");
  need(s.tuples.kind == SN_IMAGE_ARRAY && s.tuples.value_size == sizeof(sn_fw_tuple),
       "part firewall/tuples.img: expected an array of sn_fw_tuple");
  need(s.keys.kind == SN_IMAGE_HASH && s.keys.key_size == sizeof(sn_fw_key) &&
           s.keys.value_size == sizeof(sn_fw_match),
       "part firewall/keys.img: expected a hash of sn_fw_key -> sn_fw_match");
  need(s.rules.kind == SN_IMAGE_ARRAY && s.rules.value_size == sizeof(sn_fw_rule),
       "part firewall/rules.img: expected an array of sn_fw_rule");
  need(s.tuples.count == s.config.ntuples,
       "part firewall/tuples.img: " + std::to_string(s.tuples.count) +
           " tuples, config says " + std::to_string(s.config.ntuples));
  need(s.config.ntuples <= SN_FW_MAX_TUPLES, "config: too many tuples");
  need(s.rules.count == s.config.nrules + 1,
       "part firewall/rules.img: " + std::to_string(s.rules.count) +
           " rules, config says " + std::to_string(s.config.nrules) + " + default");
  need(s.config.default_action == SN_FW_ALLOW || s.config.default_action == SN_FW_DENY,
       "config: default action must be allow or deny");
  need(s.config.mode == SN_FW_ENFORCE || s.config.mode == SN_FW_AUDIT, "config: unknown mode");
  for (uint32_t i = 0; i < s.keys.count; ++i) {
    sn_fw_match m;
    std::memcpy(&m, s.keys.value_at(i), sizeof m);
    need(m.rule <= s.config.nrules,
         "part firewall/keys.img: entry " + std::to_string(i) + " names rule " +
             std::to_string(m.rule) + " of " + std::to_string(s.config.nrules));
  }
}

FirewallSpec spec_from_plan(std::vector<uint8_t> elf, const dplan::FirewallPlan& plan,
                            std::string pir) {
  FirewallSpec s;
  s.elf = std::move(elf);
  s.config = plan.config;
  s.tuples = make_array_image(plan.tuples);
  s.keys = make_image(SN_IMAGE_HASH, plan.entries);
  s.rules = make_array_image(plan.rules);
  s.pir = std::move(pir);
  s.rule_ids = plan.rule_ids;
  return s;
}

}  // namespace sentinel::enforcer::core
