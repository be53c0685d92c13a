// ns per packet of each program, through BPF_PROG_TEST_RUN with repeat, on
// the kernel clock (no test metadata: the production path, counters and
// all). Printed for the record; the bound only catches a pathology.
#include <catch2/catch.hpp>
#include <cstdio>

#include "fixtures.h"
#include "sentinel/abi/dispatch.h"

using namespace snt;

namespace {

constexpr uint32_t kRepeat = 100000;
constexpr int TCP = 6, UDP = 17;

// Best of three runs: the machine is shared.
uint32_t ns_xdp(int prog, const Bytes& f, int want) {
  uint32_t best = ~0u;
  for (int i = 0; i < 3; i++) {
    XdpRun r = xdp(prog, f, std::nullopt, kRepeat);
    REQUIRE(r.ret == want);
    best = std::min(best, r.duration);
  }
  return best;
}

uint32_t ns_tc(int prog, const Bytes& f) {
  uint32_t best = ~0u;
  for (int i = 0; i < 3; i++) {
    TcRun r = tc(prog, f, std::nullopt, kRepeat);
    REQUIRE(r.ret == kTcxNext);
    best = std::min(best, r.duration);
  }
  return best;
}

void report(const char* what, uint32_t ns) {
  std::printf("perf: %-62s %5u ns/packet\n", what, ns);
  CHECK(ns > 0);
  CHECK(ns < 5000);
}

std::vector<FwRule> rules() {
  return {
      {{.family = 4, .dst = "10.0.0.0/8", .proto = TCP, .dport = 22}, SN_FW_DENY, 100},
      {{.family = 4, .src = "192.168.1.0/24", .proto = TCP}, SN_FW_ALLOW, 101},
      {{.family = 4, .proto = UDP, .dport = 53}, SN_FW_LOG, 102},
      {{.family = 4, .src = "10.1.0.0/16"}, SN_FW_DENY, 103},
      {{.family = 6, .dst = "2001:db8::/32", .proto = TCP, .dport = 22}, SN_FW_DENY, 104},
      {{.family = 6, .src = "2001:db8:1::/48", .proto = TCP}, SN_FW_ALLOW, 105},
  };
}

}  // namespace

