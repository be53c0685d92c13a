// The XDP chain of a generation: the firewall passes a packet on to the rate
// limiter with a tail call through sn_xdp_chain; what it drops never gets there.
#include <catch2/catch.hpp>

#include "fixtures.h"

using namespace snt;

namespace {

constexpr uint64_t S = 1000000000ull;
constexpr uint64_t T0 = 7000 * S;
constexpr int TCP = 6;

Bytes tcp4(const char* s, const char* d, uint16_t dp) {
  return eth4(v4(s, d, TCP, tcp(1000, dp, tcpf::ACK)));
}

uint64_t packets(const Object& o, uint64_t key) {
  auto c = counter(o.map("sn_counters"), key);
  return c ? c->packets : 0;
}

sn_rl_rule limit(uint64_t n, uint64_t counter_key) {
  sn_rl_rule r = rl_window(SN_RL_FIXED_WINDOW, n, 10 * S);
  r.bucket_id = 1;
  r.key = SN_RL_GLOBAL;
  r.action = SN_RL_DROP;
  r.counter_key = counter_key;
  r.pass_counter_key = counter_key + 1;
  return r;
}

}  // namespace

TEST_CASE("firewall tail-calls the rate limiter; a firewall drop never reaches it", "[chain]") {
  FwSetup fs;
  fs.next_slot = 0;
  auto fw = load_fw(fs, {{{.family = 4, .proto = TCP, .dport = 22}, SN_FW_DENY, 100}});
  RlSetup rs;
  rs.shared = {{"sn_xdp_chain", fw->map("sn_xdp_chain")}, {"sn_counters", fw->map("sn_counters")}};
  auto rl = load_rl(rs, {{{.family = 4}, limit(2, 10)}});
  put_prog(fw->map("sn_xdp_chain"), 0, rl->prog("sn_xdp_ratelimit"));
  int entry = fw->prog("sn_xdp_firewall");

  Bytes web = tcp4("10.0.0.1", "10.0.0.2", 443);
  CHECK(xdp(entry, web, clock_at(T0)).ret == kPass);
  CHECK(xdp(entry, web, clock_at(T0 + 1)).ret == kPass);
  CHECK(xdp(entry, web, clock_at(T0 + 2)).ret == kDrop);  // the rate limiter's drop
  CHECK(packets(*fw, 999) == 3);
  CHECK(packets(*fw, 11) == 2);
  CHECK(packets(*fw, 10) == 1);
  sn_rl_bucket_key k{};
  k.bucket_id = 1;
  auto before = get<sn_rl_bucket_key, sn_rl_bucket>(rl->map("sn_rl_buckets"), k);
  REQUIRE(before);

  Bytes ssh = tcp4("10.0.0.1", "10.0.0.2", 22);
  for (int i = 0; i < 5; i++) CHECK(xdp(entry, ssh, clock_at(T0 + 3 + i)).ret == kDrop);
  CHECK(packets(*fw, 100) == 5);
  CHECK(packets(*fw, 11) == 2);  // the rate limiter saw none of them
  CHECK(packets(*fw, 10) == 1);
  CHECK(get<sn_rl_bucket_key, sn_rl_bucket>(rl->map("sn_rl_buckets"), k)->state == before->state);

  // A quiet frame runs the whole chain and changes nothing in it.
  CHECK(xdp(entry, web, quiet_at(T0 + 20 * S)).ret == kPass);
  CHECK(get<sn_rl_bucket_key, sn_rl_bucket>(rl->map("sn_rl_buckets"), k)->state == before->state);
  CHECK(packets(*fw, 999) == 3);

  // A new window: the chain admits again.
  CHECK(xdp(entry, web, clock_at(T0 + 10 * S)).ret == kPass);
  CHECK(packets(*fw, 11) == 3);
}

TEST_CASE("non-IP frames pass without the chain; an empty slot passes", "[chain]") {
  FwSetup fs;
  fs.next_slot = 1;
  auto fw = load_fw(fs, {});
  // Slot 1: a program that drops whatever reaches it.
  Object drop("xdp_drop");
  drop.load();
  put_prog(fw->map("sn_xdp_chain"), 1, drop.prog("sn_test_drop"));
  int entry = fw->prog("sn_xdp_firewall");

  CHECK(xdp(entry, tcp4("10.0.0.1", "10.0.0.2", 80), clock_at(T0)).ret == kDrop);  // passed on
  CHECK(packets(*fw, 999) == 1);
  CHECK(xdp(entry, eth(0x0806, Bytes(28, 0)), clock_at(T0)).ret == kPass);  // ARP: to the stack
  CHECK(xdp(entry, eth(0x88cc, Bytes(40, 0)), clock_at(T0)).ret == kPass);  // LLDP
  CHECK(packets(*fw, 999) == 1);
  // Malformed in audit mode is passed on (the chain may still judge it);
  // enforcing, it is dropped by the firewall itself.
  FwSetup as = fs;
  as.mode = SN_FW_AUDIT;
  as.shared = {{"sn_xdp_chain", fw->map("sn_xdp_chain")}};
  auto audit = load_fw(as, {});
  CHECK(xdp(audit->prog("sn_xdp_firewall"), eth4(Bytes(8, 0x45)), clock_at(T0)).ret == kDrop);
  CHECK(packets(*audit, 900) == 1);

  // next_slot names a slot nobody filled: the packet passes.
  FwSetup es;
  es.next_slot = 5;
  es.shared = {{"sn_xdp_chain", fw->map("sn_xdp_chain")}};
  auto lone = load_fw(es, {});
  CHECK(xdp(lone->prog("sn_xdp_firewall"), tcp4("10.0.0.1", "10.0.0.2", 80), clock_at(T0)).ret ==
        kPass);
}
