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
  CHECK(text.find("firewall plan: 3 rules + default, 4 records\n") == 0);
  CHECK(text.find("defines: SN_FW_IPV6\n") != std::string::npos);
  CHECK(text.find("0 v4 tcp 10.0.0.0/8 port any -> any port 22 needs-ports => rule 0 (ssh)") != std::string::npos);
  CHECK(text.find("1 v4 tcp any port any -> any port 8000..8063 needs-ports => rule 1 (web)") != std::string::npos);
  CHECK(text.find("2 v6 tcp any port any -> any port 8000..8063 needs-ports => rule 1 (web)") != std::string::npos);
  CHECK(text.find("3 v6 any any port any -> 2001:db8::/32 port any => rule 2 (v6)") != std::string::npos);
  // Few records: one tree per family, a leaf at the root.
  CHECK(text.find("v4 all: 2 records, 1 nodes, depth 0, largest leaf 2, min_rule 0\n") != std::string::npos);
  CHECK(text.find("v6 all: 2 records, 1 nodes, depth 0, largest leaf 2, min_rule 1\n") != std::string::npos);
  CHECK(text.find("    0 leaf 2 records at 0 min_rule 0: 0 1\n") != std::string::npos);
  CHECK(text.find("default                  allow counter 0xb8ea4bdf4af7a2a7") != std::string::npos);
}
