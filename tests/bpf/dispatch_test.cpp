// The dispatchers: the selector routes each hook to its bank's program,
// the XDP dispatcher stamps the bank into the metadata, TC falls back to the
// selector, and the stats count what was dispatched.
#include <catch2/catch.hpp>

#include "fixtures.h"
#include "sentinel/abi/dispatch.h"

using namespace snt;

namespace {

constexpr uint64_t S = 1000000000ull;
constexpr uint64_t T0 = 3000 * S;
constexpr int TCP = 6;

Bytes web() { return eth4(v4("10.0.0.1", "10.0.0.2", TCP, tcp(1000, 443, tcpf::SYN))); }

void select_bank(const Object& d, uint32_t bank) {
  sn_selector s{};
  s.bank = bank;
  s.prev_bank = SN_BANK_NONE;
  s.generation = bank + 1;
  put(d.map("sn_select"), uint32_t(0), s);
}

uint64_t stat(const Object& d, uint32_t i) { return percpu_u64(d.map("sn_disp_stats"), i); }

uint64_t packets(int counters, uint64_t key) {
  auto c = counter(counters, key);
  return c ? c->packets : 0;
}

sn_xdp_meta meta_of(const XdpRun& r) {
  REQUIRE(r.meta_out.size() == sizeof(sn_xdp_meta));
  sn_xdp_meta m;
  std::memcpy(&m, r.meta_out.data(), sizeof m);
  return m;
}

}  // namespace

TEST_CASE("XDP: the selector picks the bank; switching it reroutes the same frame",
          "[dispatch]") {
  auto d = load_dispatch();
  FwSetup allow;
  allow.default_key = 1000;
  auto fw0 = load_fw(allow, {});
  FwSetup deny;
  deny.default_action = SN_FW_DENY;
  deny.default_key = 1001;
  deny.shared = {{"sn_counters", fw0->map("sn_counters")}};
  auto fw1 = load_fw(deny, {});
  put_prog(d->map("sn_disp_xdp"), 0, fw0->prog("sn_xdp_firewall"));
  put_prog(d->map("sn_disp_xdp"), 1, fw1->prog("sn_xdp_firewall"));
  int prog = d->prog("sn_dispatch_xdp");
  int counters = fw0->map("sn_counters");

  // Before the first switch: nothing runs, nothing is stamped or counted.
  select_bank(*d, SN_BANK_NONE);
  XdpRun r = xdp(prog, web());
  CHECK(r.ret == kPass);
  CHECK(r.meta_out.empty());
  CHECK(stat(*d, SN_DISP_XDP) == 0);
  CHECK(map_entries(counters) == 0);

  select_bank(*d, 0);
  r = xdp(prog, web());
  CHECK(r.ret == kPass);
  sn_xdp_meta m = meta_of(r);
  CHECK(m.magic == SN_META_MAGIC);
  CHECK(m.bank == 0);
  CHECK(m.flags == SN_META_BANK);
  CHECK(m.time_ns == 0);
  CHECK(r.data_out == web());
  CHECK(packets(counters, 1000) == 1);

  select_bank(*d, 1);
  r = xdp(prog, web());
  CHECK(r.ret == kDrop);
  CHECK(meta_of(r).bank == 1);
  CHECK(packets(counters, 1001) == 1);

  select_bank(*d, 0);
  CHECK(xdp(prog, web()).ret == kPass);
  CHECK(packets(counters, 1000) == 2);

  // A bank with no program: stamped, counted, passed.
  select_bank(*d, 2);
  r = xdp(prog, web());
  CHECK(r.ret == kPass);
  CHECK(meta_of(r).bank == 2);
  CHECK(stat(*d, SN_DISP_XDP) == 4);
  // An out-of-range bank is like none.
  select_bank(*d, SN_BANKS);
  CHECK(xdp(prog, web()).ret == kPass);
  CHECK(stat(*d, SN_DISP_XDP) == 4);
}

TEST_CASE("XDP: a test run's metadata keeps its flags and clock, and gains the bank",
          "[dispatch]") {
  auto d = load_dispatch();
  auto fw = load_fw({}, {{{.family = 4}, SN_FW_LOG, 120}});
  put_prog(d->map("sn_disp_xdp"), 3, fw->prog("sn_xdp_firewall"));
  select_bank(*d, 3);
  int prog = d->prog("sn_dispatch_xdp");

  XdpRun r = xdp(prog, web(), clock_at(T0 + 7));
  CHECK(r.ret == kPass);
  sn_xdp_meta m = meta_of(r);
  CHECK(m.bank == 3);
  CHECK(m.flags == (SN_META_CLOCK | SN_META_BANK));
  CHECK(m.time_ns == T0 + 7);
  auto recs = drain(fw->map("sn_fw_events"));
  REQUIRE(recs.size() == 1);
  CHECK(record_as<sn_fw_event>(recs[0]).hdr.ts_ns == T0 + 7);  // the bank saw the test clock

  r = xdp(prog, web(), quiet_at(T0));
  CHECK(meta_of(r).flags == (SN_META_CLOCK | SN_META_QUIET | SN_META_BANK));
  CHECK(packets(fw->map("sn_counters"), 120) == 1);  // the quiet frame counted nothing
  CHECK(drain(fw->map("sn_fw_events")).empty());
}

