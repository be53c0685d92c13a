#include <catch2/catch.hpp>

#include "enforcer/core/planner.h"

using namespace sentinel;
using namespace sentinel::enforcer::core;

namespace {

pir::Cidr cidr(const char* s) { return *pir::parse_cidr(s); }

pir::Policy base() {
  pir::Policy p;
  pir::Set trusted;
  trusted.name = "trusted";
  trusted.cidrs = {cidr("10.0.0.0/8"), cidr("192.168.0.0/16")};
  p.sets.push_back(trusted);
  p.firewall.present = true;
  p.firewall.default_action = pir::Action::Deny;
  pir::Rule ssh;
  ssh.id = "ssh";
  ssh.action = pir::Action::Allow;
  ssh.proto = pir::Proto::Tcp;
  ssh.src.any = false;
  ssh.src.set = "trusted";
  ssh.src.cidrs = trusted.cidrs;
  ssh.dport.any = false;
  ssh.dport.ranges = {{22, 22}};
  pir::Rule telnet;
  telnet.id = "no-telnet";
  telnet.action = pir::Action::Deny;
  telnet.proto = pir::Proto::Tcp;
  telnet.dport.any = false;
  telnet.dport.ranges = {{23, 23}};
  p.firewall.rules = {ssh, telnet};
  return p;
}

}  // namespace

TEST_CASE("identical policies plan no changes", "[planner]") {
  Plan p = diff_policies(base(), base());
  CHECK(p.empty());
  CHECK(render_text(p) == "plan: no changes\n");
  CHECK(render_json(p)["changes"] == false);
}

TEST_CASE("nothing live: everything is added", "[planner]") {
  Plan p = diff_policies(std::nullopt, base());
  CHECK(p.add == 1 + 2 + 2);  // firewall block, two set elements, two rules
  CHECK(p.change == 0);
  std::string t = render_text(p);
  CHECK(t.rfind("plan: 5 to add, 0 to change, 0 to remove (firewall)\n", 0) == 0);
  CHECK(t.find("+ rule ssh allow tcp from @trusted to any port 22") != std::string::npos);
  CHECK(t.find("+ set trusted 10.0.0.0/8") != std::string::npos);
}

TEST_CASE("rule, set and default changes are itemized", "[planner]") {
  pir::Policy next = base();
  next.firewall.default_action = pir::Action::Allow;
  next.sets[0].cidrs = {cidr("10.0.0.0/8"), cidr("10.1.0.0/16")};
  next.firewall.rules[0].src.cidrs = next.sets[0].cidrs;  // resolved set: not a rule change
  next.firewall.rules[1].dport.ranges = {{2323, 2323}};
  pir::Rule web;
  web.id = "web";
  web.action = pir::Action::Allow;
  web.proto = pir::Proto::Tcp;
  next.firewall.rules.push_back(web);

  Plan p = diff_policies(base(), next);
  CHECK(p.add == 2);     // set element, rule web
  CHECK(p.remove == 1);  // set element
  CHECK(p.change == 2);  // default, no-telnet
  std::string t = render_text(p);
  CHECK(t.rfind("plan: 2 to add, 2 to change, 1 to remove (firewall)\n", 0) == 0);
  CHECK(t.find("~ firewall default deny -> allow") != std::string::npos);
  CHECK(t.find("+ set trusted 10.1.0.0/16") != std::string::npos);
  CHECK(t.find("- set trusted 192.168.0.0/16") != std::string::npos);
  CHECK(t.find("~ rule no-telnet: to port 23 -> 2323") != std::string::npos);
  CHECK(t.find("+ rule web allow tcp") != std::string::npos);
  CHECK(t.find("rule ssh") == std::string::npos);
  auto j = render_json(p);
  CHECK(j["domains"]["firewall"]["items"].size() == 5);
}

TEST_CASE("a relative move is a change, an insertion above is not", "[planner]") {
  pir::Policy moved = base();
  std::swap(moved.firewall.rules[0], moved.firewall.rules[1]);
  Plan p = diff_policies(base(), moved);
  CHECK(p.change == 2);
  CHECK(render_text(p).find("moved: position 1 -> 2") != std::string::npos);

  pir::Policy inserted = base();
  pir::Rule first;
  first.id = "first";
  inserted.firewall.rules.insert(inserted.firewall.rules.begin(), first);
  Plan q = diff_policies(base(), inserted);
  CHECK(q.add == 1);
  CHECK(q.change == 0);
}

TEST_CASE("removed rules and mode changes", "[planner]") {
  pir::Policy next = base();
  next.firewall.rules.pop_back();
  next.firewall.mode = pir::Mode::Audit;
  Plan p = diff_policies(base(), next);
  CHECK(p.remove == 1);
  CHECK(p.change == 1);
  std::string t = render_text(p);
  CHECK(t.find("- rule no-telnet deny tcp to any port 23") != std::string::npos);
  CHECK(t.find("~ firewall mode enforce -> audit") != std::string::npos);
}
