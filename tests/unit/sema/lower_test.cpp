#include <catch2/catch.hpp>

#include "front.h"

using namespace sentinel;
using sentinel::test::front;

namespace {
pir::Cidr cidr(const char* s) {
  auto c = pir::parse_cidr(s);
  REQUIRE(c);
  return *c;
}
const pir::Policy& policy_of(const test::Front& f) {
  INFO(f.diags.render_text());
  REQUIRE(f.diags.errors() == 0);
  REQUIRE(f.policy);
  return *f.policy;
}
}  // namespace

TEST_CASE("sets resolve into rules; the set name is kept for a lone reference", "[lower]") {
  auto f = front(
      "set office: cidr = { 10.200.0.0/24, fd00:200::/64, 10.200.0.0/24 }\n"
      "set web: port = { 80, 443, 8000..8099, 80 }\n"
      "firewall {\n"
      "  rule a allow tcp from @office to any port @web\n"
      "  rule b deny from { 192.0.2.0/24, @office, 10.200.0.0/24 } to any\n"
      "  rule c allow udp to 10.0.0.53 port { 53, @web }\n"
      "}\n");
  const auto& p = policy_of(*f);
  const auto& r = p.firewall.rules;
  REQUIRE(r.size() == 3);
  // Deduplicated, in source order.
  CHECK(r[0].src.cidrs == std::vector<pir::Cidr>{cidr("10.200.0.0/24"), cidr("fd00:200::/64")});
  CHECK(r[0].src.set == "office");
  CHECK_FALSE(r[0].src.any);
  CHECK(r[0].dst.any);
  CHECK(r[0].dport.set == "web");
  CHECK(r[0].dport.ranges == std::vector<pir::PortRange>{{80, 80}, {443, 443}, {8000, 8099}});
  CHECK(r[0].sport.any);
  CHECK(r[1].src.cidrs ==
        std::vector<pir::Cidr>{cidr("192.0.2.0/24"), cidr("10.200.0.0/24"), cidr("fd00:200::/64")});
  CHECK(r[1].src.set.empty());
  CHECK(r[1].proto == pir::Proto::Any);
  CHECK(r[2].dst.cidrs == std::vector<pir::Cidr>{cidr("10.0.0.53")});
  CHECK(r[2].dst.set.empty());
  CHECK(r[2].dport.set.empty());
  CHECK(r[2].dport.ranges.size() == 4);
}

TEST_CASE("negation, descriptions, settings and host bits", "[lower]") {
  auto f = front(
      "set e: cidr = {}\n"
      "firewall {\n"
      "  mode audit\n"
      "  default deny\n"
      "  rule n deny from !{ 10.0.0.0/8 } \"say \\\"no\\\"\"\n"
      "  rule m deny from !@e\n"
      "  rule h deny from 10.1.2.3/8\n"
      "}\n");
  const auto& p = policy_of(*f);
  CHECK(f->diags.warnings() == 1);  // W0103 for 10.1.2.3/8
  CHECK(p.firewall.present);
  CHECK(p.firewall.mode == pir::Mode::Audit);
  CHECK(p.firewall.default_action == pir::Action::Deny);
  const auto& r = p.firewall.rules;
  CHECK(r[0].src.negate);
  CHECK(r[0].description == "say \"no\"");
  CHECK(r[0].families() == 1u);
  // Not in any of no prefixes: every address.
  CHECK(r[1].src.any);
  CHECK(r[1].families() == 3u);
  CHECK(r[2].src.cidrs == std::vector<pir::Cidr>{cidr("10.0.0.0/8")});
}

TEST_CASE("locations: file as given, line and column of the id", "[lower]") {
  auto f = front({{"dir/x.sen", "set zz: port = { 1 }\nset aa: cidr = { ::1 }\n"},
                  {"dir/y.sen", "firewall {\n    rule first allow tcp from @aa to any port @zz\n}\n"}});
  const auto& p = policy_of(*f);
  REQUIRE(p.sets.size() == 2);
  CHECK(p.sets[0].name == "aa");  // sorted by name
  CHECK(p.sets[0].kind == pir::SetKind::Cidr);
  CHECK(p.sets[0].loc == pir::Loc{"dir/x.sen", 2, 5});
  CHECK(p.sets[1].name == "zz");
  CHECK(p.sets[1].ports == std::vector<pir::PortRange>{{1, 1}});
  CHECK(p.firewall.rules[0].loc == pir::Loc{"dir/y.sen", 2, 10});
  CHECK(p.firewall.loc == pir::Loc{"dir/y.sen", 1, 1});
}

TEST_CASE("defaults without a firewall block", "[lower]") {
  auto f = front("set s: cidr = { 10.0.0.0/8 }\n");
  const auto& p = policy_of(*f);
  CHECK_FALSE(p.firewall.present);
  CHECK(p.firewall.rules.empty());
  auto g = front("firewall { rule a allow }");
  const auto& q = policy_of(*g);
  CHECK(q.firewall.present);
  CHECK(q.firewall.default_action == pir::Action::Allow);
  CHECK(q.firewall.mode == pir::Mode::Enforce);
  CHECK(q.firewall.rules[0].src.any);
  CHECK(q.firewall.rules[0].dport.any);
}

TEST_CASE("the example policies lower through print and parse unchanged", "[lower]") {
  auto f = front("set web: port = { 80, 443 }\nset t: cidr = { 10.0.0.0/8, 2001:db8::/32 }\n"
                 "firewall { default deny\n rule a allow tcp from !@t to any port @web \"x\"\n"
                 " rule b log icmpv6 }");
  const auto& p = policy_of(*f);
  std::string err;
  auto back = pir::parse(pir::print(p), &err);
  INFO(err);
  REQUIRE(back);
  CHECK(*back == p);
}
