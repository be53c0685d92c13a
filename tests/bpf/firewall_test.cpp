// sn_xdp_firewall through BPF_PROG_TEST_RUN: first-match verdicts, parsing
// (VLAN, IPv4 options and fragments, IPv6 extension headers), malformed
// frames, counters, events, quiet frames, ring backpressure.
#include <catch2/catch.hpp>

#include "fixtures.h"

using namespace snt;

namespace {

constexpr uint64_t T0 = 1000ull * 1000000000ull;  // the test clock: 1000 s

// Protocol numbers, spelled out for the rules.
constexpr int TCP = 6, UDP = 17, ICMP = 1, ICMP6 = 58;

std::vector<FwRule> v4_rules() {
  return {
      {{.family = 4, .dst = "10.0.0.0/8", .proto = TCP, .dport = 22}, SN_FW_DENY, 100},
      {{.family = 4, .src = "192.168.1.0/24", .proto = TCP}, SN_FW_ALLOW, 101},
      {{.family = 4, .proto = UDP, .dport = 53}, SN_FW_LOG, 102},
      {{.family = 4, .src = "10.1.0.0/16"}, SN_FW_DENY, 103},
      // Same shape as rule 0: one tuple holds rules 0 and 4.
      {{.family = 4, .dst = "10.0.0.0/8", .proto = TCP, .dport = 80}, SN_FW_LOG, 104},
      // Same shape as rule 1: a packet matching rules 4 and 5 finds rule 4
      // first and must keep it when the walk meets rule 5 in the next tuple.
      {{.family = 4, .src = "172.16.0.0/24", .proto = TCP}, SN_FW_ALLOW, 105},
  };
}

Bytes tcp4(const char* s, uint16_t sp, const char* d, uint16_t dp, uint8_t fl = tcpf::SYN) {
  return eth4(v4(s, d, TCP, tcp(sp, dp, fl)));
}
Bytes udp4(const char* s, uint16_t sp, const char* d, uint16_t dp) {
  return eth4(v4(s, d, UDP, udp(sp, dp)));
}

uint64_t packets(const Object& o, uint64_t key) {
  auto c = counter(o.map("sn_counters"), key);
  return c ? c->packets : 0;
}

std::vector<sn_fw_event> events(const Object& o) {
  std::vector<sn_fw_event> out;
  for (auto& r : drain(o.map("sn_fw_events"))) {
    REQUIRE(r.size() == sizeof(sn_fw_event));
    out.push_back(record_as<sn_fw_event>(r));
  }
  return out;
}

}  // namespace

TEST_CASE("first match decides over IPv4, default rule counted", "[xdp_firewall]") {
  auto fw = load_fw({}, v4_rules());
  int prog = fw->prog("sn_xdp_firewall");

  Bytes ssh = tcp4("192.168.1.5", 1000, "10.0.0.1", 22);
  CHECK(xdp(prog, ssh, clock_at(T0)).ret == kDrop);  // rule 0 before rule 1
  // Rule 4 (tuple 0) matches too, but rule 1 (tuple 1) comes first.
  CHECK(xdp(prog, tcp4("192.168.1.5", 1000, "10.0.0.1", 80), clock_at(T0)).ret == kPass);
  CHECK(xdp(prog, tcp4("172.16.0.1", 1000, "10.0.0.1", 80), clock_at(T0)).ret == kPass);
  CHECK(xdp(prog, udp4("10.1.2.3", 5000, "8.8.8.8", 53), clock_at(T0)).ret == kPass);  // log
  CHECK(xdp(prog, eth4(v4("10.1.2.3", "1.1.1.1", ICMP, icmp(8, 0, 7))), clock_at(T0)).ret ==
        kDrop);
  Bytes other = tcp4("172.16.5.1", 1000, "172.16.0.2", 443);
  CHECK(xdp(prog, other, clock_at(T0)).ret == kPass);
  // ICMP has no ports: the port rule cannot match it, the default does.
  Bytes ping = eth4(v4("172.16.0.1", "8.8.8.8", ICMP, icmp(8, 0, 1)));
  CHECK(xdp(prog, ping, clock_at(T0)).ret == kPass);

  CHECK(packets(*fw, 100) == 1);
  CHECK(counter(fw->map("sn_counters"), 100)->bytes == ssh.size());
  CHECK(packets(*fw, 101) == 1);
  CHECK(packets(*fw, 102) == 1);
  CHECK(packets(*fw, 103) == 1);
  CHECK(packets(*fw, 104) == 1);
  CHECK(packets(*fw, 105) == 0);
  CHECK(packets(*fw, 999) == 2);
  CHECK(counter(fw->map("sn_counters"), 999)->bytes == other.size() + ping.size());
  auto ev = events(*fw);
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].hdr.rule == 4);
  CHECK(ev[1].hdr.rule == 2);
}

