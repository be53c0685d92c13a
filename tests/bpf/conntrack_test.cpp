// sn_tc_ct_ingress / sn_tc_ct_egress through BPF_PROG_TEST_RUN: the table
// entries they create and update, read back with keys built here.
#include <catch2/catch.hpp>

#include "fixtures.h"

using namespace snt;

namespace {

constexpr uint64_t S = 1000000000ull;
constexpr uint64_t T0 = 5000 * S;
constexpr int TCP = 6, UDP = 17, ICMP = 1, ICMP6 = 58, GRE = 47;
using namespace tcpf;

// The canonical key, built independently of the BPF code: endpoints
// compared as (address bytes, port), the smaller one is a.
struct Flow {
  uint8_t family, proto;
  const char *src, *dst;
  uint16_t sport, dport;
};

std::array<uint32_t, 4> addr(uint8_t family, const char* s) {
  if (family == 4) return {ip4(s), 0, 0, 0};
  return ip6(s);
}

bool src_is_a(const Flow& f) {
  auto s = addr(f.family, f.src), d = addr(f.family, f.dst);
  int c = std::memcmp(s.data(), d.data(), 16);
  return c < 0 || (c == 0 && f.sport <= f.dport);
}

sn_ct_key key_of(const Flow& f) {
  sn_ct_key k{};
  k.family = f.family;
  k.proto = f.proto;
  bool a = src_is_a(f);
  auto s = addr(f.family, f.src), d = addr(f.family, f.dst);
  std::memcpy(k.addr_a, (a ? s : d).data(), 16);
  std::memcpy(k.addr_b, (a ? d : s).data(), 16);
  k.port_a = a ? f.sport : f.dport;
  k.port_b = a ? f.dport : f.sport;
  return k;
}

struct Tracker {
  CtSetup setup = ct_defaults();
  std::unique_ptr<Object> o = load_ct(setup);
  int in = o->prog("sn_tc_ct_ingress");
  int out = o->prog("sn_tc_ct_egress");

  void ingress(const Bytes& f, uint64_t t) { REQUIRE(tc(in, f, clock_at(t)).ret == kTcxNext); }
  void egress(const Bytes& f, uint64_t t) { REQUIRE(tc(out, f, clock_at(t)).ret == kTcxNext); }
  std::optional<sn_ct_entry> entry(const Flow& f) const {
    return get<sn_ct_key, sn_ct_entry>(o->map("sn_ct"), key_of(f));
  }
  uint64_t created() const {
    auto c = counter(o->map("sn_counters"), setup.created_key);
    return c ? c->packets : 0;
  }
  size_t flows() const { return map_entries(o->map("sn_ct")); }
  uint64_t to(int i) const { return setup.timeout_ns[i]; }
};

const char* H = "10.0.0.1";  // this host
const char* R = "10.0.0.2";  // a remote host (greater as bytes)

Bytes tcp_f(const char* s, uint16_t sp, const char* d, uint16_t dp, uint8_t fl) {
  return eth4(v4(s, d, TCP, tcp(sp, dp, fl)));
}

}  // namespace

