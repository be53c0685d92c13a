#include <catch2/catch.hpp>

#include "compiler/dplan/firewall_plan.h"
#include "compiler/lower/pir_to_plan.h"
#include "compiler/lower/plan/firewall.h"
#include "tests/support/test_policy.h"

using namespace sentinel;

TEST_CASE("counter keys are FNV-1a 64 of domain/id and never change", "[dplan]") {
  // Values from an independent FNV-1a implementation; counters outlive
  // generations through these keys.
  CHECK(dplan::counter_key("firewall", "ssh") == 0x3696ba8e516d3e00ull);
  CHECK(dplan::counter_key("firewall", "default") == 0xb8ea4bdf4af7a2a7ull);
  CHECK(dplan::counter_key("firewall", "a") != dplan::counter_key("firewal", "l/a") + 1);
}

TEST_CASE("the plan prints readably and deterministically", "[dplan]") {
  pir::Policy pol;
  testing::fw(pol);
  pir::FirewallRule ssh;
  ssh.id = "ssh";
  ssh.action = pir::FirewallAction::Allow;
  ssh.match.proto = pir::Proto::Tcp;
  ssh.match.src.any = false;
  ssh.match.src.cidrs = {*pir::parse_cidr("10.0.0.0/8")};
  ssh.match.dport.any = false;
  ssh.match.dport.ranges = {{22, 22}};
  pir::FirewallRule web = ssh;
  web.id = "web";
  web.match.src = pir::AddrMatch{};
  web.match.dport.ranges = {{8000, 8063}};
  pir::FirewallRule v6;
  v6.id = "v6";
  v6.action = pir::FirewallAction::Log;
  v6.match.dst.any = false;
  v6.match.dst.cidrs = {*pir::parse_cidr("2001:db8::/32")};
  testing::fw(pol).rules = {ssh, web, v6};
  auto plan = lower::lower_firewall(pol);
  std::string text = plan.print();
  INFO(text);
  CHECK(text == lower::lower_firewall(pol).print());
  CHECK(text.find("firewall plan: 3 rules + default, 4 tuples, 4 entries\n") == 0);
  CHECK(text.find("defines: SN_FW_IPV6\n") != std::string::npos);
  CHECK(text.find("t0 tcp 10.0.0.0/8 port any -> 0.0.0.0/0 port 22 => rule 0 (ssh)") != std::string::npos);
  CHECK(text.find("t1 tcp 0.0.0.0/0 port any -> 0.0.0.0/0 port 8000..8063 => rule 1 (web)") !=
        std::string::npos);
  CHECK(text.find("t2 tcp ::/0 port any -> ::/0 port 8000..8063 => rule 1 (web)") != std::string::npos);
  CHECK(text.find("t3 any ::/0 port any -> 2001:db8::/32 port any => rule 2 (v6)") != std::string::npos);
  CHECK(text.find("v4 src/8 dst/0 proto exact sport-mask 0x0000 dport-mask 0xffff needs-ports min_rule 0") !=
        std::string::npos);
  CHECK(text.find("default                  allow counter 0xb8ea4bdf4af7a2a7") != std::string::npos);
}
