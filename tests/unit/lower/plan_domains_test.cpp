// PIR -> plan for rate limiting, connection tracking and the firewall's ct
// field, from policy text: the kernel's parameters of every algorithm and
// key, the timeouts, and the classifier against the reference matcher.
#include <catch2/catch.hpp>
#include <random>
#include <set>

#include "compiler/eval/domains/firewall.h"
#include "compiler/eval/match.h"
#include "compiler/eval/packet.h"
#include "compiler/lower/pir_to_plan.h"
#include "compiler/lower/plan/conntrack.h"
#include "compiler/lower/plan/ratelimit.h"
#include "compiler/lower/plan/firewall.h"
#include "compiler/pir/domains/conntrack.h"
#include "compiler/pir/domains/ratelimit.h"
#include "plan_walk.h"
#include "tests/support/policy_text.h"

using namespace sentinel;
using testing::policy_from_text;

namespace {

constexpr uint64_t kSec = 1000000000ull;

const sn_rl_rule& rl_rule(const dplan::RateLimitPlan& p, const std::string& id) {
  for (size_t i = 0; i < p.rule_ids.size(); ++i)
    if (p.rule_ids[i] == id) return p.rules[i];
  FAIL("no rule " << id);
  throw;
}

const char* kLimits = R"(
set web: port = { 80, 443 }
ratelimit {
    rule ssh     drop tcp to any port 22 rate 5/m burst 5
    rule tb      drop tcp to any port 23 rate 10/s
    rule leaky   drop tcp to any port 24 rate 10/s algorithm leaky-bucket
    rule fixed   log  udp to any port 53 rate 1000/s per port algorithm fixed-window
    rule slide   drop tcp from 10.0.0.0/8 to any port @web rate 100/s per source /24 algorithm sliding-window window 10s
    rule both    drop tcp to any port 25 rate 100/s per source /24 /64
    rule six     drop from 2001:db8::/32 rate 3/h per source /48
    rule rest    drop rate 100000/s global
}
)";

}  // namespace

TEST_CASE("rate limits lower to the kernel's words for every algorithm and key", "[lower]") {
  auto pol = policy_from_text(kLimits);
  auto plan = lower::lower_ratelimit(pol);
  REQUIRE(plan.rules.size() == 8);
  CHECK(plan.config.nrules == 8);
  CHECK(plan.config.cls_steps == plan.cls.steps);
  CHECK(plan.config.mode == SN_RL_ENFORCE);
  CHECK(plan.config.next_slot == SN_NO_SLOT);
  CHECK(plan.config.contended_counter_key == dplan::counter_key("ratelimit", "contended"));
  CHECK(plan.defines == std::vector<std::string>{"SN_RL_IPV6"});

  // Token bucket (GCRA): interval = 64 * unit / count, tolerance = (burst - 1) * interval.
  const auto& ssh = rl_rule(plan, "ssh");
  CHECK(ssh.algorithm == SN_RL_TOKEN_BUCKET);
  CHECK(ssh.interval == (60 * kSec << SN_RL_TICK_SHIFT) / 5);
  CHECK(ssh.tolerance == 4 * ssh.interval);
  CHECK(ssh.key == SN_RL_PER_SOURCE);
  CHECK(ssh.action == SN_RL_DROP);
  CHECK(ssh.counter_key == dplan::counter_key("ratelimit", "ssh"));
  CHECK(ssh.pass_counter_key == dplan::counter_key("ratelimit", "ssh#pass"));
  // Without `burst`, a token bucket holds the rate's count...
  const auto& tb = rl_rule(plan, "tb");
  CHECK(tb.interval == (kSec << SN_RL_TICK_SHIFT) / 10);
  CHECK(tb.tolerance == 9 * tb.interval);
  // ...and a leaky bucket one packet.
  const auto& leaky = rl_rule(plan, "leaky");
  CHECK(leaky.algorithm == SN_RL_LEAKY_BUCKET);
  CHECK(leaky.interval == tb.interval);
  CHECK(leaky.tolerance == 0);
  // Windows: interval is the window in ns, tolerance the packets per window.
  const auto& fixed = rl_rule(plan, "fixed");
  CHECK(fixed.algorithm == SN_RL_FIXED_WINDOW);
  CHECK(fixed.interval == kSec);
  CHECK(fixed.tolerance == 1000);
  CHECK(fixed.key == SN_RL_PER_PORT);
  CHECK(fixed.action == SN_RL_LOG);
  const auto& slide = rl_rule(plan, "slide");
  CHECK(slide.algorithm == SN_RL_SLIDING_WINDOW);
  CHECK(slide.interval == 10 * kSec);
  CHECK(slide.tolerance == 1000);
  // Prefix keys: one length for a one-family rule, two for both.
  CHECK(slide.key == SN_RL_PER_CIDR);
  CHECK(slide.v4_len == 24);
  const auto& both = rl_rule(plan, "both");
  CHECK(both.key == SN_RL_PER_CIDR);
  CHECK(both.v4_len == 24);
  CHECK(both.v6_len == 64);
  const auto& six = rl_rule(plan, "six");
  CHECK(six.key == SN_RL_PER_CIDR);
  CHECK(six.v6_len == 48);
  CHECK(six.interval == (3600 * kSec << SN_RL_TICK_SHIFT) / 3);
  const auto& rest = rl_rule(plan, "rest");
  CHECK(rest.key == SN_RL_GLOBAL);
  CHECK(rest.interval == (kSec << SN_RL_TICK_SHIFT) / 100000);

  // Counters: over and within per rule, and contention.
  CHECK(plan.counter_keys.size() == 2 * 8 + 1);
  // Buckets of different rules never share an id.
  std::set<uint64_t> ids;
  for (const auto& r : plan.rules) ids.insert(r.bucket_id);
  CHECK(ids.size() == plan.rules.size());
  for (const auto& r : plan.rules) {
    CHECK(r.pad[0] == 0);
    CHECK(r.pad[1] == 0);
    CHECK(r.pad[2] == 0);
  }
}