TEST_CASE("IPv4 options and fragments", "[xdp_firewall]") {
  auto fw = load_fw({}, v4_rules());
  int prog = fw->prog("sn_xdp_firewall");
  // Ports behind 4 bytes of options.
  CHECK(xdp(prog, eth4(v4("192.168.1.5", "10.0.0.1", TCP, tcp(1000, 22, tcpf::SYN), 0, 6)),
            clock_at(T0))
            .ret == kDrop);
  // A first fragment (MF, offset 0) carries the ports; a later one does not.
  Bytes first = eth4(v4("172.16.0.9", "8.8.8.8", UDP, udp(5000, 53), 0x2000));
  Bytes later = eth4(v4("172.16.0.9", "8.8.8.8", UDP, udp(5000, 53), 185));
  CHECK(xdp(prog, first, clock_at(T0)).ret == kPass);
  CHECK(packets(*fw, 102) == 1);
  CHECK(xdp(prog, later, clock_at(T0)).ret == kPass);
  CHECK(packets(*fw, 102) == 1);  // no ports: the default
  CHECK(packets(*fw, 999) == 1);
  // From 10.1/16, the non-first fragment meets rule 3 (no ports needed).
  CHECK(xdp(prog, eth4(v4("10.1.0.9", "8.8.8.8", UDP, udp(5000, 53), 185)), clock_at(T0)).ret ==
        kDrop);
  CHECK(packets(*fw, 103) == 1);
}

TEST_CASE("a port range that holds 0 still needs ports", "[xdp_firewall]") {
  // udp dport 0-1023 expands to the prefix 0/6: value 0, mask 0xfc00. A
  // packet without ports (ports read as 0) must not match it.
  auto fw = load_fw({}, {{{.family = 4, .proto = UDP, .dport = 0, .dport_mask = 0xfc00},
                          SN_FW_DENY, 130}});
  int prog = fw->prog("sn_xdp_firewall");
  CHECK(xdp(prog, udp4("10.0.0.1", 5000, "10.0.0.2", 1000), clock_at(T0)).ret == kDrop);
  CHECK(xdp(prog, udp4("10.0.0.1", 5000, "10.0.0.2", 1024), clock_at(T0)).ret == kPass);
  CHECK(xdp(prog, eth4(v4("10.0.0.1", "10.0.0.2", UDP, udp(5000, 1000), 185)), clock_at(T0)).ret ==
        kPass);
  CHECK(packets(*fw, 130) == 1);
  CHECK(packets(*fw, 999) == 2);
}

TEST_CASE("VLAN tags: 802.1Q, 802.1ad stacked, a third tag is malformed", "[xdp_firewall]") {
  auto fw = load_fw({}, v4_rules());
  int prog = fw->prog("sn_xdp_firewall");
  Bytes l3 = v4("192.168.1.5", "10.0.0.1", TCP, tcp(1000, 22, tcpf::SYN));
  CHECK(xdp(prog, eth4(l3, {0x8100}), clock_at(T0)).ret == kDrop);
  CHECK(xdp(prog, eth4(l3, {0x88a8, 0x8100}), clock_at(T0)).ret == kDrop);
  CHECK(packets(*fw, 100) == 2);
  // Allowed through two tags: the tags moved the offsets, not the verdict.
  CHECK(xdp(prog, eth4(v4("192.168.1.5", "10.0.0.1", TCP, tcp(1000, 443, tcpf::SYN)),
                       {0x88a8, 0x8100}),
            clock_at(T0))
            .ret == kPass);
  CHECK(packets(*fw, 101) == 1);

  CHECK(xdp(prog, eth4(l3, {0x88a8, 0x8100, 0x8100}), clock_at(T0)).ret == kDrop);
  Bytes cut = eth(0x8100, {});  // a tag announced, the frame ends
  CHECK(xdp(prog, cut, clock_at(T0)).ret == kDrop);
  CHECK(packets(*fw, 900) == 2);

  // Non-IP behind a tag is not ours.
  CHECK(xdp(prog, eth(0x0806, Bytes(28, 0), {0x8100}), clock_at(T0)).ret == kPass);
  CHECK(packets(*fw, 999) == 0);
}

