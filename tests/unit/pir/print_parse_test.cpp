#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>

#include "compiler/pir/domains/conntrack.h"
#include "compiler/pir/domains/firewall.h"
#include "compiler/pir/domains/ratelimit.h"
#include "compiler/pir/pir.h"
#include "tests/support/test_policy.h"

using namespace sentinel;
using testing::fw;

namespace {
pir::Cidr cidr(const char* s) { return *pir::parse_cidr(s); }

pir::AddrMatch addrs(std::vector<const char*> list, bool negate = false, std::string set = {}) {
  pir::AddrMatch m;
  m.any = false;
  m.negate = negate;
  m.set = std::move(set);
  for (auto* s : list) m.cidrs.push_back(cidr(s));
  return m;
}

pir::PortMatch ports(std::vector<pir::PortRange> list, std::string set = {}) {
  pir::PortMatch m;
  m.any = false;
  m.ranges = std::move(list);
  m.set = std::move(set);
  return m;
}

pir::Policy edge() {
  pir::Policy p;
  pir::Set trusted;
  trusted.name = "trusted";
  trusted.cidrs = {cidr("10.0.0.0/8"), cidr("2001:db8::/32")};
  trusted.loc = {"policies/edge.sen", 1, 5};
  pir::Set web;
  web.name = "web";
  web.kind = pir::SetKind::Port;
  web.ports = {{80, 80}, {8000, 8099}};
  web.loc = {"policies/edge.sen", 2, 5};
  p.sets = {trusted, web};
  fw(p).default_action = pir::FirewallAction::Deny;
  fw(p).loc = {"policies/edge.sen", 4, 1};
  pir::FirewallRule ssh;
  ssh.id = "ssh-office";
  ssh.action = pir::FirewallAction::Allow;
  ssh.match.proto = pir::Proto::Tcp;
  ssh.match.src = addrs({"10.0.0.0/8", "2001:db8::/32"}, false, "trusted");
  ssh.match.dport = ports({{22, 22}});
  ssh.description = "admins from the office";
  ssh.loc = {"policies/edge.sen", 7, 10};
  pir::FirewallRule out;
  out.id = "outsiders";
  out.match.src = addrs({"10.0.0.0/8"}, true);
  out.loc = {"policies/edge.sen", 8, 10};
  pir::FirewallRule web_rule;
  web_rule.id = "web";
  web_rule.action = pir::FirewallAction::Log;
  web_rule.match.proto = pir::Proto::Tcp;
  web_rule.match.dport = ports({{80, 80}, {8000, 8099}}, "web");
  fw(p).rules = {ssh, out, web_rule};
  return p;
}

void round_trips(const pir::Policy& p) {
  std::string text = pir::print(p);
  std::string err;
  auto back = pir::parse(text, &err);
  INFO(text);
  INFO(err);
  REQUIRE(back);
  CHECK(*back == p);
  CHECK(pir::print(*back) == text);
}
}  // namespace

TEST_CASE("canonical text of a small policy", "[print]") {
  std::string expected =
      "pir 2\n"
      "set trusted cidr 10.0.0.0/8 2001:db8::/32 loc \"policies/edge.sen\":1:5\n"
      "set web port 80 8000..8099 loc \"policies/edge.sen\":2:5\n"
      "firewall default deny mode enforce loc \"policies/edge.sen\":4:1\n"
      "rule ssh-office allow tcp src set:trusted{10.0.0.0/8,2001:db8::/32} dst any sport any "
      "dport {22} desc \"admins from the office\" loc \"policies/edge.sen\":7:10\n"
      "rule outsiders deny any src !{10.0.0.0/8} dst any sport any dport any loc "
      "\"policies/edge.sen\":8:10\n"
      "rule web log tcp src any dst any sport any dport set:web{80,8000..8099}\n";
  CHECK(pir::print(edge()) == expected);
  round_trips(edge());
}

TEST_CASE("an empty policy and an empty firewall", "[print]") {
  pir::Policy p;
  CHECK(pir::print(p) == "pir 2\n");
  round_trips(p);
  fw(p);
  CHECK(pir::print(p) == "pir 2\nfirewall default allow mode enforce\n");
  round_trips(p);
}

