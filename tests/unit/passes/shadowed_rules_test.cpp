#include "tests/unit/passes/analyses_test_util.h"

#include "compiler/support/diag.h"

using namespace sentinel;
using testutil::policy;
using testutil::shadowed;
using V = std::vector<std::string>;

TEST_CASE("a broader CIDR shadows a narrower one", "[shadowed]") {
  auto p = policy(
      "rule wide deny tcp src {10.0.0.0/8} dst any sport any dport any\n"
      "rule narrow allow tcp src {10.1.0.0/16} dst any sport any dport {22}\n"
      "rule other allow tcp src {11.0.0.0/8} dst any sport any dport {22}\n");
  CHECK(shadowed(p) == V{"narrow<-wide"});
}

TEST_CASE("a set shadows a rule inside one of its prefixes or all of them", "[shadowed]") {
  auto p = policy(
      "rule trusted allow any src set:trusted{10.0.0.0/8,192.168.0.0/16,2001:db8::/32} dst any sport any dport any\n"
      "rule office allow tcp src {192.168.7.0/24} dst any sport any dport {443}\n"
      "rule both deny udp src {10.2.0.0/16,2001:db8:1::/48} dst any sport any dport any\n"
      "rule half deny udp src {10.2.0.0/16,172.16.0.0/12} dst any sport any dport any\n");
  CHECK(shadowed(p) == V{"office<-trusted", "both<-trusted"});
}

TEST_CASE("`any` shadows everything of its protocol", "[shadowed]") {
  auto p = policy(
      "rule web allow tcp src any dst any sport any dport {80,443}\n"
      "rule web-office log tcp src {10.0.0.0/8} dst {2001:db8::1} sport any dport {443}\n"
      "rule web-udp allow udp src any dst any sport any dport {443}\n"
      "rule all deny any src any dst any sport any dport any\n"
      "rule ping allow icmp src any dst any sport any dport any\n");
  CHECK(shadowed(p) == V{"ping<-all"});
  // web-office has an IPv4 source and an IPv6 destination: it never matches,
  // which is W0203's finding, not a shadowing.
  auto q = policy(
      "rule web allow tcp src any dst any sport any dport {80,443}\n"
      "rule web-office log tcp src {10.0.0.0/8} dst {192.0.2.1} sport any dport {443}\n");
  CHECK(shadowed(q) == V{"web-office<-web"});
}

TEST_CASE("a negation shadows what lies outside its prefixes", "[shadowed]") {
  auto p = policy(
      "rule outsiders deny any src !set:trusted{10.0.0.0/8} dst any sport any dport any\n"
      "rule bad-net deny tcp src {198.51.100.0/24} dst any sport any dport any\n"
      "rule inside deny tcp src {10.9.0.0/16} dst any sport any dport any\n"
      "rule straddle deny tcp src {8.0.0.0/6} dst any sport any dport any\n"
      "rule v6 deny tcp src {2001:db8::/32} dst any sport any dport any\n"
      "rule narrower-neg log udp src !{0.0.0.0/1} dst any sport any dport any\n");
  // 8.0.0.0/6 holds 10.0.0.0/8; IPv6 is outside the negation's family.
  CHECK(shadowed(p) == V{"bad-net<-outsiders", "narrower-neg<-outsiders"});
}

TEST_CASE("a negation inside a negation", "[shadowed]") {
  auto p = policy(
      "rule not-a deny any src !{10.0.0.0/8} dst any sport any dport any\n"
      "rule not-ab deny any src !{10.0.0.0/7} dst any sport any dport any\n"
      "rule not-c deny any src !{10.1.0.0/16} dst any sport any dport any\n");
  CHECK(shadowed(p) == V{"not-ab<-not-a"});
}

TEST_CASE("the union of two earlier rules is not one rule", "[shadowed]") {
  auto p = policy(
      "rule low deny tcp src {10.0.0.0/9} dst any sport any dport any\n"
      "rule high deny tcp src {10.128.0.0/9} dst any sport any dport any\n"
      "rule all-ten deny tcp src {10.0.0.0/8} dst any sport any dport any\n"
      "rule ports-a allow tcp src any dst any sport any dport {1..1000}\n"
      "rule ports-b allow tcp src any dst any sport any dport {1001..2000}\n"
      "rule ports-ab allow tcp src {192.0.2.0/24} dst any sport any dport {900..1100}\n");
  CHECK(shadowed(p).empty());
}

