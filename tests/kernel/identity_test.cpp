// What the enforcer keys its state by, on the real kernel: the network
// namespace (two namespaces with interfaces of the same name under one
// bpffs root stay apart) and the interface's index (a rename keeps the
// enforcement and status says so; a deleted interface is reported, and the
// next apply cleans up after it).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "fixture.h"

using namespace sentinel;
using namespace sentinel::ktest;
namespace core = sentinel::enforcer::core;

namespace {

const char* kDenyTelnet = "firewall {\n default allow\n rule no-telnet deny tcp to any port 23\n}\n";
const char* kDenySsh = "firewall {\n default allow\n rule no-ssh deny tcp to any port 22\n rule no-dns deny udp to any port 53\n}\n";

}  // namespace

TEST_CASE("namespaces sharing a bpffs root are kept apart", "[kernel][identity]") {
  NetnsPair ns;
  Host a(ns.a, ns.root), b(ns.b, ns.root);
  a.apply(build(kDenyTelnet), {"lo"});
  b.apply(build(kDenySsh), {"lo"});
  uint32_t a_prog = ns.xdp_prog(ns.a, "lo"), b_prog = ns.xdp_prog(ns.b, "lo");
  CHECK(a_prog != 0);
  CHECK(b_prog != 0);
  CHECK(a_prog != b_prog);  // each namespace has its own dispatchers
  auto sa = a.status(), sb = b.status();
  CHECK(sa["netns_cookie"] != sb["netns_cookie"]);
  CHECK(sa["generation"] == 1);
  CHECK(sb["generation"] == 1);
  CHECK(sa["domains"]["firewall"]["rules"][0]["id"] == "no-telnet");
  CHECK(sb["domains"]["firewall"]["rules"][0]["id"] == "no-ssh");

  // Detaching b leaves a's firewall running.
  b.with([](core::Enforcer& e) { return e.detach(); });
  CHECK(ns.xdp_prog(ns.b, "lo") == 0);
  CHECK(ns.xdp_prog(ns.a, "lo") == a_prog);
  CHECK(a.status()["generation"] == 1);
  CHECK(b.status()["applied"] == false);
}

TEST_CASE("a renamed interface stays enforced and status says so", "[kernel][identity]") {
  NetnsPair ns;
  Host h(ns.a, ns.root);
  h.apply(build("firewall {\n default allow\n rule no-9999 deny udp to any port 9999\n}\n"), {ns.ifa});
  uint32_t prog = ns.xdp_prog(ns.a, ns.ifa);
  REQUIRE(sh("ip -n " + ns.a + " link set " + ns.ifa + " down && ip -n " + ns.a + " link set " + ns.ifa +
             " name snk-r && ip -n " + ns.a + " link set snk-r up") == 0);
  CHECK(ns.xdp_prog(ns.a, "snk-r") == prog);
  REQUIRE(ns.udp_from_b(2, 9999));
  auto s = h.status();
  INFO(s.dump(2));
  CHECK(s["applied"] == true);
  CHECK(counter(s, "firewall", "no-9999").first == 2);
  REQUIRE(s["interfaces"].size() == 1);
  CHECK(s["interfaces"][0]["name"] == "snk-r");
  CHECK(s["interfaces"][0]["attached_name"] == ns.ifa);
  CHECK(s["interfaces"][0]["state"] == "renamed");
  CHECK(s["problems"].empty());

  // Applying again by the new name reuses the same links.
  auto r = h.apply(build(kDenyTelnet), {"snk-r"});
  CHECK(r.links_created.empty());
  CHECK(ns.xdp_prog(ns.a, "snk-r") == prog);
}

TEST_CASE("a deleted interface is reported and cleaned up", "[kernel][identity]") {
  NetnsPair ns;
  Host h(ns.a, ns.root);
  h.apply(build(kDenyTelnet), {ns.ifa, ns.ifa2});
  REQUIRE(sh("ip -n " + ns.a + " link del " + ns.ifa2) == 0);
  auto s = h.status();
  INFO(s.dump(2));
  CHECK(s["applied"] == true);
  bool reported = false;
  for (const auto& p : s["problems"]) reported = reported || p.get<std::string>().find(ns.ifa2) != std::string::npos;
  CHECK(reported);
  int gone = 0;
  for (const auto& i : s["interfaces"]) gone += i["state"] == "gone";
  CHECK(gone == 1);

  // A re-created interface of the same name is another interface: the next
  // apply attaches to it and drops the dead links.
  REQUIRE(sh("ip link add " + ns.ifa2 + " netns " + ns.a + " type veth peer name " + ns.ifb2 + " netns " + ns.b) ==
          0);
  REQUIRE(sh("ip -n " + ns.a + " link set " + ns.ifa2 + " up") == 0);
  auto r = h.apply(build(kDenySsh), {ns.ifa, ns.ifa2});
  CHECK(r.links_created == std::vector<std::string>{ns.ifa2 + " xdp"});
  // The old generation needs the dead interface no more than anyone: it
  // rolls back only onto interfaces that exist.
  auto s2 = h.status();
  INFO(s2.dump(2));
  CHECK(s2["problems"].empty());
  CHECK(s2["interfaces"].size() == 2);
  CHECK(ns.xdp_prog(ns.a, ns.ifa2) != 0);
  CHECK_THROWS_WITH(h.with([](core::Enforcer& e) { return e.rollback(); }), Catch::Contains("is gone"));
  CHECK(h.live() == 2);
}
