// The classifier's hooks for a rule's match (compiler/lower/plan/cls_match):
// the protocol alternatives per family and the extra fields a leaf checks,
// from policy text; and the firewall plan's anti-lockout rules and reject
// budget.
#include <catch2/catch.hpp>

#include "compiler/eval/domains/firewall.h"
#include "compiler/lower/pir_to_plan.h"
#include "compiler/lower/plan/cls_match.h"
#include "compiler/lower/plan/firewall.h"
#include "compiler/pir/domains/firewall.h"
#include "tests/support/policy_text.h"

using namespace sentinel;
using testing::policy_from_text;

namespace {

pir::Match rule_match(const std::string& rule) {
  auto p = policy_from_text("firewall {\n  " + rule + "\n}\n");
  return p.get<pir::Firewall>()->rules.at(0).match;
}

using Protos = std::vector<std::pair<uint8_t, uint8_t>>;

}  // namespace

TEST_CASE("cls_protos: keywords, names, numbers, ICMP of both families", "[lower][cls]") {
  const auto v4 = pir::Family::V4, v6 = pir::Family::V6;
  CHECK(lower::cls_protos(rule_match("rule a allow"), v4) == Protos{{0, 0}});
  CHECK(lower::cls_protos(rule_match("rule a allow tcp"), v6) == Protos{{6, 0xff}});
  CHECK(lower::cls_protos(rule_match("rule a allow proto gre"), v4) == Protos{{47, 0xff}});
  CHECK(lower::cls_protos(rule_match("rule a allow proto 50"), v6) == Protos{{50, 0xff}});
  CHECK(lower::cls_protos(rule_match("rule a allow proto sctp"), v4) == Protos{{132, 0xff}});
  auto any = rule_match("rule a allow proto icmp-any");
  CHECK(any.families() == 3);
  CHECK(lower::cls_protos(any, v4) == Protos{{1, 0xff}});
  CHECK(lower::cls_protos(any, v6) == Protos{{58, 0xff}});
  CHECK(rule_match("rule a allow ipv6").families() == 2);
  CHECK(rule_match("rule a allow ipv4 proto gre").families() == 1);
  CHECK(rule_match("rule a allow proto ah").families() == 1);
}

TEST_CASE("cls_extra: the fields of each family", "[lower][cls]") {
  const auto v4 = pir::Family::V4, v6 = pir::Family::V6;
  CHECK(lower::cls_extra(rule_match("rule a allow tcp to any port 22"), v4).has == 0);

  auto f = lower::cls_extra(rule_match("rule a allow tcp flags S/SA"), v4);
  CHECK(f.has == SN_CX_TCP_FLAGS);
  CHECK(f.tcp_flags == 0x02);
  CHECK(f.tcp_mask == 0x12);

  auto m = rule_match("rule a allow proto icmp-any type echo-request");
  auto e4 = lower::cls_extra(m, v4), e6 = lower::cls_extra(m, v6);
  CHECK(e4.has == SN_CX_ICMP_TYPE);
  CHECK(e4.icmp_type == 8);
  CHECK(e6.has == SN_CX_ICMP_TYPE);
  CHECK(e6.icmp_type == 128);

  auto u = lower::cls_extra(rule_match("rule a allow proto icmp-any type destination-unreachable code port-unreachable"), v6);
  CHECK(u.has == (SN_CX_ICMP_TYPE | SN_CX_ICMP_CODE));
  CHECK(u.icmp_type == 1);
  CHECK(u.icmp_code == 4);

  auto d = lower::cls_extra(rule_match("rule a allow udp dscp af41 vlan 100:200"), v4);
  CHECK(d.has == (SN_CX_DSCP | SN_CX_VLAN | SN_CX_VLAN_INNER));
  CHECK(d.dscp == 34);
  CHECK(d.vlan == 100);
  CHECK(d.vlan_inner == 200);
}

TEST_CASE("firewall plan: the guard's rules first, the reject budget in the config", "[lower][cls]") {
  auto p = policy_from_text(
      "firewall {\n  default deny\n  management\n  management udp to any port 161\n"
      "  rule a reject tcp\n  rule b allow udp\n}\n");
  auto plan = lower::lower_firewall(p);
  REQUIRE(plan.rule_ids.size() == 5);
  CHECK(plan.rule_ids[0] == "management");
  CHECK(plan.rule_ids[1] == "management");
  CHECK(plan.rule_ids[2] == "a");
  CHECK(plan.rules[0].action == SN_FW_ALLOW);
  CHECK(plan.rules[2].action == SN_FW_REJECT);
  CHECK(plan.rules[4].action == SN_FW_DENY);  // the default
  CHECK(plan.config.nrules == 4);
  CHECK(plan.config.reject_interval_ns == eval::firewall::kRejectIntervalNs);
  CHECK(plan.config.reject_burst == eval::firewall::kRejectBurst);
}