TEST_CASE("one rule listing adjacent prefixes covers their union", "[shadowed]") {
  auto p = policy(
      "rule halves deny tcp src {10.0.0.0/9,10.128.0.0/9} dst any sport any dport any\n"
      "rule all-ten deny tcp src {10.0.0.0/8} dst any sport any dport any\n");
  CHECK(shadowed(p) == V{"all-ten<-halves"});
}

TEST_CASE("port ranges and port lists", "[shadowed]") {
  auto p = policy(
      "rule high allow udp src any dst any sport {1024..65535} dport {53,5353}\n"
      "rule inside allow udp src {10.0.0.0/8} dst any sport {2000..3000,40000} dport {53}\n"
      "rule edge allow udp src {10.0.0.0/8} dst any sport {1023..2000} dport {53}\n"
      "rule any-sport allow udp src {10.0.0.0/8} dst any sport any dport {53}\n"
      "rule tcp-too allow tcp src {10.0.0.0/8} dst any sport {2000} dport {53}\n"
      "rule range allow tcp src any dst any sport any dport {8000..8099}\n"
      "rule sub deny tcp src any dst any sport any dport {8080,8000..8010}\n"
      "rule over deny tcp src any dst any sport any dport {8050..8100}\n");
  CHECK(shadowed(p) == V{"inside<-high", "sub<-range"});
}

TEST_CASE("protocol any with ports covers tcp and udp but no other", "[shadowed]") {
  auto p = policy(
      "rule dns deny any src any dst any sport any dport {53}\n"
      "rule dns-tcp deny tcp src {10.0.0.0/8} dst any sport any dport {53}\n"
      "rule dns-udp allow udp src any dst any sport any dport {53}\n"
      "rule tcp-any deny tcp src any dst any sport any dport any\n"
      "rule dns-any deny any src any dst {10.0.0.53} sport any dport {53}\n");
  CHECK(shadowed(p) == V{"dns-tcp<-dns", "dns-udp<-dns", "dns-any<-dns"});
}

TEST_CASE("families: an IPv4-only rule does not shadow a dual-stack rule", "[shadowed]") {
  auto p = policy(
      "rule v4 deny tcp src {0.0.0.0/0} dst any sport any dport any\n"
      "rule dual deny tcp src any dst any sport any dport any\n"
      "rule dual-again deny tcp src any dst any sport any dport {22}\n"
      "rule v4-again deny tcp src any dst {192.0.2.0/24} sport any dport any\n"
      "rule icmp4 allow icmp src any dst any sport any dport any\n"
      "rule icmp6 allow icmpv6 src any dst any sport any dport any\n"
      "rule v6-only allow any src {::/0} dst any sport any dport any\n"
      "rule v6-ping allow icmpv6 src {2001:db8::/32} dst any sport any dport any\n");
  CHECK(shadowed(p) == V{"dual-again<-dual", "v4-again<-v4", "v6-ping<-icmp6"});
}

TEST_CASE("fragments: a rule with ports never covers a rule without", "[shadowed]") {
  auto p = policy(
      "rule all-ports deny tcp src any dst any sport any dport {0..65535}\n"
      "rule no-ports deny tcp src {10.0.0.0/8} dst any sport any dport any\n"
      "rule with-ports allow tcp src {10.0.0.0/8} dst any sport any dport {22}\n");
  CHECK(shadowed(p) == V{"with-ports<-all-ports"});
  // The evaluator agrees: a non-first fragment passes the port rule by.
  CHECK(testutil::decided_by(p, "tcp 10.0.0.1:1 -> 10.0.0.2:2 frag") == "no-ports");
}

TEST_CASE("the earliest covering rule is named", "[shadowed]") {
  auto p = policy(
      "rule first deny any src any dst any sport any dport any\n"
      "rule second deny tcp src {10.0.0.0/8} dst any sport any dport any\n"
      "rule third deny tcp src {10.0.0.0/16} dst any sport any dport any\n");
  CHECK(shadowed(p) == V{"second<-first", "third<-first"});
}

TEST_CASE("the witness avoids earlier rules that cover only part", "[shadowed]") {
  auto p = policy(
      "rule hole deny tcp src {10.0.0.1} dst any sport any dport any\n"
      "rule ssh allow tcp src any dst any sport any dport {22}\n"
      "rule ssh-ten log tcp src {10.0.0.0/8} dst any sport any dport {22}\n");
  auto found = passes::find_shadowed_rules(passes::firewall_rules(p));
  REQUIRE(found.size() == 1);
  CHECK(found[0].decided_by == 1);
  CHECK(testutil::decided_by(p, found[0].witness) == "ssh");
}