TEST_CASE("malformed frames: dropped and counted when enforcing, passed when auditing",
          "[xdp_firewall]") {
  std::vector<Bytes> bad = {
      eth4(Bytes(10, 0x45)),                                                // IPv4 cut short
      eth4(v4("10.9.0.1", "10.9.0.2", TCP, tcp(1, 2, tcpf::SYN), 0, 4)),   // IHL 4
      eth4(v4("10.9.0.1", "10.9.0.2", TCP, Bytes(10, 0))),                 // TCP cut short
      eth4(v4("10.9.0.1", "10.9.0.2", UDP, Bytes(4, 0))),                  // UDP cut short
      eth4(v4("10.9.0.1", "10.9.0.2", ICMP, Bytes(4, 0))),                 // ICMP cut short
      // An ICMP error whose embedded header is cut short.
      eth4(v4("10.9.0.1", "10.9.0.2", ICMP, icmp(3, 3, 0, Bytes(12, 0x45)))),
      // An ICMP error whose embedded packet lacks its 8 bytes of L4.
      eth4(v4("10.9.0.1", "10.9.0.2", ICMP,
              icmp(3, 3, 0, Bytes(v4("10.9.0.2", "10.9.0.1", UDP, Bytes(4, 0)))))),
  };
  {
    Bytes v6_in_v4 = eth4(v4("10.9.0.1", "10.9.0.2", TCP, tcp(1, 2, tcpf::SYN)));
    v6_in_v4[14] = 0x65;  // version 6 behind the IPv4 ethertype
    bad.push_back(v6_in_v4);
  }
  for (uint32_t mode : {SN_FW_ENFORCE, SN_FW_AUDIT}) {
    FwSetup s;
    s.mode = mode;
    auto fw = load_fw(s, v4_rules());
    int prog = fw->prog("sn_xdp_firewall");
    for (size_t i = 0; i < bad.size(); i++) {
      INFO("mode " << mode << " frame " << i);
      CHECK(xdp(prog, bad[i], clock_at(T0)).ret == (mode == SN_FW_ENFORCE ? kDrop : kPass));
    }
    CHECK(packets(*fw, 900) == bad.size());
    CHECK(packets(*fw, 999) == 0);
    CHECK(events(*fw).empty());
  }
}

