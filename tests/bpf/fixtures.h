// Loaders for each program with hand-made rules: the rodata, the generation
// maps filled, the host maps optionally shared with other objects.
#pragma once
#include <memory>
#include <utility>
#include <vector>

#include "harness.h"
#include "sentinel/abi/conntrack.h"
#include "sentinel/abi/firewall.h"
#include "sentinel/abi/ratelimit.h"

namespace snt {

using Shared = std::vector<std::pair<const char*, int>>;  // map name, fd

struct FwRule {
  ClsRule match;
  uint32_t action;
  uint64_t counter_key;
};

struct FwSetup {
  const char* variant = "fw";
  uint32_t mode = SN_FW_ENFORCE;
  uint32_t ct_mode = SN_FW_CT_OFF;
  uint32_t next_slot = SN_NO_SLOT;
  uint32_t default_action = SN_FW_ALLOW;
  uint64_t default_key = 999;
  uint64_t malformed_key = 900;
  uint64_t established_key = 901;
  uint32_t ring_size = 0;  // 0: the object's
  uint64_t reject_interval_ns = 100'000'000;  // `reject` answers per source: one per 100 ms,
  uint32_t reject_burst = 10;                 // in bursts of 10
  Shared shared;
};

std::unique_ptr<Object> load_fw(const FwSetup& s, const std::vector<FwRule>& rules);

struct RlRule {
  ClsRule match;
  sn_rl_rule rule;
};

struct RlSetup {
  const char* variant = "rl";
  uint32_t mode = SN_RL_ENFORCE;
  uint32_t next_slot = SN_NO_SLOT;
  uint64_t contended_key = 800;
  uint32_t ring_size = 0;
  Shared shared;
};

std::unique_ptr<Object> load_rl(const RlSetup& s, const std::vector<RlRule>& rules);

// A rate-limit rule from the policy's terms (ratelimit.h): GCRA from a rate
// of `count` per `unit_ns` with a burst; windows from a limit per window.
sn_rl_rule rl_gcra(uint8_t algorithm, uint64_t count, uint64_t unit_ns, uint64_t burst);
sn_rl_rule rl_window(uint8_t algorithm, uint64_t limit, uint64_t window_ns);

struct CtSetup {
  uint64_t timeout_ns[SN_CT_NTIMEOUTS] = {};
  uint64_t created_key = 700;
  Shared shared;
};
CtSetup ct_defaults();
std::unique_ptr<Object> load_ct(const CtSetup& s);

std::unique_ptr<Object> load_dispatch(const Shared& shared = {});

}  // namespace snt