TEST_CASE("XDP: dispatcher, firewall and rate limiter as one generation", "[dispatch]") {
  auto d = load_dispatch();
  FwSetup fs;
  fs.next_slot = 2;
  auto fw = load_fw(fs, {});
  RlSetup rs;
  rs.shared = {{"sn_xdp_chain", fw->map("sn_xdp_chain")}, {"sn_counters", fw->map("sn_counters")}};
  sn_rl_rule r = rl_window(SN_RL_FIXED_WINDOW, 1, 10 * S);
  r.bucket_id = 1;
  r.key = SN_RL_GLOBAL;
  r.action = SN_RL_DROP;
  r.counter_key = 10;
  r.pass_counter_key = 11;
  auto rl = load_rl(rs, {{{.family = 4}, r}});
  put_prog(fw->map("sn_xdp_chain"), 2, rl->prog("sn_xdp_ratelimit"));
  put_prog(d->map("sn_disp_xdp"), 1, fw->prog("sn_xdp_firewall"));
  select_bank(*d, 1);
  int prog = d->prog("sn_dispatch_xdp");
  CHECK(xdp(prog, web(), clock_at(T0)).ret == kPass);
  CHECK(xdp(prog, web(), clock_at(T0 + 1)).ret == kDrop);
  CHECK(packets(fw->map("sn_counters"), 999) == 2);
  CHECK(packets(fw->map("sn_counters"), 10) == 1);
}

TEST_CASE("TC: ingress and egress follow the selector to their bank's slots", "[dispatch]") {
  auto d = load_dispatch();
  CtSetup cs = ct_defaults();
  // One conntrack object per slot, each with its own table: the table that
  // gains a flow names the slot that ran.
  std::unique_ptr<Object> slot[4];
  int slots = d->map("sn_disp_tc");
  for (uint32_t i = 0; i < 4; i++) {
    slot[i] = load_ct(cs);
    put_prog(slots, i, slot[i]->prog(i % 2 == SN_TC_INGRESS ? "sn_tc_ct_ingress" : "sn_tc_ct_egress"));
  }
  int in = d->prog("sn_dispatch_tc_in"), out = d->prog("sn_dispatch_tc_out");
  auto syn = [](uint16_t sport) {
    return eth4(v4("10.0.0.1", "10.0.0.2", TCP, tcp(sport, 80, tcpf::SYN)));
  };
  auto flows = [&](uint32_t i) { return map_entries(slot[i]->map("sn_ct")); };
  auto all = [&] { return flows(0) + flows(1) + flows(2) + flows(3); };

  select_bank(*d, SN_BANK_NONE);
  CHECK(tc(in, syn(1), clock_at(T0)).ret == kTcxNext);
  CHECK(tc(out, syn(2), clock_at(T0)).ret == kTcxNext);
  CHECK(all() == 0);
  CHECK(stat(*d, SN_DISP_TC_UNSTAMPED) + stat(*d, SN_DISP_TC_EGRESS) == 0);

  select_bank(*d, 1);
  CHECK(tc(in, syn(3), clock_at(T0)).ret == kTcxNext);
  CHECK(flows(1 * 2 + SN_TC_INGRESS) == 1);
  CHECK(tc(out, syn(4), clock_at(T0)).ret == kTcxNext);
  CHECK(flows(1 * 2 + SN_TC_EGRESS) == 1);
  CHECK(all() == 2);

  select_bank(*d, 0);
  CHECK(tc(in, syn(5), clock_at(T0)).ret == kTcxNext);
  CHECK(flows(0 * 2 + SN_TC_INGRESS) == 1);
  CHECK(tc(out, syn(6), clock_at(T0)).ret == kTcxNext);
  CHECK(flows(0 * 2 + SN_TC_EGRESS) == 1);
  CHECK(all() == 4);

  // The test context in cb[] reaches the bank's program through the tail call.
  CHECK(tc(out, syn(7), quiet_at(T0)).ret == kTcxNext);
  CHECK(all() == 4);

  // Test runs carry no skb metadata: ingress never sees a stamp here.
  CHECK(stat(*d, SN_DISP_TC_UNSTAMPED) == 2);
  CHECK(stat(*d, SN_DISP_TC_STAMPED) == 0);
  CHECK(stat(*d, SN_DISP_TC_CROSSED) == 0);
  CHECK(stat(*d, SN_DISP_TC_EGRESS) == 3);

  // A bank without TC programs: next.
  select_bank(*d, 2);
  CHECK(tc(in, syn(8), clock_at(T0)).ret == kTcxNext);
  CHECK(tc(out, syn(9), clock_at(T0)).ret == kTcxNext);
  CHECK(all() == 4);
}