TEST_CASE("IPv6: first match, extension headers, fragments", "[xdp_firewall]") {
  FwSetup s;
  s.variant = "fw_v6";
  s.default_action = SN_FW_DENY;  // a misparsed packet falls to a drop
  s.default_key = 998;
  auto fw = load_fw(s, {
                           {{.family = 6, .dst = "2001:db8::/32", .proto = TCP, .dport = 443},
                            SN_FW_DENY, 200},
                           {{.family = 6, .proto = UDP, .dport = 53}, SN_FW_ALLOW, 201},
                           {{.family = 6, .proto = TCP}, SN_FW_ALLOW, 202},
                           {{.family = 6, .proto = ICMP6}, SN_FW_LOG, 203},
                           {{.family = 4}, SN_FW_ALLOW, 204},
                           {{.family = 6, .proto = 60}, SN_FW_LOG, 205},
                       });
  int prog = fw->prog("sn_xdp_firewall");
  const char* src = "2001:db8:1::1";
  auto run = [&](const Bytes& l3) { return xdp(prog, eth6(l3), clock_at(T0)).ret; };

  CHECK(run(v6(src, "2001:db8::1", TCP, tcp(1000, 443, tcpf::SYN))) == kDrop);
  CHECK(run(v6(src, "2001:db8::1", TCP, tcp(1000, 80, tcpf::SYN))) == kPass);
  CHECK(run(v6(src, "2001:db9::1", TCP, tcp(1000, 443, tcpf::SYN))) == kPass);
  CHECK(run(v6(src, "2001:db8::1", UDP, udp(1000, 53))) == kPass);
  CHECK(run(v6(src, "2001:db8::1", UDP, udp(1000, 54))) == kDrop);
  CHECK(packets(*fw, 200) == 1);
  CHECK(packets(*fw, 201) == 1);
  CHECK(packets(*fw, 202) == 2);
  CHECK(packets(*fw, 998) == 1);

  // Hop-by-hop, destination, routing, AH (16 bytes: length field 2 in
  // 4-byte units, which 8-byte units would read as 24), first fragment.
  Bytes chain = cat({ext(60, 8), ext(43, 16), ext(51, 24), ah(44, 16), frag6(UDP, 0, true),
                     udp(1000, 53)});
  CHECK(run(v6(src, "2001:db8::1", 0, chain)) == kPass);
  CHECK(packets(*fw, 201) == 2);
  Bytes chain443 = cat({ext(51, 8), ah(44, 16), frag6(TCP, 0, true), tcp(1000, 443, tcpf::SYN)});
  CHECK(run(v6(src, "2001:db8::1", 0, chain443)) == kDrop);
  CHECK(packets(*fw, 200) == 2);

  // Eight extension headers, then UDP: still parsed to its ports.
  Bytes eight;
  for (int i = 0; i < 7; i++) eight = cat({eight, ext(60, 8)});
  eight = cat({eight, ext(UDP, 8), udp(1000, 53)});
  CHECK(run(v6(src, "2001:db8::1", 60, eight)) == kPass);
  CHECK(packets(*fw, 201) == 3);
  // Nine: the ninth extension header is the protocol, and there are no ports.
  Bytes nine;
  for (int i = 0; i < 8; i++) nine = cat({nine, ext(60, 8)});
  nine = cat({nine, ext(UDP, 8), udp(1000, 53)});
  CHECK(run(v6(src, "2001:db8::1", 60, nine)) == kPass);
  CHECK(packets(*fw, 205) == 1);
  CHECK(packets(*fw, 201) == 3);

  // A non-first fragment has no ports: rule 0 cannot match, rule 2 does.
  CHECK(run(v6(src, "2001:db8::1", 44, cat({frag6(TCP, 1480, false), tcp(1000, 443, 0)}))) ==
        kPass);
  CHECK(packets(*fw, 202) == 3);

  // Cut short: a hop-by-hop header that claims 16 bytes of an 8-byte rest;
  // an IPv6 header of 20 bytes.
  CHECK(run(v6(src, "2001:db8::1", 0, Bytes{TCP, 1, 0, 0, 0, 0, 0, 0})) == kDrop);
  CHECK(xdp(prog, eth6(Bytes(20, 0x60)), clock_at(T0)).ret == kDrop);
  CHECK(packets(*fw, 900) == 2);

  // IPv4 still goes through its own rules in the IPv6 variant.
  CHECK(xdp(prog, tcp4("10.0.0.1", 1, "10.0.0.2", 2), clock_at(T0)).ret == kPass);
  CHECK(packets(*fw, 204) == 1);

  auto ev = events(*fw);
  REQUIRE(ev.size() == 1);  // the ninth-header packet (rule 5, log)
  CHECK(ev[0].hdr.rule == 5);
  CHECK(ev[0].pkt.proto == 60);
  CHECK(ev[0].pkt.sport == 0);
  CHECK(ev[0].pkt.dport == 0);
}

TEST_CASE("without the IPv6 variant, IPv6 gets the default", "[xdp_firewall]") {
  for (uint32_t def : {SN_FW_ALLOW, SN_FW_DENY}) {
    FwSetup s;
    s.default_action = def;
    auto fw = load_fw(s, v4_rules());
    int prog = fw->prog("sn_xdp_firewall");
    int want = def == SN_FW_DENY ? kDrop : kPass;
    CHECK(xdp(prog, eth6(v6("2001:db8::1", "2001:db8::2", UDP, udp(1, 53))), clock_at(T0)).ret ==
          want);
    // Not even a whole IPv6 header: not malformed here, the default decides.
    CHECK(xdp(prog, eth6(Bytes(20, 0x60)), clock_at(T0)).ret == want);
    CHECK(packets(*fw, 999) == 2);
    CHECK(packets(*fw, 900) == 0);
    CHECK(packets(*fw, 102) == 0);
  }
}

