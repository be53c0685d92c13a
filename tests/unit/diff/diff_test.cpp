#include <catch2/catch.hpp>

#include "compiler/diff/diff.h"
#include "compiler/pir/domains/conntrack.h"
#include "compiler/pir/domains/ratelimit.h"
#include "tests/support/test_policy.h"

using namespace sentinel;
using namespace sentinel::diff;

namespace {

pir::Cidr cidr(const char* s) { return *pir::parse_cidr(s); }

pir::Policy base() {
  pir::Policy p;
  pir::Set trusted;
  trusted.name = "trusted";
  trusted.cidrs = {cidr("10.0.0.0/8"), cidr("192.168.0.0/16")};
  p.sets.push_back(trusted);
  testing::fw(p);
  testing::fw(p).default_action = pir::FirewallAction::Deny;
  pir::FirewallRule ssh;
  ssh.id = "ssh";
  ssh.action = pir::FirewallAction::Allow;
  ssh.match.proto = pir::Proto::Tcp;
  ssh.match.src.any = false;
  ssh.match.src.set = "trusted";
  ssh.match.src.cidrs = trusted.cidrs;
  ssh.match.dport.any = false;
  ssh.match.dport.ranges = {{22, 22}};
  pir::FirewallRule telnet;
  telnet.id = "no-telnet";
  telnet.action = pir::FirewallAction::Deny;
  telnet.match.proto = pir::Proto::Tcp;
  telnet.match.dport.any = false;
  telnet.match.dport.ranges = {{23, 23}};
  testing::fw(p).rules = {ssh, telnet};
  return p;
}

}  // namespace

TEST_CASE("identical policies plan no changes", "[diff]") {
  Plan p = diff_policies(base(), base());
  CHECK(p.empty());
  CHECK(render_text(p) == "plan: no changes\n");
  CHECK(render_json(p)["changes"] == false);
}

TEST_CASE("nothing live: everything is added", "[diff]") {
  Plan p = diff_policies(std::nullopt, base());
  CHECK(p.add == 1 + 2 + 2);  // firewall block, two set elements, two rules
  CHECK(p.change == 0);
  std::string t = render_text(p);
  CHECK(t.rfind("plan: 5 to add, 0 to change, 0 to remove (firewall)\n", 0) == 0);
  CHECK(t.find("+ firewall rule ssh allow tcp from @trusted to any port 22") != std::string::npos);
  CHECK(t.find("+ set trusted 10.0.0.0/8") != std::string::npos);
}

TEST_CASE("rule, set and default changes are itemized", "[diff]") {
  pir::Policy next = base();
  testing::fw(next).default_action = pir::FirewallAction::Allow;
  next.sets[0].cidrs = {cidr("10.0.0.0/8"), cidr("10.1.0.0/16")};
  testing::fw(next).rules[0].match.src.cidrs = next.sets[0].cidrs;  // resolved set: not a rule change
  testing::fw(next).rules[1].match.dport.ranges = {{2323, 2323}};
  pir::FirewallRule web;
  web.id = "web";
  web.action = pir::FirewallAction::Allow;
  web.match.proto = pir::Proto::Tcp;
  testing::fw(next).rules.push_back(web);

  Plan p = diff_policies(base(), next);
  CHECK(p.add == 2);     // set element, rule web
  CHECK(p.remove == 1);  // set element
  CHECK(p.change == 2);  // default, no-telnet
  std::string t = render_text(p);
  CHECK(t.rfind("plan: 2 to add, 2 to change, 1 to remove (firewall)\n", 0) == 0);
  CHECK(t.find("~ firewall default deny -> allow") != std::string::npos);
  CHECK(t.find("+ set trusted 10.1.0.0/16") != std::string::npos);
  CHECK(t.find("- set trusted 192.168.0.0/16") != std::string::npos);
  CHECK(t.find("~ firewall rule no-telnet: to port 23 -> 2323") != std::string::npos);
  CHECK(t.find("+ firewall rule web allow tcp") != std::string::npos);
  CHECK(t.find("rule ssh") == std::string::npos);
  auto j = render_json(p);
  CHECK(j["domains"]["firewall"]["items"].size() == 3);
  CHECK(j["shared"].size() == 2);
}

TEST_CASE("a relative move is a change, an insertion above is not", "[diff]") {
  pir::Policy moved = base();
  std::swap(testing::fw(moved).rules[0], testing::fw(moved).rules[1]);
  Plan p = diff_policies(base(), moved);
  CHECK(p.change == 2);
  CHECK(render_text(p).find("moved: position 1 -> 2") != std::string::npos);

  pir::Policy inserted = base();
  pir::FirewallRule first;
  first.id = "first";
  testing::fw(inserted).rules.insert(testing::fw(inserted).rules.begin(), first);
  Plan q = diff_policies(base(), inserted);
  CHECK(q.add == 1);
  CHECK(q.change == 0);
}

TEST_CASE("removed rules and mode changes", "[diff]") {
  pir::Policy next = base();
  testing::fw(next).rules.pop_back();
  testing::fw(next).mode = pir::Mode::Audit;
  Plan p = diff_policies(base(), next);
  CHECK(p.remove == 1);
  CHECK(p.change == 1);
  std::string t = render_text(p);
  CHECK(t.find("- firewall rule no-telnet deny tcp to any port 23") != std::string::npos);
  CHECK(t.find("~ firewall mode enforce -> audit") != std::string::npos);
}

TEST_CASE("rate limits and connection tracking are planned in their own domains", "[diff]") {
  pir::Policy next = base();
  auto rl = std::make_unique<pir::RateLimit>();
  pir::RateRule r;
  r.id = "api";
  r.match.proto = pir::Proto::Tcp;
  r.rate = {100, 's'};
  r.burst = 100;
  rl->rules.push_back(r);
  next.put(Poly<pir::Block>(std::move(rl)));
  next.put(Poly<pir::Block>(std::make_unique<pir::Conntrack>()));
  Plan p = diff_policies(base(), next);
  std::string t = render_text(p);
  INFO(t);
  CHECK(t.rfind("plan: 3 to add, 0 to change, 0 to remove (ratelimit, conntrack)\n", 0) == 0);
  CHECK(t.find("+ ratelimit mode enforce") != std::string::npos);
  CHECK(t.find("+ ratelimit rule api drop tcp rate 100/s token-bucket burst 100 per source") != std::string::npos);
  CHECK(t.find("+ conntrack established allow") != std::string::npos);

  pir::Policy later = next;
  later.get_mut<pir::RateLimit>()->rules[0].rate.count = 50;
  later.get_mut<pir::Conntrack>()->timeouts_ns[static_cast<size_t>(pir::CtTimeout::Udp)] = 60000000000ull;
  Plan q = diff_policies(next, later);
  std::string u = render_text(q);
  INFO(u);
  CHECK(q.change == 2);
  CHECK(u.find("~ ratelimit rule api: rate 100/s token-bucket burst 100 per source -> rate 50/s") != std::string::npos);
  CHECK(u.find("~ conntrack timeout udp 30s -> 60s") != std::string::npos);
  auto j = render_json(q);
  CHECK(j["domains"]["ratelimit"]["change"] == 1);
  CHECK(j["domains"]["conntrack"]["change"] == 1);
}