TEST_CASE("TCP life cycle: handshake, FIN both ways, reopening", "[tc_conntrack]") {
  Tracker t;
  Flow f{4, TCP, H, R, 40000, 80};
  t.egress(tcp_f(H, 40000, R, 80, SYN), T0);
  auto e = t.entry(f);
  REQUIRE(e);
  CHECK(e->tcp_state == SN_TCP_SYN_SENT);
  CHECK(e->flags == SN_CT_F_ORIG_IS_A);  // 10.0.0.1 < 10.0.0.2: the client is a
  CHECK(e->created_ns == T0);
  CHECK(e->last_ns == T0);
  CHECK(e->expires_ns == T0 + t.to(SN_CT_TO_TCP_SYN));
  CHECK(t.created() == 1);

  t.ingress(tcp_f(R, 80, H, 40000, SYN | ACK), T0 + 1);
  e = t.entry(f);
  CHECK(e->tcp_state == SN_TCP_SYN_RECV);
  CHECK(e->flags == (SN_CT_F_ORIG_IS_A | SN_CT_F_SEEN_REPLY));
  CHECK(e->expires_ns == T0 + 1 + t.to(SN_CT_TO_TCP_SYN));

  t.egress(tcp_f(H, 40000, R, 80, ACK), T0 + 2);
  e = t.entry(f);
  CHECK(e->tcp_state == SN_TCP_ESTABLISHED);
  CHECK(e->expires_ns == T0 + 2 + t.to(SN_CT_TO_TCP_ESTABLISHED));
  CHECK(e->created_ns == T0);

  t.ingress(tcp_f(R, 80, H, 40000, PSH | ACK), T0 + 3);
  t.egress(tcp_f(H, 40000, R, 80, PSH | ACK), T0 + 4);
  e = t.entry(f);
  CHECK(e->tcp_state == SN_TCP_ESTABLISHED);
  CHECK(e->last_ns == T0 + 4);

  t.egress(tcp_f(H, 40000, R, 80, FIN | ACK), T0 + 5);
  e = t.entry(f);
  CHECK(e->tcp_state == SN_TCP_FIN_WAIT);
  CHECK(e->flags == (SN_CT_F_ORIG_IS_A | SN_CT_F_SEEN_REPLY | SN_CT_F_FIN_ORIG));
  CHECK(e->expires_ns == T0 + 5 + t.to(SN_CT_TO_TCP_CLOSING));

  t.ingress(tcp_f(R, 80, H, 40000, FIN | ACK), T0 + 6);
  e = t.entry(f);
  CHECK(e->tcp_state == SN_TCP_TIME_WAIT);
  CHECK(e->flags ==
        (SN_CT_F_ORIG_IS_A | SN_CT_F_SEEN_REPLY | SN_CT_F_FIN_ORIG | SN_CT_F_FIN_REPLY));
  t.egress(tcp_f(H, 40000, R, 80, ACK), T0 + 7);
  CHECK(t.entry(f)->tcp_state == SN_TCP_TIME_WAIT);
  CHECK(t.entry(f)->expires_ns == T0 + 7 + t.to(SN_CT_TO_TCP_CLOSING));

  // A plain SYN reopens a TIME_WAIT connection as a new one.
  t.egress(tcp_f(H, 40000, R, 80, SYN), T0 + 8);
  e = t.entry(f);
  CHECK(e->tcp_state == SN_TCP_SYN_SENT);
  CHECK(e->flags == SN_CT_F_ORIG_IS_A);
  CHECK(e->created_ns == T0 + 8);
  CHECK(t.created() == 2);
  CHECK(t.flows() == 1);
}