TEST_CASE("log events carry the packet summary", "[xdp_firewall]") {
  auto fw = load_fw({}, v4_rules());
  int prog = fw->prog("sn_xdp_firewall");
  Bytes f = tcp4("172.16.0.1", 1234, "10.0.0.1", 80, tcpf::URG | tcpf::PSH | tcpf::ACK | 0x80);
  CHECK(xdp(prog, f, clock_at(T0 + 42), 1, /*ifindex lo*/ 1).ret == kPass);
  auto ev = events(*fw);
  REQUIRE(ev.size() == 1);
  const sn_fw_event& e = ev[0];
  CHECK(e.hdr.ts_ns == T0 + 42);
  CHECK(e.hdr.counter_key == 104);
  CHECK(e.hdr.rule == 4);
  CHECK(e.hdr.action == SN_FW_LOG);
  CHECK(e.hdr.verdict == 0);
  CHECK(e.hdr.kind == SN_FW_EVENT_LOG);
  CHECK(e.pkt.src[0] == ip4("172.16.0.1"));
  CHECK(e.pkt.dst[0] == ip4("10.0.0.1"));
  CHECK((e.pkt.src[1] | e.pkt.src[2] | e.pkt.src[3] | e.pkt.dst[1] | e.pkt.dst[2] | e.pkt.dst[3]) ==
        0);
  CHECK(e.pkt.sport == 1234);
  CHECK(e.pkt.dport == 80);
  CHECK(e.pkt.family == 4);
  CHECK(e.pkt.proto == TCP);
  CHECK(e.pkt.ct == 0);
  CHECK(e.pkt.tcp_flags == (tcpf::URG | tcpf::PSH | tcpf::ACK | 0x80));  // CWR too
  CHECK(e.pkt.len == f.size());
  CHECK(e.pkt.ifindex == 1);

  // IPv6 summary: four address words each.
  FwSetup s;
  s.variant = "fw_v6";
  auto fw6 = load_fw(s, {{{.family = 6, .proto = ICMP6}, SN_FW_LOG, 203}});
  Bytes f6 = eth6(v6("2001:db8::a", "2001:db8::b", ICMP6, icmp(128, 0, 77)));
  CHECK(xdp(fw6->prog("sn_xdp_firewall"), f6, clock_at(T0)).ret == kPass);
  auto ev6 = events(*fw6);
  REQUIRE(ev6.size() == 1);
  auto a = ip6("2001:db8::a"), b = ip6("2001:db8::b");
  CHECK(std::equal(a.begin(), a.end(), ev6[0].pkt.src));
  CHECK(std::equal(b.begin(), b.end(), ev6[0].pkt.dst));
  CHECK(ev6[0].pkt.family == 6);
  CHECK(ev6[0].pkt.proto == ICMP6);
  CHECK(ev6[0].pkt.len == f6.size());
}

TEST_CASE("audit mode: would-be drops pass and are reported", "[xdp_firewall]") {
  FwSetup s;
  s.mode = SN_FW_AUDIT;
  auto fw = load_fw(s, v4_rules());
  int prog = fw->prog("sn_xdp_firewall");
  CHECK(xdp(prog, tcp4("192.168.1.5", 1000, "10.0.0.1", 22), clock_at(T0)).ret == kPass);
  CHECK(xdp(prog, eth4(v4("10.1.2.3", "1.1.1.1", ICMP, icmp(8, 0, 7))), clock_at(T0 + 1)).ret ==
        kPass);
  CHECK(xdp(prog, tcp4("192.168.1.5", 1000, "10.0.0.1", 443), clock_at(T0 + 2)).ret == kPass);
  CHECK(packets(*fw, 100) == 1);
  CHECK(packets(*fw, 103) == 1);
  auto ev = events(*fw);
  REQUIRE(ev.size() == 2);  // the allowed packet reports nothing
  CHECK(ev[0].hdr.kind == SN_FW_EVENT_AUDIT);
  CHECK(ev[0].hdr.action == SN_FW_DENY);
  CHECK(ev[0].hdr.verdict == 0);
  CHECK(ev[0].hdr.rule == 0);
  CHECK(ev[0].hdr.counter_key == 100);
  CHECK(ev[0].hdr.ts_ns == T0);
  CHECK(ev[1].hdr.rule == 3);
  CHECK(ev[1].pkt.proto == ICMP);
  // A default deny is audited like a rule.
  FwSetup d;
  d.mode = SN_FW_AUDIT;
  d.default_action = SN_FW_DENY;
  auto fwd = load_fw(d, {});
  CHECK(xdp(fwd->prog("sn_xdp_firewall"), tcp4("1.2.3.4", 1, "5.6.7.8", 2), clock_at(T0)).ret ==
        kPass);
  auto evd = events(*fwd);
  REQUIRE(evd.size() == 1);
  CHECK(evd[0].hdr.rule == 0);  // nrules: the default
  CHECK(evd[0].hdr.counter_key == 999);
  CHECK(packets(*fwd, 999) == 1);
}

