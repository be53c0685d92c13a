// The test harness other suites build on: compiled artifacts into the
// kernel without attaching, frames through BPF_PROG_TEST_RUN, counters.
#include <arpa/inet.h>

#include <catch2/catch.hpp>

#include "compiler/backend/build.h"
#include "enforcer/core/loader.h"
#include "enforcer/core/test_harness.h"
#include "fixture.h"

using namespace sentinel;
using namespace sentinel::ktest;
using sentinel::enforcer::core::FirewallHarness;

TEST_CASE("the harness runs frames through the compiled firewall", "[kernel][harness]") {
  auto p = policy(pir::FirewallAction::Allow, {rule("no-telnet", pir::FirewallAction::Deny, pir::Proto::Tcp, 23),
                                       rule("web", pir::FirewallAction::Allow, pir::Proto::Tcp, 80)});
  auto art = backend::compile_firewall(p);
  auto fw = FirewallHarness::load(std::span<const char>(art.object), art.plan);
  uint32_t s = htonl(0x0a000001), d = htonl(0x0a000002);
  auto telnet = enforcer::core::ipv4_tcp_frame(s, d, 40000, 23);
  auto web = enforcer::core::ipv4_tcp_frame(s, d, 40000, 80);
  auto other = enforcer::core::ipv4_tcp_frame(s, d, 40000, 443);
  CHECK(fw.run(telnet) == 1);  // XDP_DROP
  CHECK(fw.run(web) == 2);     // XDP_PASS
  CHECK(fw.run(other) == 2);   // default allow
  CHECK(fw.run(enforcer::core::arp_frame()) == 2);
  CHECK(fw.run(telnet) == 1);
  auto c = fw.counters();
  CHECK(c["no-telnet"].packets == 2);
  CHECK(c["no-telnet"].bytes == 2 * telnet.size());
  CHECK(c["web"].packets == 1);
  CHECK(c["default"].packets == 1);
  CHECK(c["malformed"].packets == 0);
  double ns = fw.bench(web, 1000);
  CHECK(ns > 0);
  CHECK(ns < 100000);

  // The same through a bundle.
  auto fb = FirewallHarness::load_bundle(build(p));
  CHECK(fb.run(telnet) == 1);
  CHECK(fb.counters()["no-telnet"].packets == 1);
}