TEST_CASE("TCP: RST closes, a closed flow is not live, the reply side can originate",
          "[tc_conntrack]") {
  Tracker t;
  // Originated by the remote side (the greater address): orig is b -> a.
  Flow f{4, TCP, R, H, 6000, 22};
  t.ingress(tcp_f(R, 6000, H, 22, SYN), T0);
  CHECK(t.entry(f)->flags == 0);
  t.ingress(tcp_f(R, 6000, H, 22, SYN), T0 + 1);  // retransmission
  CHECK(t.entry(f)->tcp_state == SN_TCP_SYN_SENT);
  CHECK(t.entry(f)->last_ns == T0 + 1);
  CHECK(t.created() == 1);
  t.egress(tcp_f(H, 22, R, 6000, SYN | ACK), T0 + 2);
  CHECK(t.entry(f)->tcp_state == SN_TCP_SYN_RECV);
  CHECK(t.entry(f)->flags == SN_CT_F_SEEN_REPLY);
  t.ingress(tcp_f(R, 6000, H, 22, ACK), T0 + 3);
  CHECK(t.entry(f)->tcp_state == SN_TCP_ESTABLISHED);
  // An ACK from the reply side does not finish a handshake.
  Flow g{4, TCP, H, R, 41000, 443};
  t.egress(tcp_f(H, 41000, R, 443, SYN), T0);
  t.ingress(tcp_f(R, 443, H, 41000, SYN | ACK), T0 + 1);
  t.ingress(tcp_f(R, 443, H, 41000, ACK), T0 + 2);
  CHECK(t.entry(g)->tcp_state == SN_TCP_SYN_RECV);
  // A SYN on an established connection changes nothing.
  t.ingress(tcp_f(R, 6000, H, 22, SYN), T0 + 4);
  CHECK(t.entry(f)->tcp_state == SN_TCP_ESTABLISHED);
  CHECK(t.entry(f)->last_ns == T0 + 3);

  t.egress(tcp_f(H, 22, R, 6000, RST | ACK), T0 + 5);
  auto e = t.entry(f);
  CHECK(e->tcp_state == SN_TCP_CLOSE);
  CHECK(e->expires_ns == T0 + 5 + t.to(SN_CT_TO_TCP_CLOSE));
  // Closed is not live: a SYN+ACK opens nothing and changes nothing...
  t.egress(tcp_f(H, 22, R, 6000, SYN | ACK), T0 + 6);
  CHECK(t.entry(f)->tcp_state == SN_TCP_CLOSE);
  CHECK(t.entry(f)->last_ns == T0 + 5);
  // ...and a SYN opens a new connection, whichever side sends it.
  t.egress(tcp_f(H, 22, R, 6000, SYN), T0 + 7);
  e = t.entry(f);
  CHECK(e->tcp_state == SN_TCP_SYN_SENT);
  CHECK(e->flags == SN_CT_F_ORIG_IS_A);
  CHECK(e->created_ns == T0 + 7);
  CHECK(t.created() == 3);
}

TEST_CASE("timeouts by the clock", "[tc_conntrack]") {
  Tracker t;
  const uint64_t syn = t.to(SN_CT_TO_TCP_SYN);
  Flow f{4, TCP, H, R, 40001, 80};
  t.egress(tcp_f(H, 40001, R, 80, SYN), T0);
  t.ingress(tcp_f(R, 80, H, 40001, SYN | ACK), T0 + syn - 1);  // last live nanosecond
  CHECK(t.entry(f)->tcp_state == SN_TCP_SYN_RECV);

  Flow g{4, TCP, H, R, 40002, 80};
  t.egress(tcp_f(H, 40002, R, 80, SYN), T0);
  t.ingress(tcp_f(R, 80, H, 40002, SYN | ACK), T0 + syn);  // expired
  CHECK(t.entry(g)->tcp_state == SN_TCP_SYN_SENT);
  CHECK(t.entry(g)->last_ns == T0);
  CHECK(t.created() == 2);
  // An expired flow is replaced by the next packet that can open one.
  t.egress(tcp_f(H, 40002, R, 80, SYN), T0 + syn + 5);
  CHECK(t.entry(g)->created_ns == T0 + syn + 5);
  CHECK(t.created() == 3);

  // UDP: the no-reply timeout, then the stream timeout once answered.
  Flow u{4, UDP, H, R, 5353, 53};
  t.egress(eth4(v4(H, R, UDP, udp(5353, 53))), T0);
  CHECK(t.entry(u)->expires_ns == T0 + t.to(SN_CT_TO_UDP));
  t.ingress(eth4(v4(R, H, UDP, udp(53, 5353))), T0 + S);
  CHECK(t.entry(u)->flags == (SN_CT_F_ORIG_IS_A | SN_CT_F_SEEN_REPLY));
  CHECK(t.entry(u)->expires_ns == T0 + S + t.to(SN_CT_TO_UDP_STREAM));
  // Silent past its timeout, the next datagram starts a new flow.
  uint64_t later = T0 + S + t.to(SN_CT_TO_UDP_STREAM);
  t.ingress(eth4(v4(R, H, UDP, udp(53, 5353))), later);
  CHECK(t.entry(u)->flags == 0);  // the remote side is the originator now
  CHECK(t.entry(u)->created_ns == later);
  CHECK(t.entry(u)->expires_ns == later + t.to(SN_CT_TO_UDP));
}

