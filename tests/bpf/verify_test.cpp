// Every variant of every template loads on this kernel under every rodata
// switch the compiler can set: the verifier prunes on rodata, so each
// combination is a different program to it.
#include <catch2/catch.hpp>
#include <cstdio>

#include "harness.h"
#include "sentinel/abi/conntrack.h"
#include "sentinel/abi/firewall.h"
#include "sentinel/abi/ratelimit.h"

using namespace snt;

TEST_CASE("every firewall variant verifies under every mode", "[verify]") {
  for (const char* variant : {"fw", "fw_v6", "fw_ct", "fw_v6_ct"}) {
    uint32_t most = 0;
    for (uint32_t mode : {SN_FW_ENFORCE, SN_FW_AUDIT})
      for (uint32_t ct_mode : {SN_FW_CT_OFF, SN_FW_CT_RULES, SN_FW_CT_ACCEPT})
        for (uint32_t next : {SN_NO_SLOT, 0u}) {
          sn_fw_config cfg{};
          cfg.cls_steps = 64;
          cfg.nrules = 5;
          cfg.default_action = SN_FW_DENY;
          cfg.mode = mode;
          cfg.ct_mode = ct_mode;
          cfg.next_slot = next;
          Object o(variant);
          o.config(cfg).max_entries("sn_fw_nodes", 64).max_entries("sn_fw_recs", 64).max_entries("sn_fw_rules", 6);
          INFO(variant << " mode " << mode << " ct_mode " << ct_mode << " next " << next);
          REQUIRE_NOTHROW(o.load());
          most = std::max(most, o.verified_insns("sn_xdp_firewall"));
        }
    std::printf("verified: %-9s sn_xdp_firewall    %6u insns (most of its modes)\n", variant, most);
  }
}

TEST_CASE("every rate limiter variant verifies under every mode", "[verify]") {
  for (const char* variant : {"rl", "rl_v6"}) {
    uint32_t most = 0;
    for (uint32_t mode : {SN_RL_ENFORCE, SN_RL_AUDIT})
      for (uint32_t next : {SN_NO_SLOT, 1u}) {
        sn_rl_config cfg{};
        cfg.cls_steps = 64;
        cfg.nrules = 4;
        cfg.mode = mode;
        cfg.next_slot = next;
        Object o(variant);
        o.config(cfg).max_entries("sn_rl_nodes", 64).max_entries("sn_rl_recs", 64).max_entries("sn_rl_rules", 4);
        INFO(variant << " mode " << mode << " next " << next);
        REQUIRE_NOTHROW(o.load());
        most = std::max(most, o.verified_insns("sn_xdp_ratelimit"));
      }
    std::printf("verified: %-9s sn_xdp_ratelimit   %6u insns\n", variant, most);
  }
}

TEST_CASE("conntrack and dispatch programs verify, one program per load", "[verify]") {
  sn_ct_config cfg{};
  for (auto& t : cfg.timeout_ns) t = 1000000000ull;
  for (const char* prog : {"sn_tc_ct_ingress", "sn_tc_ct_egress"}) {
    Object o("ct");
    o.config(cfg).only(prog);
    REQUIRE_NOTHROW(o.load());
    std::printf("verified: %-9s %-18s %6u insns\n", "ct", prog, o.verified_insns(prog));
  }
  for (const char* prog : {"sn_dispatch_xdp", "sn_dispatch_tc_in", "sn_dispatch_tc_out"}) {
    Object o("dispatch");
    o.only(prog);
    REQUIRE_NOTHROW(o.load());
    std::printf("verified: %-9s %-18s %6u insns\n", "dispatch", prog, o.verified_insns(prog));
  }
}

TEST_CASE("shared maps are declared alike in every object", "[verify]") {
  // The enforcer shares maps of one name between separately loaded objects;
  // their declarations must agree to the last flag.
  struct Decl {
    const char* map;
    std::vector<const char*> variants;
  };
  std::vector<Decl> shared = {
      {"sn_counters", {"fw", "fw_v6", "fw_ct", "fw_v6_ct", "rl", "rl_v6", "ct"}},
      {"sn_ct", {"fw_ct", "fw_v6_ct", "ct"}},
      {"sn_xdp_chain", {"fw", "fw_v6", "fw_ct", "fw_v6_ct", "rl", "rl_v6"}},
      {"sn_rl_buckets", {"rl", "rl_v6"}},
  };
  for (auto& d : shared) {
    std::optional<std::tuple<int, uint32_t, uint32_t, uint32_t, uint32_t>> first;
    for (const char* v : d.variants) {
      Object o(v);
      bpf_map* m = bpf_object__find_map_by_name(o.raw(), d.map);
      REQUIRE(m);
      auto decl = std::make_tuple(int(bpf_map__type(m)), bpf_map__key_size(m),
                                  bpf_map__value_size(m), bpf_map__max_entries(m),
                                  bpf_map__map_flags(m));
      INFO(d.map << " in " << v);
      if (!first) first = decl;
      CHECK(decl == *first);
    }
  }
}
