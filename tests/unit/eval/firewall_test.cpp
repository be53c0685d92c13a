#include <catch2/catch.hpp>

#include "tests/support/fw_eval.h"

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
  testing::fw(p);
  testing::fw(p).default_action = pir::FirewallAction::Deny;
  pir::FirewallRule ssh;
  ssh.id = "ssh";
  ssh.action = pir::FirewallAction::Allow;
  ssh.match.proto = pir::Proto::Tcp;
  ssh.match.src = addrs({"10.0.0.0/8", "2001:db8::/32"});
  ssh.match.dport = ports(22, 22);
  pir::FirewallRule outsiders;
  outsiders.id = "outsiders";
  outsiders.action = pir::FirewallAction::Deny;
  outsiders.match.src = addrs({"10.0.0.0/8"}, true);
  pir::FirewallRule high;
  high.id = "high";
  high.action = pir::FirewallAction::Log;
  high.match.proto = pir::Proto::Udp;
  high.match.dport = ports(1024, 65535);
  pir::FirewallRule ping;
  ping.id = "ping";
  ping.action = pir::FirewallAction::Allow;
  ping.match.proto = pir::Proto::Icmp;
  testing::fw(p).rules = {ssh, outsiders, high, ping};
  return p;
}
}  // namespace

TEST_CASE("first match decides", "[firewall]") {
  auto p = sample();
  auto v = testing::fw_eval(p, pkt("tcp 10.1.1.1:999 -> 10.2.2.2:22"));
  CHECK(testing::rule_id(p, v) == "ssh");
  CHECK_FALSE(v.dropped);
  v = testing::fw_eval(p, pkt("tcp 192.0.2.1:999 -> 10.2.2.2:22"));
  CHECK(testing::rule_id(p, v) == "outsiders");
  CHECK(v.dropped);
}

TEST_CASE("negation stays within the rule's families", "[firewall]") {
  auto p = sample();
  // `outsiders` lists only IPv4 prefixes, so it never matches IPv6.
  auto v = testing::fw_eval(p, pkt("udp [2001:db9::1]:5 -> [2001:db8::2]:5000"));
  CHECK(testing::rule_id(p, v) == "high");
  CHECK(v.action == pir::FirewallAction::Log);
  CHECK_FALSE(v.dropped);
  v = testing::fw_eval(p, pkt("tcp [2001:db9::1]:5 -> [2001:db8::2]:22"));
  CHECK(testing::rule_id(p, v) == "default");
  CHECK(v.dropped);
}

TEST_CASE("fragments never match port rules", "[firewall]") {
  auto p = sample();
  auto v = testing::fw_eval(p, pkt("udp 10.0.0.1:5 -> 10.0.0.2:5000 frag"), true);
  CHECK(testing::rule_id(p, v) == "default");
  REQUIRE(v.misses.size() == 4);
  CHECK(v.misses[2].reason == "non-first fragment carries no ports");
}

TEST_CASE("audit mode passes what it would drop", "[firewall]") {
  auto p = sample();
  testing::fw(p).mode = pir::Mode::Audit;
  auto v = testing::fw_eval(p, pkt("tcp 192.0.2.1:999 -> 10.2.2.2:22"));
  CHECK(v.action == pir::FirewallAction::Deny);
  CHECK_FALSE(v.dropped);
}

TEST_CASE("trace explains every earlier rule", "[firewall]") {
  auto p = sample();
  auto v = testing::fw_eval(p, pkt("icmp 10.0.0.1 -> 10.0.0.2"), true);
  CHECK(testing::rule_id(p, v) == "ping");
  REQUIRE(v.misses.size() == 3);
  CHECK(v.misses[0].reason == "protocol is not tcp");
  CHECK(v.misses[1].reason == "source 10.0.0.1 not in !10.0.0.0/8");
  CHECK(v.misses[2].reason == "protocol is not udp");
}
