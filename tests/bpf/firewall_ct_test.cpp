// The firewall's connection-tracking state (SN_FW_CT), read from a table
// that the conntrack programs filled, as rules see it and as
// SN_FW_CT_ACCEPT uses it.
#include <catch2/catch.hpp>

#include "fixtures.h"

using namespace snt;

namespace {

constexpr uint64_t S = 1000000000ull;
constexpr uint64_t T0 = 9000 * S;
constexpr int TCP = 6, UDP = 17, ICMP = 1, ICMP6 = 58;
using namespace tcpf;

const char* H = "10.0.0.1";
const char* R = "10.0.0.2";
const char* H6 = "2001:db8::1";
const char* R6 = "2001:db8::2";

// One log rule per state and family: the rule that fires names the state
// the firewall gave the packet, and its event repeats it.
std::vector<FwRule> rules_by_state() {
  std::vector<FwRule> r;
  for (uint8_t fam : {4, 6})
    for (int st = SN_CT_UNTRACKED; st <= SN_CT_INVALID; st++)
      r.push_back({{.family = fam, .ct = st}, SN_FW_LOG, uint64_t(300 + 10 * fam + st)});
  return r;
}

struct Rig {
  CtSetup cts = ct_defaults();
  std::unique_ptr<Object> ct;
  std::unique_ptr<Object> fw;
  explicit Rig(const char* variant = "fw_v6_ct", uint32_t ct_mode = SN_FW_CT_RULES,
               std::vector<FwRule> rules = rules_by_state()) {
    ct = load_ct(cts);
    FwSetup s;
    s.variant = variant;
    s.ct_mode = ct_mode;
    if (std::string(variant).find("_ct") != std::string::npos)
      s.shared = {{"sn_ct", ct->map("sn_ct")}};  // variants without SN_FW_CT have no table
    fw = load_fw(s, rules);
  }
  void egress(const Bytes& f, uint64_t t) {
    REQUIRE(tc(ct->prog("sn_tc_ct_egress"), f, clock_at(t)).ret == kTcxNext);
  }
  void ingress_tc(const Bytes& f, uint64_t t) {
    REQUIRE(tc(ct->prog("sn_tc_ct_ingress"), f, clock_at(t)).ret == kTcxNext);
  }
  // The state the firewall gives `f` at time t.
  int state(const Bytes& f, uint64_t t) {
    REQUIRE(xdp(fw->prog("sn_xdp_firewall"), f, clock_at(t)).ret == kPass);
    auto recs = drain(fw->map("sn_fw_events"));
    REQUIRE(recs.size() == 1);
    auto e = record_as<sn_fw_event>(recs[0]);
    int base = e.pkt.family == 4 ? 0 : 5;
    REQUIRE(int(e.hdr.rule) - base == e.pkt.ct);  // the ct rule agrees with the summary
    return e.pkt.ct;
  }
};

Bytes t4(const char* s, uint16_t sp, const char* d, uint16_t dp, uint8_t fl) {
  return eth4(v4(s, d, TCP, tcp(sp, dp, fl)));
}

}  // namespace

TEST_CASE("ct state before any flow", "[xdp_firewall]") {
  Rig r;
  CHECK(r.state(t4(R, 5555, H, 22, SYN), T0) == SN_CT_NEW);
  CHECK(r.state(t4(R, 5555, H, 22, ACK), T0) == SN_CT_INVALID);
  CHECK(r.state(t4(R, 5555, H, 22, SYN | ACK), T0) == SN_CT_INVALID);
  for (uint8_t fl : {uint8_t(SYN | FIN), uint8_t(SYN | RST), uint8_t(FIN | RST), uint8_t(0),
                     uint8_t(FIN), uint8_t(PSH), uint8_t(URG)})
    CHECK(r.state(t4(R, 5555, H, 22, fl), T0) == SN_CT_INVALID);
  CHECK(r.state(eth4(v4(R, H, UDP, udp(53, 3333))), T0) == SN_CT_NEW);
  CHECK(r.state(eth4(v4(R, H, ICMP, icmp(8, 0, 9))), T0) == SN_CT_NEW);
  CHECK(r.state(eth4(v4(R, H, ICMP, icmp(0, 0, 7))), T0) == SN_CT_INVALID);
  CHECK(r.state(eth4(v4(R, H, ICMP, icmp(13, 0, 1))), T0) == SN_CT_UNTRACKED);
  CHECK(r.state(eth4(v4(R, H, 47, Bytes(8, 0))), T0) == SN_CT_NEW);
  CHECK(r.state(eth4(v4(R, H, UDP, udp(1, 2), 100)), T0) == SN_CT_UNTRACKED);
  Bytes inner = v4(H, R, UDP, udp(5000, 53, 0));
  CHECK(r.state(eth4(v4("10.0.0.254", H, ICMP, icmp(3, 3, 0, inner))), T0) == SN_CT_INVALID);
  CHECK(r.state(eth6(v6(R6, H6, ICMP6, icmp(135, 0))), T0) == SN_CT_UNTRACKED);
  CHECK(r.state(eth6(v6(R6, H6, TCP, tcp(1, 22, SYN))), T0) == SN_CT_NEW);
}

