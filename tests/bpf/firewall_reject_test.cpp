// sn_xdp_firewall's `reject` through BPF_PROG_TEST_RUN: the answer frame
// byte by byte (a TCP RST per RFC 793, ICMP and ICMPv6 port unreachable
// quoting the packet), every checksum recomputed here independently, VLAN
// tags kept, the packets never answered, and the per-source budget.
#include <catch2/catch.hpp>

#include <cstring>

#include "fixtures.h"

using namespace snt;

namespace {

constexpr uint64_t T0 = 1000ull * 1000000000ull;
constexpr int TCP = 6, UDP = 17, ICMP = 1, ICMP6 = 58, GRE = 47;
constexpr int kTx = 3;  // XDP_TX

uint16_t rd16(const Bytes& b, size_t o) { return uint16_t(b.at(o) << 8 | b.at(o + 1)); }
uint32_t rd32(const Bytes& b, size_t o) { return uint32_t(rd16(b, o)) << 16 | rd16(b, o + 2); }
void wr32(Bytes& b, size_t o, uint32_t v) {
  for (int i = 0; i < 4; i++) b[o + i] = uint8_t(v >> (24 - 8 * i));
}

// The Internet checksum of `parts` concatenated: 0 when it verifies.
uint16_t sum(std::initializer_list<Bytes> parts) {
  Bytes all = cat(parts);
  uint32_t s = 0;
  for (size_t i = 0; i + 1 < all.size(); i += 2) s += uint32_t(all[i] << 8 | all[i + 1]);
  if (all.size() & 1) s += uint32_t(all.back() << 8);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return uint16_t(~s);
}

Bytes slice(const Bytes& b, size_t from, size_t n) { return Bytes(b.begin() + from, b.begin() + from + n); }

Bytes pseudo4(const Bytes& ip, uint8_t proto, uint16_t len) {
  Bytes p = slice(ip, 12, 8);
  p.insert(p.end(), {0, proto, uint8_t(len >> 8), uint8_t(len)});
  return p;
}
Bytes pseudo6(const Bytes& ip, uint8_t proto, uint32_t len) {
  Bytes p = slice(ip, 8, 32);
  p.insert(p.end(), {uint8_t(len >> 24), uint8_t(len >> 16), uint8_t(len >> 8), uint8_t(len), 0, 0, 0, proto});
  return p;
}

Bytes tcp_seg(uint16_t sp, uint16_t dp, uint8_t flags, uint32_t seq, uint32_t ack, size_t payload = 0) {
  Bytes t = tcp(sp, dp, flags);
  wr32(t, 4, seq);
  wr32(t, 8, ack);
  t.insert(t.end(), payload, 0x5a);
  return t;
}

std::unique_ptr<Object> reject_fw(FwSetup s = {}) {
  s.variant = "fw_v6";
  return load_fw(s, {
                        {{.family = 4, .proto = TCP, .dport = 23}, SN_FW_REJECT, 100},
                        {{.family = 6, .proto = TCP, .dport = 23}, SN_FW_REJECT, 100},
                        {{.family = 4, .proto = UDP}, SN_FW_REJECT, 101},
                        {{.family = 6, .proto = UDP}, SN_FW_REJECT, 101},
                        {{.family = 4, .proto = GRE}, SN_FW_REJECT, 102},
                        {{.family = 4, .proto = ICMP}, SN_FW_REJECT, 103},
                        {{.family = 6, .proto = ICMP6}, SN_FW_REJECT, 103},
                    });
}

void check_macs_swapped(const Bytes& in, const Bytes& out) {
  CHECK(slice(out, 0, 6) == slice(in, 6, 6));
  CHECK(slice(out, 6, 6) == slice(in, 0, 6));
}

}  // namespace