TEST_CASE("ns per packet", "[perf]") {
  Bytes v4hit = eth4(v4("192.168.1.5", "10.0.0.1", TCP, tcp(1000, 443, tcpf::ACK)));
  Bytes v4miss = eth4(v4("172.16.0.1", "172.16.0.2", TCP, tcp(1000, 443, tcpf::ACK)));
  Bytes v6hit = eth6(v6("2001:db8:1::5", "2001:db8::1", 0,
                        cat({ext(60, 8), ext(TCP, 16), tcp(1000, 443, tcpf::ACK)})));
  Bytes v6plain = eth6(v6("2001:db8:1::5", "2001:db8::1", TCP, tcp(1000, 443, tcpf::ACK)));

  auto fw = load_fw({}, rules());
  report("sn_xdp_firewall v4, rule 1 of 6",
         ns_xdp(fw->prog("sn_xdp_firewall"), v4hit, kPass));
  report("sn_xdp_firewall v4, default (no rule matches)",
         ns_xdp(fw->prog("sn_xdp_firewall"), v4miss, kPass));

  FwSetup s6;
  s6.variant = "fw_v6";
  auto fw6 = load_fw(s6, rules());
  report("sn_xdp_firewall +IPV6, v6 rule, no extension header",
         ns_xdp(fw6->prog("sn_xdp_firewall"), v6plain, kPass));
  report("sn_xdp_firewall +IPV6, v6 rule behind 2 extension headers",
         ns_xdp(fw6->prog("sn_xdp_firewall"), v6hit, kPass));

  auto ct = load_ct(ct_defaults());
  FwSetup sc;
  sc.variant = "fw_v6_ct";
  sc.ct_mode = SN_FW_CT_ACCEPT;
  sc.shared = {{"sn_ct", ct->map("sn_ct")}};
  auto fwc = load_fw(sc, rules());
  // An established flow: the egress side opened it, the packet is the answer.
  Bytes out = eth4(v4("10.0.0.1", "172.16.0.1", TCP, tcp(443, 1000, tcpf::SYN)));
  REQUIRE(tc(ct->prog("sn_tc_ct_egress"), out).ret == kTcxNext);
  report("sn_xdp_firewall +IPV6+CT accept, established (ct lookup, no rules)",
         ns_xdp(fwc->prog("sn_xdp_firewall"),
                eth4(v4("172.16.0.1", "10.0.0.1", TCP, tcp(1000, 443, tcpf::SYN | tcpf::ACK))),
                kPass));
  FwSetup sr = sc;
  sr.ct_mode = SN_FW_CT_RULES;
  auto fwr = load_fw(sr, rules());
  report("sn_xdp_firewall +IPV6+CT rules, v4 rule 1 (ct lookup + rules)",
         ns_xdp(fwr->prog("sn_xdp_firewall"), v4hit, kPass));

  sn_rl_rule r = rl_gcra(SN_RL_TOKEN_BUCKET, 1000000000, 1000000000ull, 1000000000);
  r.bucket_id = 1;
  r.key = SN_RL_PER_SOURCE;
  r.action = SN_RL_DROP;
  r.counter_key = 10;
  r.pass_counter_key = 11;
  auto rl = load_rl({}, {{{.family = 4, .proto = TCP}, r}});
  report("sn_xdp_ratelimit v4, token bucket per source, within",
         ns_xdp(rl->prog("sn_xdp_ratelimit"), v4hit, kPass));
  report("sn_xdp_ratelimit v4, no rule matches",
         ns_xdp(rl->prog("sn_xdp_ratelimit"),
                eth4(v4("10.0.0.1", "10.0.0.2", UDP, udp(1, 2))), kPass));

  report("sn_tc_ct_egress, established flow update", ns_tc(ct->prog("sn_tc_ct_egress"), out));
  report("sn_tc_ct_ingress, established flow update",
         ns_tc(ct->prog("sn_tc_ct_ingress"),
               eth4(v4("172.16.0.1", "10.0.0.1", TCP, tcp(1000, 443, tcpf::ACK)))));

  // The full XDP path of one generation: dispatcher, firewall, rate limiter.
  auto d = load_dispatch();
  FwSetup sch;
  sch.next_slot = 0;
  auto fwch = load_fw(sch, rules());
  RlSetup rsch;
  rsch.shared = {{"sn_xdp_chain", fwch->map("sn_xdp_chain")},
                 {"sn_counters", fwch->map("sn_counters")}};
  auto rlch = load_rl(rsch, {{{.family = 4, .proto = TCP}, r}});
  put_prog(fwch->map("sn_xdp_chain"), 0, rlch->prog("sn_xdp_ratelimit"));
  put_prog(d->map("sn_disp_xdp"), 0, fwch->prog("sn_xdp_firewall"));
  sn_selector sel{};
  sel.bank = SN_BANK_NONE;
  put(d->map("sn_select"), uint32_t(0), sel);
  report("sn_dispatch_xdp, no bank selected", ns_xdp(d->prog("sn_dispatch_xdp"), v4hit, kPass));
  sel.bank = 0;
  put(d->map("sn_select"), uint32_t(0), sel);
  report("sn_dispatch_xdp -> sn_xdp_firewall -> sn_xdp_ratelimit",
         ns_xdp(d->prog("sn_dispatch_xdp"), v4hit, kPass));
  put_prog(d->map("sn_disp_tc"), 1, ct->prog("sn_tc_ct_egress"));
  report("sn_dispatch_tc_out -> sn_tc_ct_egress", ns_tc(d->prog("sn_dispatch_tc_out"), out));
}