TEST_CASE("when no easy witness avoids earlier rules the note names the real decider", "[shadowed]") {
  auto p = policy(
      "rule one deny tcp src {10.0.0.1} dst any sport any dport any\n"
      "rule all deny tcp src any dst any sport any dport any\n"
      "rule just-one allow tcp src {10.0.0.1} dst any sport any dport {22}\n");
  auto found = passes::find_shadowed_rules(passes::firewall_rules(p));
  REQUIRE(found.size() == 1);
  CHECK(found[0].by == 0);
  CHECK(found[0].decided_by == 0);
  CHECK(testutil::shadowed(p) == V{"just-one<-one"});
}

TEST_CASE("W0201 lands on the rule id with notes and help", "[shadowed][diag]") {
  std::string src =
      "firewall {\n"
      "    default deny\n"
      "    rule ssh   allow tcp from 10.0.0.0/8 to any port 22\n"
      "    rule ssh-2 deny  tcp from 10.1.0.0/16 to any port 22\n"
      "    rule ssh-3 allow tcp from 10.2.0.0/16 to any port 22\n"
      "}\n";
  SourceManager sm;
  sm.add("other.sen", "# nothing\n");
  uint32_t file = sm.add("my policies/edge.sen", src);
  auto p = policy(
      "rule ssh allow tcp src {10.0.0.0/8} dst any sport any dport {22} loc \"my policies/edge.sen\":3:10\n"
      "rule ssh-2 deny tcp src {10.1.0.0/16} dst any sport any dport {22} loc \"my policies/edge.sen\":4:10\n"
      "rule ssh-3 allow tcp src {10.2.0.0/16} dst any sport any dport {22} loc \"my policies/edge.sen\":5:10\n");
  DiagEngine diags(sm);
  passes::check_firewall_shadowed(p, sm, diags);
  REQUIRE(diags.all().size() == 2);
  CHECK(diags.warnings() == 2);

  const auto& conflict = diags.all()[0];
  CHECK(conflict.code == DiagCode::W0201);
  CHECK(conflict.message == "rule `ssh-2` is never reached: rule `ssh` matches every packet it matches");
  CHECK(conflict.span.file == file);
  CHECK(src.substr(conflict.span.begin, conflict.span.end - conflict.span.begin) == "ssh-2");
  REQUIRE(conflict.notes.size() == 3);
  CHECK(conflict.notes[0].message == "`ssh` is defined here");
  CHECK(src.substr(conflict.notes[0].span.begin, conflict.notes[0].span.end - conflict.notes[0].span.begin) ==
        "ssh");
  CHECK(conflict.notes[1].message == "for example tcp 10.1.0.1:1024 -> 198.51.100.1:22 is decided by `ssh`");
  CHECK_FALSE(conflict.notes[1].span.valid());
  CHECK(conflict.notes[2].message == "the rules conflict: `ssh` allows the packets `ssh-2` would deny");
  CHECK(conflict.help == "move `ssh-2` above `ssh` if it should win, or remove it");
  CHECK(testutil::decided_by(p, "tcp 10.1.0.1:1024 -> 198.51.100.1:22") == "ssh");

  const auto& redundant = diags.all()[1];
  CHECK(redundant.message == "rule `ssh-3` is never reached: rule `ssh` matches every packet it matches");
  CHECK(redundant.notes[2].message == "`ssh-3` is redundant: `ssh` already allows these packets");
  CHECK(redundant.help == "remove `ssh-3`");

  // The rendered form carries the code and the caret line.
  std::string text = diags.render_text();
  CHECK(text.find("W0201") != std::string::npos);
  CHECK(text.find("my policies/edge.sen:4:10") != std::string::npos);
}

TEST_CASE("rules whose file is not loaded get no span but still a warning", "[shadowed][diag]") {
  SourceManager sm;
  auto p = policy(
      "rule a deny any src any dst any sport any dport any loc \"gone.sen\":1:1\n"
      "rule b deny tcp src any dst any sport any dport any loc \"gone.sen\":2:1\n");
  DiagEngine diags(sm);
  passes::check_firewall_shadowed(p, sm, diags);
  REQUIRE(diags.all().size() == 1);
  CHECK_FALSE(diags.all()[0].span.valid());
}