TEST_CASE("reject: a SYN gets RST+ACK acknowledging it, checksums valid", "[xdp_firewall][reject]") {
  auto fw = reject_fw();
  int prog = fw->prog("sn_xdp_firewall");
  Bytes in = eth4(v4("192.0.2.1", "10.0.0.1", TCP, tcp_seg(40000, 23, tcpf::SYN, 1000, 0)));
  auto r = xdp(prog, in, clock_at(T0));
  REQUIRE(r.ret == kTx);
  const Bytes& o = r.data_out;
  REQUIRE(o.size() == 14 + 20 + 20);
  check_macs_swapped(in, o);
  CHECK(rd16(o, 12) == 0x0800);
  Bytes ip = slice(o, 14, 20), th = slice(o, 34, 20);
  CHECK(ip[0] == 0x45);
  CHECK(rd16(ip, 2) == 40);
  CHECK(ip[9] == TCP);
  CHECK(slice(ip, 12, 4) == slice(in, 14 + 16, 4));  // source: the original destination
  CHECK(slice(ip, 16, 4) == slice(in, 14 + 12, 4));
  CHECK(sum({ip}) == 0);
  CHECK(rd16(th, 0) == 23);
  CHECK(rd16(th, 2) == 40000);
  CHECK(rd32(th, 4) == 0);
  CHECK(rd32(th, 8) == 1001);  // SEG.SEQ + 1 for the SYN
  CHECK(th[12] == 5 << 4);
  CHECK(th[13] == (tcpf::RST | tcpf::ACK));
  CHECK(sum({pseudo4(ip, TCP, 20), th}) == 0);
  CHECK(counter(fw->map("sn_counters"), 100)->packets == 1);
}

TEST_CASE("reject: a segment with ACK gets a RST at its acknowledgment number", "[xdp_firewall][reject]") {
  auto fw = reject_fw();
  int prog = fw->prog("sn_xdp_firewall");
  Bytes in = eth4(v4("192.0.2.1", "10.0.0.1", TCP, tcp_seg(40000, 23, tcpf::PSH | tcpf::ACK, 5000, 7000, 100)));
  auto r = xdp(prog, in, clock_at(T0));
  REQUIRE(r.ret == kTx);
  Bytes th = slice(r.data_out, 34, 20);
  CHECK(rd32(th, 4) == 7000);
  CHECK(th[13] == tcpf::RST);
  CHECK(sum({pseudo4(slice(r.data_out, 14, 20), TCP, 20), th}) == 0);

  // Without ACK, data and FIN count: ACK = SEQ + 100 + 1.
  Bytes fin = eth4(v4("192.0.2.1", "10.0.0.1", TCP, tcp_seg(40000, 23, tcpf::FIN, 5000, 0, 100)));
  auto f = xdp(prog, fin, clock_at(T0));
  REQUIRE(f.ret == kTx);
  CHECK(rd32(f.data_out, 34 + 8) == 5101);
  CHECK(f.data_out[34 + 13] == (tcpf::RST | tcpf::ACK));
}

TEST_CASE("reject: IPv6 TCP gets a RST with the IPv6 pseudo-header checksum", "[xdp_firewall][reject]") {
  auto fw = reject_fw();
  int prog = fw->prog("sn_xdp_firewall");
  Bytes in = eth6(v6("2001:db8::9", "2001:db8::1", TCP, tcp_seg(40000, 23, tcpf::SYN, 77, 0)));
  auto r = xdp(prog, in, clock_at(T0));
  REQUIRE(r.ret == kTx);
  const Bytes& o = r.data_out;
  REQUIRE(o.size() == 14 + 40 + 20);
  check_macs_swapped(in, o);
  Bytes ip = slice(o, 14, 40), th = slice(o, 54, 20);
  CHECK(ip[0] >> 4 == 6);
  CHECK(rd16(ip, 4) == 20);
  CHECK(ip[6] == TCP);
  CHECK(slice(ip, 8, 16) == slice(in, 14 + 24, 16));
  CHECK(slice(ip, 24, 16) == slice(in, 14 + 8, 16));
  CHECK(rd32(th, 8) == 78);
  CHECK(sum({pseudo6(ip, TCP, 20), th}) == 0);
}