TEST_CASE("ct state of flows the conntrack programs created", "[xdp_firewall]") {
  Rig r;
  // An outgoing connection: its answers are established, errors about it related.
  r.egress(t4(H, 40000, R, 80, SYN), T0);
  CHECK(r.state(t4(R, 80, H, 40000, SYN | ACK), T0 + 1) == SN_CT_ESTABLISHED);
  Bytes about = v4(H, R, TCP, tcp(40000, 80, SYN));
  about.resize(28);  // the IP header and 8 bytes of TCP, as routers send
  CHECK(r.state(eth4(v4("10.0.0.254", H, ICMP, icmp(3, 1, 0, about))), T0 + 1) ==
        SN_CT_RELATED);
  CHECK(r.state(eth4(v4("10.0.0.254", H, ICMP, icmp(11, 0, 0, about))), T0 + 1) ==
        SN_CT_RELATED);
  // A SYN from the answering side on a half-open connection is not a retransmission.
  CHECK(r.state(t4(R, 80, H, 40000, SYN), T0 + 1) == SN_CT_INVALID);
  // Past its timeout the flow is gone: the answer is invalid, the error too.
  uint64_t gone = T0 + r.cts.timeout_ns[SN_CT_TO_TCP_SYN];
  CHECK(r.state(t4(R, 80, H, 40000, SYN | ACK), gone) == SN_CT_INVALID);
  CHECK(r.state(eth4(v4("10.0.0.254", H, ICMP, icmp(3, 1, 0, about))), gone) == SN_CT_INVALID);

  // An incoming connection: new until answered, then established.
  r.ingress_tc(t4(R, 6000, H, 22, SYN), T0);
  CHECK(r.state(t4(R, 6000, H, 22, SYN), T0 + 1) == SN_CT_NEW);  // retransmission
  CHECK(r.state(t4(R, 6000, H, 22, ACK), T0 + 1) == SN_CT_NEW);
  r.egress(t4(H, 22, R, 6000, SYN | ACK), T0 + 2);
  r.ingress_tc(t4(R, 6000, H, 22, ACK), T0 + 3);
  CHECK(r.state(t4(R, 6000, H, 22, PSH | ACK), T0 + 4) == SN_CT_ESTABLISHED);
  CHECK(r.state(t4(R, 6000, H, 22, SYN), T0 + 4) == SN_CT_INVALID);
  // Closed both ways: TIME_WAIT; a plain SYN reopens it as new.
  r.egress(t4(H, 22, R, 6000, FIN | ACK), T0 + 5);
  r.ingress_tc(t4(R, 6000, H, 22, FIN | ACK), T0 + 6);
  CHECK(r.state(t4(R, 6000, H, 22, ACK), T0 + 7) == SN_CT_ESTABLISHED);
  CHECK(r.state(t4(R, 6000, H, 22, SYN), T0 + 7) == SN_CT_NEW);
  // RST: closed is not live.
  r.egress(t4(H, 40001, R, 443, SYN), T0);
  r.ingress_tc(t4(R, 443, H, 40001, SYN | ACK), T0 + 1);
  r.egress(t4(H, 40001, R, 443, RST), T0 + 2);
  CHECK(r.state(t4(R, 443, H, 40001, ACK), T0 + 3) == SN_CT_INVALID);

  // UDP and echo.
  r.egress(eth4(v4(H, R, UDP, udp(5353, 53))), T0);
  CHECK(r.state(eth4(v4(R, H, UDP, udp(53, 5353))), T0 + 1) == SN_CT_ESTABLISHED);
  Bytes dns = v4(H, R, UDP, udp(5353, 53, 0));
  CHECK(r.state(eth4(v4(R, H, ICMP, icmp(3, 3, 0, dns))), T0 + 1) == SN_CT_RELATED);
  CHECK(r.state(eth4(v4(H, R, UDP, udp(5353, 53))), T0 + 1) == SN_CT_NEW);  // no reply yet
  r.ingress_tc(eth4(v4(R, H, UDP, udp(53, 5353))), T0 + 2);
  CHECK(r.state(eth4(v4(H, R, UDP, udp(5353, 53))), T0 + 3) == SN_CT_ESTABLISHED);
  r.egress(eth4(v4(H, R, ICMP, icmp(8, 0, 7))), T0);
  CHECK(r.state(eth4(v4(R, H, ICMP, icmp(0, 0, 7))), T0 + 1) == SN_CT_ESTABLISHED);
  CHECK(r.state(eth4(v4(R, H, ICMP, icmp(0, 0, 8))), T0 + 1) == SN_CT_INVALID);
  // An error about an echo request: the identifier in the embedded ICMP header.
  Bytes req = v4(H, R, ICMP, icmp(8, 0, 7));
  CHECK(r.state(eth4(v4("10.0.0.254", H, ICMP, icmp(11, 0, 0, req))), T0 + 1) == SN_CT_RELATED);

  // IPv6: a connection, an ICMPv6 error about it, echo.
  r.egress(eth6(v6(H6, R6, TCP, tcp(40000, 443, SYN))), T0);
  CHECK(r.state(eth6(v6(R6, H6, TCP, tcp(443, 40000, SYN | ACK))), T0 + 1) == SN_CT_ESTABLISHED);
  Bytes about6 = v6(H6, R6, TCP, tcp(40000, 443, SYN));
  CHECK(r.state(eth6(v6("2001:db8::fe", H6, ICMP6, icmp(1, 4, 0, about6))), T0 + 1) ==
        SN_CT_RELATED);
  CHECK(r.state(eth6(v6("2001:db8::fe", H6, ICMP6, icmp(2, 0, 0, about6))), T0 + 1) ==
        SN_CT_RELATED);
  Bytes other6 = v6(H6, R6, TCP, tcp(40009, 443, SYN));
  CHECK(r.state(eth6(v6("2001:db8::fe", H6, ICMP6, icmp(1, 4, 0, other6))), T0 + 1) ==
        SN_CT_INVALID);
  r.egress(eth6(v6(H6, R6, ICMP6, icmp(128, 0, 5))), T0);
  CHECK(r.state(eth6(v6(R6, H6, ICMP6, icmp(129, 0, 5))), T0 + 1) == SN_CT_ESTABLISHED);
}