TEST_CASE("ICMP echo, errors, other protocols", "[tc_conntrack]") {
  Tracker t;
  // Echo: the identifier as both ports.
  t.egress(eth4(v4(H, R, ICMP, icmp(8, 0, 7))), T0);
  Flow ping{4, ICMP, H, R, 7, 7};
  auto e = t.entry(ping);
  REQUIRE(e);
  CHECK(e->flags == SN_CT_F_ORIG_IS_A);
  CHECK(e->tcp_state == SN_TCP_NONE);
  CHECK(e->expires_ns == T0 + t.to(SN_CT_TO_ICMP));
  t.ingress(eth4(v4(R, H, ICMP, icmp(0, 0, 7))), T0 + 1);
  CHECK(t.entry(ping)->flags == (SN_CT_F_ORIG_IS_A | SN_CT_F_SEEN_REPLY));
  // A reply with no request opens nothing.
  t.ingress(eth4(v4(R, H, ICMP, icmp(0, 0, 8))), T0 + 1);
  CHECK_FALSE(t.entry({4, ICMP, H, R, 8, 8}));
  CHECK(t.created() == 1);

  // ICMPv6 echo.
  t.egress(eth6(v6("2001:db8::1", "2001:db8::2", ICMP6, icmp(128, 0, 99))), T0);
  Flow ping6{6, ICMP6, "2001:db8::1", "2001:db8::2", 99, 99};
  REQUIRE(t.entry(ping6));
  t.ingress(eth6(v6("2001:db8::2", "2001:db8::1", ICMP6, icmp(129, 0, 99))), T0 + 2);
  CHECK(t.entry(ping6)->flags == (SN_CT_F_ORIG_IS_A | SN_CT_F_SEEN_REPLY));

  // An ICMP error is not tracked: its flow is neither refreshed nor created.
  t.egress(eth4(v4(H, R, UDP, udp(5000, 53))), T0);
  Bytes inner = v4(H, R, UDP, udp(5000, 53, 0));
  t.ingress(eth4(v4("10.0.0.254", H, ICMP, icmp(3, 3, 0, inner))), T0 + 9);
  CHECK(t.entry({4, UDP, H, R, 5000, 53})->last_ns == T0);
  CHECK_FALSE(t.entry({4, ICMP, "10.0.0.254", H, 0, 0}));
  // Neither is ICMP that is neither echo nor error (timestamp, ND).
  t.ingress(eth4(v4(R, H, ICMP, icmp(13, 0, 1))), T0);
  t.ingress(eth6(v6("fe80::1", "fe80::2", ICMP6, icmp(135, 0))), T0);
  CHECK(t.flows() == 3);

  // Other protocols: ports 0, their own timeout.
  t.egress(eth4(v4(H, R, GRE, Bytes(8, 0))), T0);
  e = t.entry({4, GRE, H, R, 0, 0});
  REQUIRE(e);
  CHECK(e->expires_ns == T0 + t.to(SN_CT_TO_OTHER));
  CHECK(t.created() == 4);  // echo, echo v6, UDP, GRE
}