TEST_CASE("reject: UDP gets ICMP port unreachable quoting the packet", "[xdp_firewall][reject]") {
  {
    // The smallest datagram, in the variant without IPv6.
    auto v4only = load_fw({}, {{{.family = 4, .proto = UDP}, SN_FW_REJECT, 101}});
    Bytes l3 = v4("192.0.2.2", "10.0.0.1", UDP, udp(5000, 9, 0));
    auto r = xdp(v4only->prog("sn_xdp_firewall"), eth4(l3), clock_at(T0));
    REQUIRE(r.ret == kTx);
    REQUIRE(r.data_out.size() == 14 + 28 + l3.size());
    CHECK(slice(r.data_out, 42, l3.size()) == l3);
    CHECK(sum({slice(r.data_out, 34, 8 + l3.size())}) == 0);
  }
  auto fw = reject_fw();
  int prog = fw->prog("sn_xdp_firewall");
  Bytes l3 = v4("192.0.2.2", "10.0.0.1", UDP, udp(5000, 9, 300));
  Bytes in = eth4(l3);
  auto r = xdp(prog, in, clock_at(T0));
  REQUIRE(r.ret == kTx);
  const Bytes& o = r.data_out;
  REQUIRE(o.size() == 14 + 20 + 8 + 128);
  check_macs_swapped(in, o);
  Bytes ip = slice(o, 14, 20), ic = slice(o, 34, 8 + 128);
  CHECK(rd16(ip, 2) == 20 + 8 + 128);
  CHECK(ip[9] == ICMP);
  CHECK(slice(ip, 12, 4) == slice(l3, 16, 4));
  CHECK(slice(ip, 16, 4) == slice(l3, 12, 4));
  CHECK(sum({ip}) == 0);
  CHECK(ic[0] == 3);
  CHECK(ic[1] == 3);
  CHECK(slice(ic, 8, 128) == slice(l3, 0, 128));
  CHECK(sum({ic}) == 0);

  // A short packet is quoted whole, without the frame's padding.
  Bytes gre = v4("192.0.2.2", "10.0.0.1", GRE, Bytes(4, 0x11));
  Bytes padded = eth4(gre);
  padded.resize(60, 0);
  auto g = xdp(prog, padded, clock_at(T0));
  REQUIRE(g.ret == kTx);
  REQUIRE(g.data_out.size() == 14 + 28 + gre.size());
  CHECK(slice(g.data_out, 42, gre.size()) == gre);
  CHECK(sum({slice(g.data_out, 34, 8 + gre.size())}) == 0);
}

TEST_CASE("reject: IPv6 UDP gets ICMPv6 port unreachable with its pseudo-header", "[xdp_firewall][reject]") {
  auto fw = reject_fw();
  int prog = fw->prog("sn_xdp_firewall");
  Bytes l3 = v6("2001:db8::9", "2001:db8::1", UDP, udp(5000, 9, 20));
  auto r = xdp(prog, eth6(l3), clock_at(T0));
  REQUIRE(r.ret == kTx);
  const Bytes& o = r.data_out;
  REQUIRE(o.size() == 14 + 40 + 8 + l3.size());
  Bytes ip = slice(o, 14, 40), ic = slice(o, 54, 8 + l3.size());
  CHECK(rd16(ip, 4) == 8 + l3.size());
  CHECK(ip[6] == ICMP6);
  CHECK(slice(ip, 24, 16) == slice(l3, 8, 16));
  CHECK(ic[0] == 1);
  CHECK(ic[1] == 4);
  CHECK(slice(ic, 8, l3.size()) == l3);
  CHECK(sum({pseudo6(ip, ICMP6, uint32_t(ic.size())), ic}) == 0);
}

TEST_CASE("reject: VLAN tags are kept in the answer", "[xdp_firewall][reject]") {
  auto fw = reject_fw();
  int prog = fw->prog("sn_xdp_firewall");
  Bytes in = eth4(v4("192.0.2.2", "10.0.0.1", UDP, udp(5000, 9, 10)), {0x88a8, 0x8100});
  auto r = xdp(prog, in, clock_at(T0));
  REQUIRE(r.ret == kTx);
  CHECK(slice(r.data_out, 12, 10) == slice(in, 12, 10));  // both tags and the EtherType
  CHECK(r.data_out[22 + 9] == ICMP);
  CHECK(sum({slice(r.data_out, 22, 20)}) == 0);
}

