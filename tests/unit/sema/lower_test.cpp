#include <catch2/catch.hpp>

#include "front.h"
#include "tests/support/test_policy.h"

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
  const auto& r = testing::fw(p).rules;
  REQUIRE(r.size() == 3);
  // Deduplicated, in source order.
  CHECK(r[0].match.src.cidrs == std::vector<pir::Cidr>{cidr("10.200.0.0/24"), cidr("fd00:200::/64")});
  CHECK(r[0].match.src.set == "office");
  CHECK_FALSE(r[0].match.src.any);
  CHECK(r[0].match.dst.any);
  CHECK(r[0].match.dport.set == "web");
  CHECK(r[0].match.dport.ranges == std::vector<pir::PortRange>{{80, 80}, {443, 443}, {8000, 8099}});
  CHECK(r[0].match.sport.any);
  CHECK(r[1].match.src.cidrs ==
        std::vector<pir::Cidr>{cidr("192.0.2.0/24"), cidr("10.200.0.0/24"), cidr("fd00:200::/64")});
  CHECK(r[1].match.src.set.empty());
  CHECK(r[1].match.proto == pir::Proto::Any);
  CHECK(r[2].match.dst.cidrs == std::vector<pir::Cidr>{cidr("10.0.0.53")});
  CHECK(r[2].match.dst.set.empty());
  CHECK(r[2].match.dport.set.empty());
  CHECK(r[2].match.dport.ranges.size() == 4);
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
  CHECK(testing::fw(p).mode == pir::Mode::Audit);
  CHECK(testing::fw(p).default_action == pir::FirewallAction::Deny);
  const auto& r = testing::fw(p).rules;
  CHECK(r[0].match.src.negate);
  CHECK(r[0].description == "say \"no\"");
  CHECK(r[0].match.families() == 1u);
  // Not in any of no prefixes: every address.
  CHECK(r[1].match.src.any);
  CHECK(r[1].match.families() == 3u);
  CHECK(r[2].match.src.cidrs == std::vector<pir::Cidr>{cidr("10.0.0.0/8")});
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
  CHECK(testing::fw(p).rules[0].loc == pir::Loc{"dir/y.sen", 2, 10});
  CHECK(testing::fw(p).loc == pir::Loc{"dir/y.sen", 1, 1});
}

TEST_CASE("defaults without a firewall block", "[lower]") {
  auto f = front("set s: cidr = { 10.0.0.0/8 }\n");
  const auto& p = policy_of(*f);
  CHECK_FALSE(p.get<pir::Firewall>());
  auto g = front("firewall { rule a allow }");
  const auto& q = policy_of(*g);
  CHECK(testing::fw(q).default_action == pir::FirewallAction::Allow);
  CHECK(testing::fw(q).mode == pir::Mode::Enforce);
  CHECK(testing::fw(q).rules[0].match.src.any);
  CHECK(testing::fw(q).rules[0].match.dport.any);
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