TEST_CASE("invalid flags, mid-stream pickup, fragments, VLAN, IPv6, quiet", "[tc_conntrack]") {
  Tracker t;
  for (uint8_t fl : {uint8_t(SYN | FIN), uint8_t(SYN | RST), uint8_t(FIN | RST), uint8_t(0),
                     uint8_t(FIN), uint8_t(PSH), uint8_t(URG), uint8_t(SYN | PSH)}) {
    INFO("flags " << int(fl));
    t.ingress(tcp_f(R, 1234, H, 22, fl), T0);
    t.egress(tcp_f(H, 22, R, 1234, fl), T0);
  }
  CHECK(t.flows() == 0);
  // A RST or a SYN+ACK with no flow opens nothing.
  t.ingress(tcp_f(R, 1234, H, 22, RST), T0);
  t.ingress(tcp_f(R, 1234, H, 22, SYN | ACK), T0);
  CHECK(t.flows() == 0);
  CHECK(t.created() == 0);

  // A connection older than the table: picked up, established.
  t.ingress(tcp_f(R, 7000, H, 22, PSH | ACK), T0);
  auto e = t.entry({4, TCP, R, H, 7000, 22});
  REQUIRE(e);
  CHECK(e->tcp_state == SN_TCP_ESTABLISHED);
  CHECK(e->flags == SN_CT_F_PICKED_UP);
  CHECK(e->expires_ns == T0 + t.to(SN_CT_TO_TCP_ESTABLISHED));
  CHECK(t.created() == 1);
  CHECK(counter(t.o->map("sn_counters"), t.setup.created_key)->bytes ==
        tcp_f(R, 7000, H, 22, PSH | ACK).size());

  // A non-first fragment is untracked.
  t.egress(eth4(v4(H, R, UDP, udp(1, 2), 100)), T0);
  CHECK(t.flows() == 1);

  // Behind two VLAN tags: the same flow as untagged.
  t.egress(eth4(v4(H, R, TCP, tcp(40100, 80, SYN)), {0x88a8, 0x8100}), T0);
  CHECK(t.entry({4, TCP, H, R, 40100, 80})->tcp_state == SN_TCP_SYN_SENT);

  // IPv6, with an extension header; the greater address originates.
  const char* a6 = "2001:db8::1";
  const char* b6 = "2001:db8::ff";
  t.egress(eth6(v6(b6, a6, 60, cat({ext(TCP, 8), tcp(50000, 443, SYN)}))), T0);
  e = t.entry({6, TCP, b6, a6, 50000, 443});
  REQUIRE(e);
  CHECK(e->flags == 0);
  t.ingress(eth6(v6(a6, b6, TCP, tcp(443, 50000, SYN | ACK))), T0 + 1);
  CHECK(t.entry({6, TCP, b6, a6, 50000, 443})->tcp_state == SN_TCP_SYN_RECV);

  // Addresses compare as bytes: 10.0.0.2 < 11.0.0.1, though not as
  // little-endian words.
  t.egress(tcp_f("10.0.0.2", 3000, "11.0.0.1", 80, SYN), T0);
  e = t.entry({4, TCP, "10.0.0.2", "11.0.0.1", 3000, 80});
  REQUIRE(e);
  CHECK(e->flags == SN_CT_F_ORIG_IS_A);
  t.egress(eth6(v6("2001:db8::2", "2001:db9::1", TCP, tcp(3000, 80, SYN))), T0);
  e = t.entry({6, TCP, "2001:db8::2", "2001:db9::1", 3000, 80});
  REQUIRE(e);
  CHECK(e->flags == SN_CT_F_ORIG_IS_A);

  // Same address both ends: the port breaks the tie.
  t.egress(tcp_f(H, 2000, H, 1000, SYN), T0);
  sn_ct_key k = key_of({4, TCP, H, H, 2000, 1000});
  CHECK(k.port_a == 1000);
  e = get<sn_ct_key, sn_ct_entry>(t.o->map("sn_ct"), k);
  REQUIRE(e);
  CHECK(e->flags == 0);

  // Quiet test packets change nothing.
  size_t before = t.flows();
  uint64_t created = t.created();
  REQUIRE(tc(t.out, tcp_f(H, 40200, R, 80, SYN), quiet_at(T0)).ret == kTcxNext);
  REQUIRE(tc(t.in, tcp_f(R, 80, H, 40100, SYN | ACK), quiet_at(T0 + 5)).ret == kTcxNext);
  CHECK(t.flows() == before);
  CHECK(t.created() == created);
  CHECK(t.entry({4, TCP, H, R, 40100, 80})->tcp_state == SN_TCP_SYN_SENT);
  // A cb with one magic word only is not a test context: tracked.
  __sk_buff skb{};
  skb.cb[SN_TC_CB_MAGIC_WORD] = SN_META_MAGIC;
  skb.cb[SN_TC_CB_FLAGS_WORD] = SN_META_QUIET;
  Bytes f = tcp_f(H, 40300, R, 80, SYN);
  LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f.data(), .data_size_in = uint32_t(f.size()),
              .ctx_in = &skb, .ctx_size_in = sizeof skb);
  REQUIRE(bpf_prog_test_run_opts(t.out, &o) == 0);
  CHECK(t.entry({4, TCP, H, R, 40300, 80}));
}
