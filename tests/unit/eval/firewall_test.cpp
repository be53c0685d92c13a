#include <catch2/catch.hpp>

#include "compiler/eval/firewall.h"

using namespace sentinel;

namespace {
pir::Cidr cidr(const char* s) { return *pir::parse_cidr(s); }
pir::AddrMatch addrs(std::vector<const char*> list, bool negate = false) {
  pir::AddrMatch m;
  m.any = false;
  m.negate = negate;
  for (auto* s : list) m.cidrs.push_back(cidr(s));
  return m;
}
pir::PortMatch ports(uint16_t lo, uint16_t hi) {
  pir::PortMatch m;
  m.any = false;
  m.ranges.push_back({lo, hi});
  return m;
}
eval::Packet pkt(const char* s) { return *eval::parse_packet(s, nullptr); }

pir::Policy sample() {
  pir::Policy p;
  p.firewall.present = true;
  p.firewall.default_action = pir::Action::Deny;
  pir::Rule ssh;
  ssh.id = "ssh";
  ssh.action = pir::Action::Allow;
  ssh.proto = pir::Proto::Tcp;
  ssh.src = addrs({"10.0.0.0/8", "2001:db8::/32"});
  ssh.dport = ports(22, 22);
  pir::Rule outsiders;
  outsiders.id = "outsiders";
  outsiders.action = pir::Action::Deny;
  outsiders.src = addrs({"10.0.0.0/8"}, true);
  pir::Rule high;
  high.id = "high";
  high.action = pir::Action::Log;
  high.proto = pir::Proto::Udp;
  high.dport = ports(1024, 65535);
  pir::Rule ping;
  ping.id = "ping";
  ping.action = pir::Action::Allow;
  ping.proto = pir::Proto::Icmp;
  p.firewall.rules = {ssh, outsiders, high, ping};
  return p;
}
}  // namespace

TEST_CASE("first match decides", "[firewall]") {
  auto p = sample();
  auto v = eval::eval_firewall(p, pkt("tcp 10.1.1.1:999 -> 10.2.2.2:22"));
  CHECK(v.rule_id(p) == "ssh");
  CHECK_FALSE(v.dropped);
  v = eval::eval_firewall(p, pkt("tcp 192.0.2.1:999 -> 10.2.2.2:22"));
  CHECK(v.rule_id(p) == "outsiders");
  CHECK(v.dropped);
}

TEST_CASE("negation stays within the rule's families", "[firewall]") {
  auto p = sample();
  // `outsiders` lists only IPv4 prefixes, so it never matches IPv6.
  auto v = eval::eval_firewall(p, pkt("udp [2001:db9::1]:5 -> [2001:db8::2]:5000"));
  CHECK(v.rule_id(p) == "high");
  CHECK(v.action == pir::Action::Log);
  CHECK_FALSE(v.dropped);
  v = eval::eval_firewall(p, pkt("tcp [2001:db9::1]:5 -> [2001:db8::2]:22"));
  CHECK(v.rule_id(p) == "default");
  CHECK(v.dropped);
}

TEST_CASE("fragments never match port rules", "[firewall]") {
  auto p = sample();
  auto v = eval::eval_firewall(p, pkt("udp 10.0.0.1:5 -> 10.0.0.2:5000 frag"), true);
  CHECK(v.rule_id(p) == "default");
  REQUIRE(v.misses.size() == 4);
  CHECK(v.misses[2].reason == "non-first fragment carries no ports");
}

TEST_CASE("audit mode passes what it would drop", "[firewall]") {
  auto p = sample();
  p.firewall.mode = pir::Mode::Audit;
  auto v = eval::eval_firewall(p, pkt("tcp 192.0.2.1:999 -> 10.2.2.2:22"));
  CHECK(v.action == pir::Action::Deny);
  CHECK_FALSE(v.dropped);
}

TEST_CASE("trace explains every earlier rule", "[firewall]") {
  auto p = sample();
  auto v = eval::eval_firewall(p, pkt("icmp 10.0.0.1 -> 10.0.0.2"), true);
  CHECK(v.rule_id(p) == "ping");
  REQUIRE(v.misses.size() == 3);
  CHECK(v.misses[0].reason == "protocol is not tcp");
  CHECK(v.misses[1].reason == "source 10.0.0.1 not in !10.0.0.0/8");
  CHECK(v.misses[2].reason == "protocol is not udp");
}