TEST_CASE("quiet frames are judged alike and leave no trace", "[xdp_firewall]") {
  FwSetup s;
  s.variant = "fw_v6";
  s.mode = SN_FW_AUDIT;
  auto fw = load_fw(s, v4_rules());
  int prog = fw->prog("sn_xdp_firewall");
  std::vector<std::pair<Bytes, int>> frames = {
      {tcp4("192.168.1.5", 1000, "10.0.0.1", 22), kPass},  // audited deny
      {udp4("10.1.2.3", 5000, "8.8.8.8", 53), kPass},      // log
      {tcp4("172.16.0.1", 1000, "172.16.0.2", 443), kPass},
      {eth4(Bytes(10, 0x45)), kPass},  // malformed, audit
  };
  for (auto& [f, want] : frames) CHECK(xdp(prog, f, quiet_at(T0)).ret == want);
  CHECK(map_entries(fw->map("sn_counters")) == 0);
  auto rs = ring_stats(fw->map("sn_fw_rstat"));
  CHECK(rs.emitted == 0);
  CHECK(rs.skipped == 0);
  CHECK(events(*fw).empty());

  // Enforcing, a quiet frame is still dropped.
  auto fwe = load_fw({}, v4_rules());
  CHECK(xdp(fwe->prog("sn_xdp_firewall"), tcp4("192.168.1.5", 1000, "10.0.0.1", 22), quiet_at(T0))
            .ret == kDrop);
  CHECK(map_entries(fwe->map("sn_counters")) == 0);
  // The same frame, not quiet, counts.
  CHECK(xdp(fwe->prog("sn_xdp_firewall"), tcp4("192.168.1.5", 1000, "10.0.0.1", 22), clock_at(T0))
            .ret == kDrop);
  CHECK(packets(*fwe, 100) == 1);
}

TEST_CASE("ring backpressure: past 3/4 of the ring, events are skipped and counted",
          "[xdp_firewall]") {
  const uint32_t ring = 4096;
  FwSetup s;
  s.ring_size = ring;
  auto fw = load_fw(s, {{{.family = 4}, SN_FW_LOG, 110}});
  int prog = fw->prog("sn_xdp_firewall");
  Bytes f = tcp4("1.2.3.4", 1, "5.6.7.8", 2);
  const int sent = 100;
  for (int i = 0; i < sent; i++) REQUIRE(xdp(prog, f, clock_at(T0 + i)).ret == kPass);

  // A record takes its 8-byte header plus the event, 8-aligned; an event is
  // written while the ring holds no more than 3/4 of its size.
  const uint64_t record = (8 + sizeof(sn_fw_event) + 7) / 8 * 8;
  const uint64_t fits = ring / 4 * 3 / record + 1;
  auto rs = ring_stats(fw->map("sn_fw_rstat"));
  CHECK(rs.emitted == fits);
  CHECK(rs.skipped == sent - fits);
  CHECK(packets(*fw, 110) == sent);  // counting does not depend on the ring
  auto ev = events(*fw);
  REQUIRE(ev.size() == fits);
  CHECK(ev.front().hdr.ts_ns == T0);
  CHECK(ev.back().hdr.ts_ns == T0 + fits - 1);

  // Drained, the ring takes events again.
  CHECK(xdp(prog, f, clock_at(T0 + 1000)).ret == kPass);
  CHECK(ring_stats(fw->map("sn_fw_rstat")).emitted == fits + 1);
  CHECK(events(*fw).size() == 1);
}