TEST_CASE("a rate rule keeps its buckets while its id, algorithm and key stay", "[lower]") {
  auto base = lower::lower_ratelimit(policy_from_text(R"(
ratelimit { rule r drop tcp to any port 22 rate 5/m burst 5 }
)"));
  auto other_rate = lower::lower_ratelimit(policy_from_text(R"(
ratelimit { rule r drop tcp to any port 2222 rate 50/s burst 8 }
)"));
  auto other_algo = lower::lower_ratelimit(policy_from_text(R"(
ratelimit { rule r drop tcp to any port 22 rate 5/m algorithm leaky-bucket }
)"));
  auto other_key = lower::lower_ratelimit(policy_from_text(R"(
ratelimit { rule r drop tcp to any port 22 rate 5/m burst 5 global }
)"));
  auto other_id = lower::lower_ratelimit(policy_from_text(R"(
ratelimit { rule s drop tcp to any port 22 rate 5/m burst 5 }
)"));
  CHECK(base.rules[0].bucket_id == other_rate.rules[0].bucket_id);
  CHECK(base.rules[0].interval != other_rate.rules[0].interval);
  CHECK(base.rules[0].bucket_id != other_algo.rules[0].bucket_id);
  CHECK(base.rules[0].bucket_id != other_key.rules[0].bucket_id);
  CHECK(base.rules[0].bucket_id != other_id.rules[0].bucket_id);
  // A rule without addresses matches both families; an IPv4-only rate
  // limiter carries no IPv6 code.
  CHECK(base.defines == std::vector<std::string>{"SN_RL_IPV6"});
  auto v4 = lower::lower_ratelimit(policy_from_text(R"(
ratelimit { rule r drop tcp from 10.0.0.0/8 rate 5/m }
)"));
  CHECK(v4.defines.empty());
  CHECK_FALSE(v4.cls.v6);
}

TEST_CASE("audit mode and log rules", "[lower]") {
  auto plan = lower::lower_ratelimit(policy_from_text(R"(
ratelimit {
    mode audit
    rule a drop udp rate 10/s
    rule b log tcp rate 10/s
}
)"));
  CHECK(plan.config.mode == SN_RL_AUDIT);
  CHECK(plan.rules[0].action == SN_RL_DROP);  // the program turns drop into log in audit
  CHECK(plan.rules[1].action == SN_RL_LOG);
}

TEST_CASE("rate limit classification agrees with the reference matcher", "[lower]") {
  auto pol = policy_from_text(kLimits);
  auto plan = lower::lower_ratelimit(pol);
  const auto& rl = *pol.get<pir::RateLimit>();
  std::mt19937_64 rng(11);
  const char* v4pool[] = {"10.1.2.3", "10.200.0.1", "192.168.1.1", "8.8.8.8"};
  const char* v6pool[] = {"2001:db8::1", "2001:db8:1::5", "2001:db9::1", "fe80::1"};
  const uint16_t portpool[] = {22, 23, 24, 25, 53, 80, 443, 1024, 0};
  const uint8_t protos[] = {6, 17, 1, 58, 47};
  for (int i = 0; i < 20000; ++i) {
    eval::Packet p;
    bool v6 = rng() & 1;
    p.family = v6 ? pir::Family::V6 : pir::Family::V4;
    p.src = *pir::parse_addr(v6 ? v6pool[rng() % 4] : v4pool[rng() % 4]);
    p.dst = *pir::parse_addr(v6 ? v6pool[rng() % 4] : v4pool[rng() % 4]);
    p.proto = protos[rng() % 5];
    p.fragment = (rng() % 8) == 0;
    if (p.has_ports()) {
      p.sport = portpool[rng() % 9];
      p.dport = portpool[rng() % 9];
    }
    uint32_t want = static_cast<uint32_t>(rl.rules.size());
    for (uint32_t r = 0; r < rl.rules.size(); ++r)
      if (eval::mismatch(rl.rules[r].match, p).empty()) {
        want = r;
        break;
      }
    INFO(eval::format(p));
    REQUIRE(testing::plan_classify(plan.cls, plan.config.nrules, p) == want);
  }
}

TEST_CASE("conntrack lowers its timeouts, defaults and all", "[lower]") {
  auto pol = policy_from_text(R"(
firewall { rule ssh allow tcp to any port 22 ct new }
conntrack {
    established rules
    timeout tcp-established 2h
    timeout udp 45s
    timeout icmp 500ms
}
)");
  auto plan = lower::lower_conntrack(pol);
  CHECK(plan.config.timeout_ns[SN_CT_TO_TCP_ESTABLISHED] == 2 * 3600 * kSec);
  CHECK(plan.config.timeout_ns[SN_CT_TO_UDP] == 45 * kSec);
  CHECK(plan.config.timeout_ns[SN_CT_TO_ICMP] == kSec / 2);
  for (auto t : {pir::CtTimeout::TcpSyn, pir::CtTimeout::TcpClosing, pir::CtTimeout::TcpClose,
                 pir::CtTimeout::UdpStream, pir::CtTimeout::Other})
    CHECK(plan.config.timeout_ns[static_cast<size_t>(t)] == pir::default_timeout_ns(t));
  // The documented defaults.
  CHECK(pir::default_timeout_ns(pir::CtTimeout::TcpSyn) == 60 * kSec);
  CHECK(pir::default_timeout_ns(pir::CtTimeout::TcpClose) == 10 * kSec);
  CHECK(pir::default_timeout_ns(pir::CtTimeout::Other) == 600 * kSec);
  CHECK(plan.config.created_counter_key == dplan::counter_key("conntrack", "created"));
  CHECK(plan.counter_keys == std::vector<uint64_t>{plan.config.created_counter_key});

  // The firewall then matches the state and counts nothing as established.
  auto fw = lower::lower_firewall(pol);
  CHECK(fw.config.ct_mode == SN_FW_CT_RULES);
  CHECK(fw.defines == std::vector<std::string>{"SN_FW_CT", "SN_FW_IPV6"});
  CHECK(fw.config.established_counter_key == dplan::counter_key("firewall", "established"));
  REQUIRE(fw.cls.recs.size() == 2);  // IPv4 and IPv6
  for (const auto& r : fw.cls.recs) CHECK(r.ct_states == (1u << SN_CT_NEW));
}

TEST_CASE("ct states are a classifier field", "[lower]") {
  auto pol = policy_from_text(R"(
firewall {
    default deny
    rule back  allow tcp ct { established, related }
    rule open  allow tcp to any port 22 ct new
    rule bad   deny ct invalid
    rule any22 log tcp to any port 22
}
conntrack { established rules }
)");
  auto plan = lower::lower_firewall(pol);
  const auto& fw = *pol.get<pir::Firewall>();
  auto pkt = [](const char* text) {
    std::string err;
    auto p = eval::parse_packet(text, &err);
    INFO(err);
    REQUIRE(p);
    return *p;
  };
  for (const char* text : {"tcp 10.0.0.1:1000 -> 10.0.0.2:22", "tcp 10.0.0.1:1000 -> 10.0.0.2:80",
                           "udp 10.0.0.1:1000 -> 10.0.0.2:22", "tcp [2001:db8::1]:5 -> [2001:db8::2]:22"}) {
    auto p = pkt(text);
    for (auto st : {pir::CtState::Untracked, pir::CtState::New, pir::CtState::Established, pir::CtState::Related,
                    pir::CtState::Invalid}) {
      auto want = eval::firewall::decide(fw, p, st, false);
      uint32_t want_idx = want.rule < 0 ? plan.config.nrules : static_cast<uint32_t>(want.rule);
      INFO(text << " state " << pir::to_string(st));
      CHECK(testing::plan_classify(plan.cls, plan.config.nrules, p, static_cast<uint8_t>(st)) == want_idx);
    }
  }
}