TEST_CASE("reject: RSTs, ICMP errors, fragments and multicast are only dropped", "[xdp_firewall][reject]") {
  auto fw = reject_fw();
  int prog = fw->prog("sn_xdp_firewall");
  CHECK(xdp(prog, eth4(v4("192.0.2.1", "10.0.0.1", TCP, tcp_seg(1, 23, tcpf::RST, 1, 0))), clock_at(T0)).ret == kDrop);
  Bytes quoted = v4("10.0.0.1", "192.0.2.1", UDP, udp(9, 5000, 0));
  CHECK(xdp(prog, eth4(v4("192.0.2.1", "10.0.0.1", ICMP, icmp(3, 3, 0, quoted))), clock_at(T0)).ret == kDrop);
  CHECK(xdp(prog, eth4(v4("192.0.2.1", "10.0.0.1", GRE, Bytes(16, 0), 0x00b9)), clock_at(T0)).ret == kDrop);
  CHECK(xdp(prog, eth4(v4("192.0.2.1", "224.0.0.5", UDP, udp(1, 2))), clock_at(T0)).ret == kDrop);
  CHECK(xdp(prog, eth6(v6("2001:db8::9", "ff02::1", UDP, udp(1, 2))), clock_at(T0)).ret == kDrop);
  // A ping is answered.
  CHECK(xdp(prog, eth4(v4("192.0.2.1", "10.0.0.1", ICMP, icmp(8, 0, 7))), clock_at(T0)).ret == kTx);
  // All were the rules' decisions.
  CHECK(counter(fw->map("sn_counters"), 101)->packets == 2);
}

TEST_CASE("reject: each source has a budget of answers", "[xdp_firewall][reject]") {
  auto fw = reject_fw();
  int prog = fw->prog("sn_xdp_firewall");
  auto syn = [](const char* src) { return eth4(v4(src, "10.0.0.1", TCP, tcp_seg(1000, 23, tcpf::SYN, 1, 0))); };
  for (int i = 0; i < 10; i++) CHECK(xdp(prog, syn("198.51.100.1"), clock_at(T0)).ret == kTx);
  CHECK(xdp(prog, syn("198.51.100.1"), clock_at(T0)).ret == kDrop);
  CHECK(xdp(prog, syn("198.51.100.2"), clock_at(T0)).ret == kTx);
  CHECK(xdp(prog, syn("198.51.100.1"), clock_at(T0 + 99'000'000)).ret == kDrop);
  CHECK(xdp(prog, syn("198.51.100.1"), clock_at(T0 + 100'000'000)).ret == kTx);
  CHECK(xdp(prog, syn("198.51.100.1"), clock_at(T0 + 100'000'000)).ret == kDrop);
  // Every one of them was the rule's: counted, dropped or answered.
  CHECK(counter(fw->map("sn_counters"), 100)->packets == 15);

  // Quiet frames are judged but never answered, and take nothing.
  CHECK(xdp(prog, syn("198.51.100.3"), quiet_at(T0)).ret == kDrop);
  CHECK(xdp(prog, syn("198.51.100.3"), clock_at(T0)).ret == kTx);
}

TEST_CASE("reject in audit mode passes and reports", "[xdp_firewall][reject]") {
  FwSetup s;
  s.mode = SN_FW_AUDIT;
  auto fw = reject_fw(s);
  int prog = fw->prog("sn_xdp_firewall");
  CHECK(xdp(prog, eth4(v4("192.0.2.1", "10.0.0.1", TCP, tcp_seg(1, 23, tcpf::SYN, 1, 0))), clock_at(T0)).ret ==
        kPass);
  auto ev = drain(fw->map("sn_fw_events"));
  CHECK(ev.size() == 1);
}


