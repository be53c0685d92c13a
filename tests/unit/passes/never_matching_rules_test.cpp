#include "tests/unit/passes/analyses_test_util.h"

#include "compiler/support/diag.h"

using namespace sentinel;
using testutil::policy;

namespace {
std::vector<std::string> never(const pir::Policy& p) {
  std::vector<std::string> out;
  for (const auto& n : passes::find_never_matching_rules(passes::firewall_rules(p))) {
    std::string s = testing::fw(p).rules[n.rule].id + ":";
    for (const auto& r : n.reasons) s += " " + r + ";";
    out.push_back(s);
  }
  return out;
}
using V = std::vector<std::string>;
}  // namespace

TEST_CASE("an empty set matches nothing", "[never]") {
  auto p = policy(
      "rule from-empty deny any src set:empty{} dst any sport any dport any\n"
      "rule to-empty deny tcp src any dst set:empty{} sport any dport any\n"
      "rule no-ports allow tcp src any dst any sport any dport set:none{}\n"
      "rule fine allow tcp src any dst any sport any dport {22}\n");
  CHECK(never(p) == V{"from-empty: the source @empty has no address;",
                      "to-empty: the destination @empty has no address;",
                      "no-ports: the destination ports @none hold no port;"});
}

TEST_CASE("a negation of the whole space matches nothing", "[never]") {
  auto p = policy(
      "rule not-all deny any src !{0.0.0.0/0} dst any sport any dport any\n"
      "rule not-all-6 deny any src any dst !set:all{::/0,0.0.0.0/0} sport any dport any\n"
      "rule half deny any src !{0.0.0.0/1,128.0.0.0/2,192.0.0.0/2} dst any sport any dport any\n"
      "rule partly deny any src !{0.0.0.0/1,2001:db8::/32} dst any sport any dport any\n"
      "rule neg-empty deny any src !{} dst any sport any dport any\n");
  CHECK(never(p) == V{"not-all: the source !0.0.0.0/0 excludes every IPv4 address;",
                      "not-all-6: the destination !@all excludes every IPv4 address; the destination "
                      "!@all excludes every IPv6 address;",
                      "half: the source !{0.0.0.0/1, 128.0.0.0/2, 192.0.0.0/2} excludes every IPv4 address;",
                      "neg-empty: the source !{} lists no prefix, so it leaves no address family;"});
  // `partly` still matches IPv6 outside 2001:db8::/32 and IPv4 from 128/1.
  CHECK(testutil::decided_by(p, "udp [2001:db9::1]:1 -> [::1]:2") == "partly");
}

TEST_CASE("family mismatches and ports on the wrong protocol", "[never]") {
  auto p = policy(
      "rule mixed deny tcp src {10.0.0.0/8} dst {2001:db8::1} sport any dport any\n"
      "rule icmp6-to-v4 deny icmpv6 src any dst {10.0.0.1} sport any dport any\n"
      "rule icmp-ports deny icmp src any dst any sport any dport {22}\n"
      "rule inverted deny udp src any dst any sport {9..3} dport any\n");
  CHECK(never(p) == V{"mixed: its source, destination and protocol have no address family in common;",
                      "icmp6-to-v4: its source, destination and protocol have no address family in common;",
                      "icmp-ports: it has ports, but icmp packets carry none;",
                      "inverted: the source ports 9..3 hold no port: every range is inverted;"});
}

TEST_CASE("never-matching rules are not reported as shadowed", "[never][shadowed]") {
  auto p = policy(
      "rule all deny any src any dst any sport any dport any\n"
      "rule nothing deny any src set:empty{} dst any sport any dport any\n");
  CHECK(passes::find_shadowed_rules(passes::firewall_rules(p)).empty());
  CHECK(passes::find_never_matching_rules(passes::firewall_rules(p)).size() == 1);
}

TEST_CASE("W0203 lands on the rule id with the reasons as notes", "[never][diag]") {
  std::string src = "firewall {\n  rule nothing deny from @empty\n}\n";
  SourceManager sm;
  uint32_t file = sm.add("p.sen", src);
  auto p = policy("rule nothing deny any src set:empty{} dst any sport any dport any loc \"p.sen\":2:8\n");
  DiagEngine diags(sm);
  passes::check_firewall_never_matching(p, sm, diags);
  REQUIRE(diags.all().size() == 1);
  const auto& d = diags.all()[0];
  CHECK(d.code == DiagCode::W0203);
  CHECK(d.severity == Severity::Warning);
  CHECK(d.message == "rule `nothing` can never match");
  CHECK(d.span.file == file);
  CHECK(src.substr(d.span.begin, d.span.end - d.span.begin) == "nothing");
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].message == "the source @empty has no address");
}
