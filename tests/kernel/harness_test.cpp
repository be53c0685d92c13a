// The test harness other suites build on: a whole generation in the kernel
// without attaching, frames through BPF_PROG_TEST_RUN at each hook with the
// test clock, counters by domain and rule.
#include <arpa/inet.h>

#include <catch2/catch.hpp>

#include "enforcer/core/loader.h"
#include "enforcer/core/test_harness.h"
#include "fixture.h"

using namespace sentinel;
using namespace sentinel::ktest;
namespace core = sentinel::enforcer::core;

TEST_CASE("the harness runs frames through a whole generation", "[kernel][harness]") {
  auto h = core::GenerationHarness::load(bundle(R"(
firewall {
    default allow
    rule no-telnet deny  tcp to any port 23
    rule web       allow tcp to any port 80
}
ratelimit {
    rule web-limit drop tcp to any port 80 rate 2/s burst 2 global
}
)"));
  CHECK(h.has(backend::Hook::Xdp));
  CHECK_FALSE(h.has(backend::Hook::TcxIngress));
  uint32_t s = htonl(0x0a000001), d = htonl(0x0a000002);
  auto telnet = core::ipv4_tcp_frame(s, d, 40000, 23);
  auto web = core::ipv4_tcp_frame(s, d, 40000, 80);
  auto other = core::ipv4_tcp_frame(s, d, 40000, 443);
  uint64_t t = 1'000'000'000;
  CHECK(h.xdp(telnet, t) == 1);  // XDP_DROP by the firewall
  CHECK(h.xdp(other, t) == 2);   // default allow, no rate rule
  CHECK(h.xdp(core::arp_frame(), t) == 2);
  // The rate limiter after the firewall: a burst of 2, then one per 500 ms.
  CHECK(h.xdp(web, t) == 2);
  CHECK(h.xdp(web, t) == 2);
  CHECK(h.xdp(web, t) == 1);
  CHECK(h.xdp(web, t + 499'000'000) == 1);
  CHECK(h.xdp(web, t + 500'000'000) == 2);
  // Quiet frames (the smoke test's) pass the limiter untouched and change
  // nothing: the next packet finds the bucket as the last one left it.
  CHECK(h.xdp(web, t + 500'000'000, true) == 2);
  CHECK(h.xdp(web, t + 500'000'000) == 1);
  auto c = h.counters();
  CHECK(c["firewall/no-telnet"].packets == 1);
  CHECK(c["firewall/no-telnet"].bytes == telnet.size());
  CHECK(c["firewall/web"].packets == 6);
  CHECK(c["firewall/default"].packets == 1);
  CHECK(c["ratelimit/web-limit"].packets == 3);       // over the limit
  CHECK(c["ratelimit/web-limit#pass"].packets == 3);  // within
  double ns = h.bench_xdp(other, 1000);
  CHECK(ns > 0);
}

TEST_CASE("the harness drives connection tracking at TC", "[kernel][harness]") {
  auto h = core::GenerationHarness::load(bundle(R"(
conntrack { established allow }
firewall {
    default deny
    rule ssh allow tcp to any port 22
}
)"));
  REQUIRE(h.has(backend::Hook::TcxIngress));
  REQUIRE(h.has(backend::Hook::TcxEgress));
  uint32_t us = htonl(0x0a000001), peer = htonl(0x0a000002);
  // We open a connection to the peer's web server: out through egress...
  auto syn_out = core::ipv4_tcp_frame(us, peer, 40000, 80);
  CHECK(h.tc(backend::Hook::TcxEgress, syn_out, 1000) == -1);  // TCX_NEXT: tracked, not judged
  // ... and its SYN+ACK comes back: established, passed before the rules.
  auto synack = core::ipv4_tcp_frame(peer, us, 80, 40000);
  synack[14 + 20 + 13] = 0x12;
  CHECK(h.xdp(synack, 2000) == 2);
  // An unsolicited packet from that port is denied by default.
  auto stray = core::ipv4_tcp_frame(peer, us, 80, 40001);
  CHECK(h.xdp(stray, 3000) == 1);
  auto c = h.counters();
  CHECK(c["firewall/established"].packets == 1);
  CHECK(c["firewall/default"].packets == 1);
}