TEST_CASE("every domain's block, interfaces and iface sets", "[print]") {
  pir::Policy p = edge();
  pir::Set edge_if;
  edge_if.name = "edge";
  edge_if.kind = pir::SetKind::Iface;
  edge_if.ifaces = {"eth0", "eth0.100"};
  p.sets.push_back(edge_if);
  p.interface_set = "edge";
  p.interfaces = {"eth0", "eth0.100"};
  fw(p).rules[0].ct = pir::ct_bit(pir::CtState::New) | pir::ct_bit(pir::CtState::Established);
  auto rl = std::make_unique<pir::RateLimit>();
  pir::RateRule r;
  r.id = "api";
  r.match.proto = pir::Proto::Tcp;
  r.match.dport = ports({{443, 443}});
  r.rate = {100, 's'};
  r.burst = 200;
  r.key = pir::RateKey::Cidr;
  r.v4_len = 24;
  r.v6_len = 64;
  rl->rules.push_back(r);
  r.id = "dns";
  r.action = pir::RateAction::Log;
  r.algorithm = pir::RateAlgorithm::SlidingWindow;
  r.burst = 0;
  r.window_ns = 10000000000ull;
  r.key = pir::RateKey::Global;
  r.v4_len = 32, r.v6_len = 128;  // only `per source /N` carries lengths
  rl->rules.push_back(r);
  p.put(Poly<pir::Block>(std::move(rl)));
  auto ct = std::make_unique<pir::Conntrack>();
  ct->accept_established = false;
  ct->timeouts_ns[static_cast<size_t>(pir::CtTimeout::Udp)] = 5000000000ull;
  p.put(Poly<pir::Block>(std::move(ct)));
  std::string text = pir::print(p);
  INFO(text);
  CHECK(text.find("set edge iface eth0 eth0.100\ninterfaces edge {eth0,eth0.100}\nfirewall default deny") !=
        std::string::npos);
  CHECK(text.find("dport {22} ct {new,established} desc") != std::string::npos);
  CHECK(text.find("ratelimit mode enforce\nrule api drop tcp src any dst any sport any dport {443} rate 100/s "
                  "algorithm token-bucket burst 200 window 0ns key cidr/24/64\n") != std::string::npos);
  CHECK(text.find("rate 100/s algorithm sliding-window burst 0 window 10000000000ns key global") !=
        std::string::npos);
  CHECK(text.find("conntrack established rules timeout tcp-syn 60000000000ns") != std::string::npos);
  CHECK(text.find("timeout udp 5000000000ns") != std::string::npos);
  round_trips(p);
}

TEST_CASE("descriptions escape quotes, backslashes and control bytes", "[print]") {
  auto p = edge();
  fw(p).rules[0].description = "say \"hi\"\\ then\nnew line\ttab\r\x01\x7f caf\xc3\xa9";
  std::string text = pir::print(p);
  CHECK(text.find(R"(desc "say \"hi\"\\ then\nnew line\ttab\r\x01\x7f caf)") != std::string::npos);
  // Still one rule per line.
  CHECK(std::count(text.begin(), text.end(), '\n') == 7);
  round_trips(p);
}

