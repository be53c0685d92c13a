// PIR -> the firewall's plan: its rules through the shared classifier (with
// the connection state as a field when the policy tracks connections), the
// rules array with counter keys, the config and the program variant.
#include <algorithm>

#include "compiler/eval/domains/firewall.h"
#include "compiler/lower/pir_to_plan.h"
#include "compiler/lower/plan/firewall.h"
#include "compiler/pir/domains/conntrack.h"
#include "compiler/pir/domains/firewall.h"

namespace sentinel::lower {

namespace {

uint32_t to_abi(pir::FirewallAction a) {
  switch (a) {
    case pir::FirewallAction::Allow: return SN_FW_ALLOW;
    case pir::FirewallAction::Deny: return SN_FW_DENY;
    case pir::FirewallAction::Log: return SN_FW_LOG;
    case pir::FirewallAction::Reject: return SN_FW_REJECT;
  }
  return SN_FW_DENY;
}

}  // namespace

dplan::FirewallPlan lower_firewall(const pir::Policy& policy) {
  const pir::Firewall& fw = *policy.get<pir::Firewall>();
  const pir::Conntrack* ct = policy.get<pir::Conntrack>();
  dplan::FirewallPlan plan;

  // The anti-lockout guard first: its matches are rules that allow, ahead
  // of every rule of the policy, all counted as `management`.
  static const std::string kManagement = eval::firewall::kManagementId;
  std::vector<ClsRule> cls;
  cls.reserve(fw.management.size() + fw.rules.size());
  for (const auto& m : fw.management) cls.push_back({&kManagement, &m.match, 0});
  for (const auto& r : fw.rules) cls.push_back({&r.id, &r.match, r.ct});
  plan.cls = build_classifier("firewall", cls);

  plan.rules.reserve(fw.management.size() + fw.rules.size() + 1);
  for (size_t i = 0; i < fw.management.size(); ++i) {
    plan.rules.push_back(sn_fw_rule{dplan::counter_key("firewall", kManagement), SN_FW_ALLOW, 0});
    plan.rule_ids.push_back(kManagement);
  }
  for (const auto& r : fw.rules) {
    plan.rules.push_back(sn_fw_rule{dplan::counter_key("firewall", r.id), to_abi(r.action), 0});
    plan.rule_ids.push_back(r.id);
  }
  plan.rules.push_back(
      sn_fw_rule{dplan::counter_key("firewall", eval::firewall::kDefaultId), to_abi(fw.default_action), 0});
  plan.rule_ids.push_back(eval::firewall::kDefaultId);
  for (const auto& r : plan.rules)
    if (std::find(plan.counter_keys.begin(), plan.counter_keys.end(), r.counter_key) == plan.counter_keys.end())
      plan.counter_keys.push_back(r.counter_key);

  plan.config.cls_steps = plan.cls.steps;
  plan.config.iface_rules = plan.cls.ifaces.empty() ? 0 : 1;
  plan.config.nrules = static_cast<uint32_t>(fw.management.size() + fw.rules.size());
  plan.config.default_action = to_abi(fw.default_action);
  plan.config.mode = fw.mode == pir::Mode::Audit ? SN_FW_AUDIT : SN_FW_ENFORCE;
  plan.config.ct_mode = !ct ? SN_FW_CT_OFF : ct->accept_established ? SN_FW_CT_ACCEPT : SN_FW_CT_RULES;
  plan.config.next_slot = SN_NO_SLOT;
  plan.config.reject_interval_ns = eval::firewall::kRejectIntervalNs;
  plan.config.reject_burst = eval::firewall::kRejectBurst;
  plan.config.malformed_counter_key = dplan::counter_key("firewall", eval::firewall::kMalformedId);
  plan.counter_keys.push_back(plan.config.malformed_counter_key);
  if (ct) {
    plan.config.established_counter_key = dplan::counter_key("firewall", eval::firewall::kEstablishedId);
    plan.counter_keys.push_back(plan.config.established_counter_key);
    plan.defines.push_back("SN_FW_CT");
  }
  // Without the IPv6 path every IPv6 packet gets the default; that is only
  // right when no rule can match IPv6 and no tracked flow may pass first.
  if (plan.cls.v6 || ct) plan.defines.push_back("SN_FW_IPV6");
  std::sort(plan.defines.begin(), plan.defines.end());
  return plan;
}

}  // namespace sentinel::lower
