// Differential test: N generated packets through the reference evaluator and
// through the compiled XDP program (BPF_PROG_TEST_RUN). Every verdict must
// agree, and at the end every rule's kernel counter must equal the number of
// packets the evaluator said that rule decided. Any difference is a bug.
//
//   fw_diff POLICY_DIR [COUNT] [SEED]
#include <linux/bpf.h>

#include <chrono>
#include <iostream>
#include <map>

#include "compiler/eval/firewall.h"
#include "tests/diff/packet_gen.h"
#include "tests/support/firewall_fixture.h"
#include "tests/support/privilege.h"

using namespace sentinel;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: fw_diff POLICY_DIR [COUNT] [SEED]\n";
    return 2;
  }
  size_t count = argc > 2 ? std::stoul(argv[2]) : 100000;
  uint64_t seed = argc > 3 ? std::stoull(argv[3]) : 1;
  if (!testing::privileged()) return testing::skip_or_fail("needs root for BPF_PROG_TEST_RUN");
  auto fx = testing::FirewallFixture::compile(argv[1]);
  if (!fx) return 1;
  fx->load_kernel();
  auto& k = *fx->kernel;

  testing::PacketGenerator gen(fx->policy, seed);
  std::map<std::string, uint64_t> expected;
  size_t mismatches = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < count; ++i) {
    eval::Packet p = gen.next();
    auto v = eval::eval_firewall(fx->policy, p);
    expected[v.rule_id(fx->policy)]++;
    uint32_t action = k.run(eval::build_frame(p));
    uint32_t want = v.dropped ? XDP_DROP : XDP_PASS;
    if (action != want) {
      if (++mismatches <= 20)
        std::cerr << "mismatch: " << eval::format(p) << ": evaluator " << (v.dropped ? "drop" : "pass")
                  << " by " << v.rule_id(fx->policy) << ", kernel action " << action << '\n';
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  auto got = k.counters();
  size_t counter_mismatches = 0;
  for (const auto& [id, c] : got) {
    uint64_t want = expected.count(id) ? expected[id] : 0;
    if (c.packets != want) {
      ++counter_mismatches;
      std::cerr << "counter mismatch: rule " << id << ": kernel " << c.packets << ", evaluator " << want << '\n';
    }
  }
  for (const auto& [id, n] : expected)
    if (!got.count(id)) {
      ++counter_mismatches;
      std::cerr << "counter mismatch: rule " << id << " missing in the kernel (evaluator " << n << ")\n";
    }
  std::cout << argv[1] << ": " << count << " packets (seed " << seed << ") in " << secs << " s, "
            << mismatches << " verdict mismatches, " << counter_mismatches << " counter mismatches\n";
  for (const auto& [id, n] : expected) std::cout << "  " << id << ": " << n << '\n';
  if (expected.size() < 2) {
    std::cerr << "only one rule was ever exercised: the generator does not cover this policy\n";
    return 1;
  }
  return mismatches || counter_mismatches ? 1 : 0;
}