TEST_CASE("locations with spaces and quotes in file paths", "[print]") {
  auto p = edge();
  fw(p).rules[1].loc = {"my policies/edge \"v2\".sen", 123, 45};
  p.sets[0].loc = {"", 0, 1};
  round_trips(p);
  CHECK(pir::print(p).find(R"(loc "my policies/edge \"v2\".sen":123:45)") != std::string::npos);
}

TEST_CASE("names that are not bare words are quoted", "[print]") {
  auto p = edge();
  p.sets[0].name = "with space";
  fw(p).rules[0].match.src.set = "with space";
  fw(p).rules[2].id = "";
  fw(p).rules[1].id = "x{y}";
  round_trips(p);
  CHECK(pir::print(p).find(R"(src set:"with space"{10.0.0.0/8)") != std::string::npos);
}

TEST_CASE("every match form round-trips", "[print]") {
  pir::Policy p;
  auto add = [&](pir::AddrMatch src, pir::AddrMatch dst, pir::PortMatch sp, pir::PortMatch dp) {
    pir::FirewallRule r;
    r.id = "r" + std::to_string(fw(p).rules.size());
    r.match.proto = pir::Proto::Udp;
    r.match.src = std::move(src);
    r.match.dst = std::move(dst);
    r.match.sport = std::move(sp);
    r.match.dport = std::move(dp);
    fw(p).rules.push_back(r);
  };
  pir::AddrMatch any;
  pir::PortMatch pany;
  add(addrs({}), addrs({}, true), ports({}), ports({}, "empty"));
  add(addrs({"::/0", "0.0.0.0/0"}, true, "all"), addrs({"fe80::1", "192.0.2.7"}),
      ports({{0, 0}, {65535, 65535}, {0, 65535}}), pany);
  add(any, addrs({"2001:db8:0:1::/64", "::ffff:10.0.0.0/104"}), pany, ports({{1024, 65535}}));
  // Out-of-invariant states: `any` together with elements, or an inverted range.
  pir::AddrMatch odd;
  odd.negate = true;
  odd.set = "s";
  odd.cidrs = {cidr("10.0.0.0/8")};
  pir::PortMatch odd_ports;
  odd_ports.set = "p";
  add(odd, any, odd_ports, ports({{9, 3}}));
  // Host bits the IR should not hold still come back as they went out.
  pir::Cidr host = cidr("10.0.0.0/8");
  host.addr = *pir::parse_addr("10.1.2.3");
  pir::AddrMatch with_host = addrs({});
  with_host.cidrs = {host};
  add(with_host, any, pany, pany);
  round_trips(p);
}

TEST_CASE("sets keep elements of either shape", "[print]") {
  pir::Policy p;
  pir::Set s;
  s.name = "mixed";
  s.cidrs = {cidr("10.0.0.1"), cidr("::1"), cidr("10.0.0.0/8")};
  s.ports = {{1, 2}};
  pir::Set e;
  e.name = "empty";
  e.kind = pir::SetKind::Port;
  p.sets = {s, e};
  round_trips(p);
}

TEST_CASE("parse errors name the line", "[parse]") {
  std::string err;
  CHECK_FALSE(pir::parse("", &err));
  CHECK(err.rfind("line 0:", 0) == 0);
  CHECK_FALSE(pir::parse("pir 1\n", &err));
  CHECK(err == "line 1: PIR version 1; this build reads version 2");
  CHECK_FALSE(pir::parse("pir 2\nfirewall default allow mode enforce\nrule a deny any src any dst any sport any dport\n", &err));
  CHECK(err == "line 3: expected `{` or `any`");
  CHECK_FALSE(pir::parse("pir 2\nfirewall default allow mode enforce\nrule a deny any src {10.0.0.0/33} dst any sport any dport any\n", &err));
  CHECK(err == "line 3: bad prefix length in `10.0.0.0/33`");
  CHECK_FALSE(pir::parse("pir 2\nrule a deny any src any dst any sport any dport any\n", &err));
  CHECK(err == "line 2: unknown item `rule`");
  CHECK_FALSE(pir::parse("pir 2\nfirewall default allow mode enforce\nrule a deny any src any dst any sport any dport {70000}\n", &err));
  CHECK(err == "line 3: bad port `70000`");
  CHECK_FALSE(pir::parse("pir 2\nfirewall default allow mode enforce\nrule a drop any src any dst any sport any dport any\n", &err));
  CHECK(err == "line 3: unknown action `drop`");
  CHECK_FALSE(pir::parse("pir 2\nfirewall default allow mode enforce\nrule a deny any src any dst any sport any dport any desc \"x\n", &err));
  CHECK(err == "line 3: unterminated string");
  CHECK_FALSE(pir::parse("pir 2\nfirewall default deny mode enforce extra\n", &err));
  CHECK(err.rfind("line 2:", 0) == 0);
  CHECK_FALSE(pir::parse("pir 2\nfirewall default allow mode enforce\nfirewall default allow mode enforce\n", &err));
  CHECK(err == "line 3: a second firewall block");
  CHECK_FALSE(pir::parse("pir 2\nconntrack established allow\nfirewall default allow mode enforce\n", &err));
  CHECK(err.rfind("line 2:", 0) == 0);  // every timeout must be there
  CHECK_FALSE(pir::parse("pir 2\nratelimit mode enforce\nfirewall default allow mode enforce\n", &err));
  CHECK(err == "line 3: block firewall out of order");
  CHECK_FALSE(pir::parse("pir 2\nratelimit mode enforce\nrule a drop any src any dst any sport any dport any "
                         "rate 0/x algorithm token-bucket burst 1 window 0ns key source\n", &err));
  CHECK(err == "line 3: bad rate unit in `0/x`");
}

TEST_CASE("comments and blank lines are skipped", "[parse]") {
  std::string err;
  auto p = pir::parse("# a dump\npir 2\n\nfirewall default deny mode audit\n  \n"
                      "rule a deny any src any dst any sport any dport any\n",
                      &err);
  REQUIRE(p);
  CHECK(fw(*p).mode == pir::Mode::Audit);
  CHECK(fw(*p).rules.size() == 1);
}

TEST_CASE("printing 100,000 rules is fast", "[print][perf]") {
  pir::Policy p;
  fw(p).rules.reserve(100000);
  for (uint32_t i = 0; i < 100000; ++i) {
    pir::FirewallRule r;
    r.id = "r" + std::to_string(i);
    r.action = i % 3 ? pir::FirewallAction::Allow : pir::FirewallAction::Deny;
    r.match.proto = i % 2 ? pir::Proto::Tcp : pir::Proto::Udp;
    r.match.src.any = false;
    r.match.src.cidrs = {pir::Cidr{pir::Addr::from_value(pir::Family::V4, 0x0a000000u + i), 32}};
    r.match.dport = ports({{static_cast<uint16_t>(1 + i % 60000), static_cast<uint16_t>(1 + i % 60000)}});
    r.loc = {"policies/big.sen", i + 1, 6};
    fw(p).rules.push_back(std::move(r));
  }
  auto t0 = std::chrono::steady_clock::now();
  std::string text = pir::print(p);
  auto t1 = std::chrono::steady_clock::now();
  std::string err;
  auto back = pir::parse(text, &err);
  auto t2 = std::chrono::steady_clock::now();
  double print_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  double parse_ms = std::chrono::duration<double, std::milli>(t2 - t1).count();
  WARN("print 100000 rules: " << print_ms << " ms, " << text.size() << " bytes; parse: "
                              << parse_ms << " ms");
  REQUIRE(back);
  CHECK(*back == p);
}

TEST_CASE("addresses print as inet_ntop does, and parse back", "[print]") {
  for (const char* s : {"0.0.0.0", "255.255.255.255", "10.0.0.1", "192.0.2.7", "1.20.255.0", "100.9.99.199"}) {
    auto a = pir::parse_addr(s);
    REQUIRE(a);
    CHECK(pir::format(*a) == s);
  }
  for (const char* s : {"0.0.0.0/0", "10.0.0.0/8", "192.0.2.128/25", "203.0.113.9", "::/0", "2001:db8::/32", "fe80::1"}) {
    auto c = pir::parse_cidr(s);
    REQUIRE(c);
    CHECK(pir::format(*c) == s);
  }
  // Every byte value in every position.
  for (unsigned v = 0; v < 256; ++v) {
    pir::Addr a = *pir::parse_addr("0.0.0.0");
    a.bytes[0] = a.bytes[3] = static_cast<uint8_t>(v);
    a.bytes[1] = static_cast<uint8_t>(255 - v);
    a.bytes[2] = static_cast<uint8_t>(v / 2);
    std::string want = std::to_string(v) + "." + std::to_string(255 - v) + "." + std::to_string(v / 2) + "." +
                       std::to_string(v);
    CHECK(pir::format(a) == want);
  }
}