TEST_CASE("SN_FW_CT_ACCEPT passes established and related before the rules; "
          "SN_FW_CT_RULES lets the rules decide", "[xdp_firewall]") {
  std::vector<FwRule> deny_all = {{{.family = 4}, SN_FW_DENY, 310}};
  for (uint32_t mode : {SN_FW_CT_ACCEPT, SN_FW_CT_RULES}) {
    Rig r("fw_ct", mode, deny_all);
    int prog = r.fw->prog("sn_xdp_firewall");
    r.egress(t4(H, 40000, R, 80, SYN), T0);
    Bytes answer = t4(R, 80, H, 40000, SYN | ACK);
    Bytes about = v4(H, R, TCP, tcp(40000, 80, SYN));
    Bytes error = eth4(v4("10.0.0.254", H, ICMP, icmp(3, 1, 0, about)));
    Bytes fresh = t4(R, 5555, H, 22, SYN);
    auto fwc = [&](uint64_t k) {
      auto c = counter(r.fw->map("sn_counters"), k);
      return c ? c->packets : 0;
    };
    INFO("ct_mode " << mode);
    if (mode == SN_FW_CT_ACCEPT) {
      CHECK(xdp(prog, answer, clock_at(T0 + 1)).ret == kPass);
      CHECK(xdp(prog, error, clock_at(T0 + 1)).ret == kPass);
      CHECK(fwc(901) == 2);
      CHECK(fwc(310) == 0);
    } else {
      CHECK(xdp(prog, answer, clock_at(T0 + 1)).ret == kDrop);
      CHECK(xdp(prog, error, clock_at(T0 + 1)).ret == kDrop);
      CHECK(fwc(901) == 0);
      CHECK(fwc(310) == 2);
    }
    CHECK(xdp(prog, fresh, clock_at(T0 + 1)).ret == kDrop);
    // Quiet: passed the same way, counted nowhere.
    uint64_t before = fwc(901) + fwc(310);
    CHECK(xdp(prog, answer, quiet_at(T0 + 1)).ret == (mode == SN_FW_CT_ACCEPT ? kPass : kDrop));
    CHECK(fwc(901) + fwc(310) == before);
  }
}

TEST_CASE("without SN_FW_CT every packet is untracked, whatever ct_mode says", "[xdp_firewall]") {
  Rig r("fw", SN_FW_CT_ACCEPT);
  r.egress(t4(H, 40000, R, 80, SYN), T0);
  CHECK(r.state(t4(R, 80, H, 40000, SYN | ACK), T0 + 1) == SN_CT_UNTRACKED);
  CHECK(r.state(t4(R, 80, H, 40000, ACK), T0 + 1) == SN_CT_UNTRACKED);
}
