// Differential test: generated packets through the reference evaluator and
// through the compiled XDP program (BPF_PROG_TEST_RUN). Every verdict must
// agree, and at the end every rule's kernel counter must equal the number of
// packets the evaluator said that rule decided. Any difference is a bug.
//
//   fw_diff POLICY_DIR [COUNT] [SEED]          an example policy
//   fw_diff --random POLICIES COUNT [SEED]     random policies, COUNT packets each
#include <linux/bpf.h>

#include <chrono>
#include <iostream>
#include <map>

#include "tests/support/fw_eval.h"
#include "compiler/lower/pir_to_plan.h"
#include "compiler/pir/pir.h"
#include "tests/diff/packet_gen.h"
#include "tests/diff/random_policy.h"
#include "tests/support/firewall_fixture.h"
#include "tests/support/privilege.h"

using namespace sentinel;

namespace {

struct Outcome {
  size_t verdicts = 0;  // mismatching verdicts
  size_t counters = 0;  // mismatching per-rule counters
  std::map<std::string, uint64_t> decided;  // rule id -> packets, from the evaluator
};

Outcome compare(testing::FirewallFixture& fx, size_t count, uint64_t seed) {
  auto& k = *fx.kernel;
  testing::PacketGenerator gen(fx.policy, seed);
  Outcome o;
  for (size_t i = 0; i < count; ++i) {
    eval::Packet p = gen.next();
    auto v = testing::fw_eval(fx.policy, p);
    o.decided[testing::rule_id(fx.policy, v)]++;
    uint32_t action = k.run(eval::build_frame(p));
    uint32_t want = v.dropped ? XDP_DROP : XDP_PASS;
    if (action != want && ++o.verdicts <= 20)
      std::cerr << "mismatch: " << eval::format(p) << ": evaluator " << (v.dropped ? "drop" : "pass")
                << " by " << testing::rule_id(fx.policy, v) << ", kernel action " << action << '\n';
  }
  auto got = k.counters();
  for (const auto& [id, c] : got) {
    uint64_t want = o.decided.count(id) ? o.decided[id] : 0;
    if (c.packets != want) {
      ++o.counters;
      std::cerr << "counter mismatch: rule " << id << ": kernel " << c.packets << ", evaluator " << want << '\n';
    }
  }
  for (const auto& [id, n] : o.decided)
    if (!got.count(id)) {
      ++o.counters;
      std::cerr << "counter mismatch: rule " << id << " missing in the kernel (evaluator " << n << ")\n";
    }
  return o;
}

int example(const std::string& dir, size_t count, uint64_t seed) {
  auto fx = testing::FirewallFixture::compile(dir);
  if (!fx) return 1;
  fx->load_kernel();
  auto t0 = std::chrono::steady_clock::now();
  Outcome o = compare(*fx, count, seed);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << dir << ": " << count << " packets (seed " << seed << ") in " << secs << " s, "
            << o.verdicts << " verdict mismatches, " << o.counters << " counter mismatches\n";
  for (const auto& [id, n] : o.decided) std::cout << "  " << id << ": " << n << '\n';
  if (o.decided.size() < 2) {
    std::cerr << "only one rule was ever exercised: the generator does not cover this policy\n";
    return 1;
  }
  return o.verdicts || o.counters ? 1 : 0;
}

int random_policies(size_t policies, size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  size_t failed = 0, rules_hit = 0, rules = 0, over_limit = 0;
  for (size_t i = 0; i < policies; ++i) {
    testing::FirewallFixture fx;
    fx.policy = testing::random_policy(rng);
    try {
      fx.artifacts = backend::compile_firewall(fx.policy);
    } catch (const lower::LowerError&) {
      ++over_limit;  // refused with a clear error at build time; nothing to compare
      continue;
    }
    fx.load_kernel();
    Outcome o = compare(fx, count, seed + i);
    rules += testing::fw(fx.policy).rules.size();
    for (const auto& r : testing::fw(fx.policy).rules) rules_hit += o.decided.count(r.id);
    if (o.verdicts || o.counters) {
      ++failed;
      std::cerr << "policy " << i << " (seed " << seed << ") differs:\n" << pir::print(fx.policy);
    }
  }
  std::cout << policies << " random policies (seed " << seed << "), " << count << " packets each: "
            << failed << " with differences; " << rules_hit << " of " << rules
            << " rules decided at least one packet; " << over_limit
            << " refused by the compiler's tuple limit\n";
  return failed || over_limit * 2 > policies ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: fw_diff POLICY_DIR [COUNT] [SEED] | fw_diff --random POLICIES COUNT [SEED]\n";
    return 2;
  }
  if (!testing::privileged()) return testing::skip_or_fail("needs root for BPF_PROG_TEST_RUN");
  std::string first = argv[1];
  if (first == "--random") {
    if (argc < 4) return 2;
    return random_policies(std::stoul(argv[2]), std::stoul(argv[3]), argc > 4 ? std::stoull(argv[4]) : 1);
  }
  return example(first, argc > 2 ? std::stoul(argv[2]) : 100000, argc > 3 ? std::stoull(argv[3]) : 1);
}
