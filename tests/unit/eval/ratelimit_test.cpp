// The rate limiter against the formulas of bpf-templates' ratelimit.h, at
// chosen times: GCRA for the buckets (interval = 64 * unit / count in
// 1/64 ns, tolerance = (burst - 1) * interval), a count per window index for
// fixed windows, and the weighted estimate of sliding windows.
#include "compiler/eval/domains/ratelimit.h"
#include "eval_support.h"

using namespace sentinel;
using test::kMs;
using test::kSec;

namespace {

const std::string kAny = "udp 192.0.2.1:1000 -> 10.0.0.1:53";

std::string rl(const std::string& rule) { return "ratelimit {\n  rule r drop " + rule + "\n}\n"; }

// How many of `n` packets at `ns` the rule passes.
int passes(test::Run& run, uint64_t ns, int n, const std::string& pkt = kAny) {
  int ok = 0;
  for (int i = 0; i < n; ++i)
    if (!run.in(ns, pkt).dropped) ++ok;
  return ok;
}

const pir::RateRule& only_rule(test::Run& run) {
  return run.fe->policy->get<pir::RateLimit>()->rules.at(0);
}

}  // namespace

TEST_CASE("defaults are made explicit by lowering", "[ratelimit]") {
  test::Run tb(rl("rate 10/s"));
  const auto& r = only_rule(tb);
  CHECK(r.algorithm == pir::RateAlgorithm::TokenBucket);
  CHECK(r.burst == 10);
  CHECK(r.key == pir::RateKey::Source);
  auto p = pir::kernel_params(r);
  CHECK(p.interval == 6400000000ull);  // 64 * 1e9 / 10: 100 ms
  CHECK(p.tolerance == 9 * p.interval);

  test::Run lb(rl("rate 10/s algorithm leaky-bucket"));
  CHECK(only_rule(lb).burst == 1);
  CHECK(pir::kernel_params(only_rule(lb)).tolerance == 0);

  test::Run fw(rl("rate 5/m algorithm fixed-window"));
  CHECK(only_rule(fw).window_ns == 60 * kSec);
  CHECK(pir::kernel_params(only_rule(fw)).tolerance == 5);

  test::Run sw(rl("rate 60/m algorithm sliding-window window 10s"));
  CHECK(only_rule(sw).window_ns == 10 * kSec);
  CHECK(pir::kernel_params(only_rule(sw)).tolerance == 10);
}

TEST_CASE("token bucket: a burst of the rate's count, then one per interval", "[ratelimit]") {
  test::Run run(rl("rate 10/s"));
  CHECK(passes(run, 0, 10) == 10);
  CHECK(passes(run, 0, 1) == 0);  // the 11th at once is over
  // TAT is now 1 s; at 100 ms one interval has passed: exactly one more.
  CHECK(passes(run, 100 * kMs, 2) == 1);
  CHECK(passes(run, 199 * kMs, 1) == 0);
  CHECK(passes(run, 200 * kMs, 1) == 1);
  // Long idle refills the whole burst, never more.
  CHECK(passes(run, 10 * kSec, 11) == 10);
}

TEST_CASE("token bucket with an explicit burst", "[ratelimit]") {
  test::Run run(rl("rate 10/s burst 3"));
  CHECK(passes(run, 0, 5) == 3);
  // TAT 300 ms: within the tolerance of 200 ms again at 100 ms.
  CHECK(passes(run, 99 * kMs, 1) == 0);
  CHECK(passes(run, 100 * kMs, 2) == 1);
  // A per-minute rate: interval 64 * 60 s / 2 = 30 s.
  test::Run slow(rl("rate 2/m burst 1"));
  CHECK(passes(slow, 0, 2) == 1);
  CHECK(passes(slow, 29999 * kMs, 1) == 0);
  CHECK(passes(slow, 30 * kSec, 1) == 1);
}

TEST_CASE("leaky bucket: one at a time, evenly spaced", "[ratelimit]") {
  test::Run run(rl("rate 10/s algorithm leaky-bucket"));
  CHECK(passes(run, 0, 3) == 1);
  CHECK(passes(run, 50 * kMs, 1) == 0);
  CHECK(passes(run, 100 * kMs, 2) == 1);
  CHECK(passes(run, 150 * kMs, 1) == 0);
  CHECK(passes(run, 200 * kMs, 1) == 1);
  // A leaky bucket with a burst is a token bucket of that depth.
  test::Run deep(rl("rate 10/s algorithm leaky-bucket burst 4"));
  CHECK(passes(deep, 0, 6) == 4);
}

TEST_CASE("fixed window: the limit per window index, reset at the boundary", "[ratelimit]") {
  test::Run run(rl("rate 5/s algorithm fixed-window"));
  CHECK(passes(run, 0, 7) == 5);
  CHECK(passes(run, 999 * kMs, 1) == 0);
  CHECK(passes(run, 1000 * kMs, 7) == 5);  // window 1 starts at 0
  // Windows are aligned to multiples of their length, not to the first packet.
  test::Run w10(rl("rate 60/m algorithm fixed-window window 10s"));
  CHECK(passes(w10, 9 * kSec, 12) == 10);
  CHECK(passes(w10, 9999 * kMs, 1) == 0);
  CHECK(passes(w10, 10 * kSec, 12) == 10);
  // Over-limit packets leave the word alone: the count stays at the limit.
  uint64_t word = 0;
  const auto& r = only_rule(run);
  for (int i = 0; i < 5; ++i) REQUIRE(eval::ratelimit::charge(word, r, 3 * kSec));
  uint64_t full = word;
  CHECK_FALSE(eval::ratelimit::charge(word, r, 3 * kSec));
  CHECK(word == full);
  CHECK(word == ((3ull << 24) | 5));
}

TEST_CASE("sliding window: the previous window weighted by what remains of it", "[ratelimit]") {
  test::Run run(rl("rate 10/s algorithm sliding-window"));
  CHECK(passes(run, 0, 12) == 10);
  // At 1.0 s the previous window still weighs 1024/1024: nothing passes,
  // where a fixed window would admit 10.
  CHECK(passes(run, 1000 * kMs, 1) == 0);
  // At 1.5 s: weight (0.5 s << 10) / 1 s = 512, previous 10 -> 5; 5 more pass.
  CHECK(passes(run, 1500 * kMs, 7) == 5);
  // At 1.9 s: weight 102, (10 * 102) >> 10 = 0; the current 5 leave room for 5.
  CHECK(passes(run, 1900 * kMs, 7) == 5);
  // At 2.25 s: previous 10 (window 1), weight 768 -> 7; 3 pass.
  CHECK(passes(run, 2250 * kMs, 5) == 3);
  // A window more than one behind counts as 0.
  CHECK(passes(run, 4100 * kMs, 12) == 10);
}

TEST_CASE("sliding window word layout", "[ratelimit]") {
  test::Run run(rl("rate 10/s algorithm sliding-window"));
  const auto& r = only_rule(run);
  uint64_t word = 0;
  for (int i = 0; i < 4; ++i) REQUIRE(eval::ratelimit::charge(word, r, 7 * kSec + 10 * kMs));
  CHECK(word == ((7ull << 36) | 4));
  REQUIRE(eval::ratelimit::charge(word, r, 8 * kSec + 900 * kMs));
  CHECK(word == ((8ull << 36) | (4ull << 18) | 1));
}

TEST_CASE("a bucket per source address, IPv4 and IPv6", "[ratelimit]") {
  test::Run run(rl("rate 1/s burst 1 per source"));
  CHECK(passes(run, 0, 2, "udp 192.0.2.1:1 -> 10.0.0.1:53") == 1);
  CHECK(passes(run, 0, 2, "udp 192.0.2.2:1 -> 10.0.0.1:53") == 1);
  CHECK(passes(run, 0, 2, "udp [2001:db8::1]:1 -> [2001:db8::99]:53") == 1);
  CHECK(passes(run, 0, 2, "udp [2001:db8::2]:1 -> [2001:db8::99]:53") == 1);
  // The same source to another destination or port shares its bucket.
  CHECK(passes(run, 0, 1, "tcp 192.0.2.1:9 -> 10.0.0.7:80") == 0);
  // Per source is the default.
  test::Run dflt(rl("rate 1/s burst 1"));
  CHECK(passes(dflt, 0, 1, "udp 192.0.2.1:1 -> 10.0.0.1:53") == 1);
  CHECK(passes(dflt, 0, 1, "udp 192.0.2.2:1 -> 10.0.0.1:53") == 1);
}

TEST_CASE("a bucket per source prefix: /24 for IPv4, /64 for IPv6", "[ratelimit]") {
  test::Run run(rl("rate 1/s burst 1 per source /24 /64"));
  CHECK(passes(run, 0, 1, "udp 192.0.2.1:1 -> 10.0.0.1:53") == 1);
  CHECK(passes(run, 0, 1, "udp 192.0.2.200:1 -> 10.0.0.1:53") == 0);  // same /24
  CHECK(passes(run, 0, 1, "udp 192.0.3.1:1 -> 10.0.0.1:53") == 1);    // the next /24
  CHECK(passes(run, 0, 1, "udp [2001:db8:0:1::1]:1 -> [2001:db8::99]:53") == 1);
  CHECK(passes(run, 0, 1, "udp [2001:db8:0:1:ffff::7]:1 -> [2001:db8::99]:53") == 0);  // same /64
  CHECK(passes(run, 0, 1, "udp [2001:db8:0:2::1]:1 -> [2001:db8::99]:53") == 1);
  // An IPv4-only rule gives one length, the IPv4 one.
  test::Run v4("ratelimit {\n  rule r drop from 0.0.0.0/0 rate 1/s burst 1 per source /16\n}\n");
  CHECK(v4.fe->policy->get<pir::RateLimit>()->rules[0].v4_len == 16);
  CHECK(passes(v4, 0, 1, "udp 192.0.2.1:1 -> 10.0.0.1:53") == 1);
  CHECK(passes(v4, 0, 1, "udp 192.0.99.1:1 -> 10.0.0.1:53") == 0);
  CHECK(passes(v4, 0, 1, "udp 192.1.2.1:1 -> 10.0.0.1:53") == 1);
  // An IPv6-only rule's one length is the IPv6 one.
  test::Run v6("ratelimit {\n  rule r drop from ::/0 rate 1/s burst 1 per source /48\n}\n");
  CHECK(v6.fe->policy->get<pir::RateLimit>()->rules[0].v6_len == 48);
  CHECK(passes(v6, 0, 1, "udp [2001:db8:1:2::1]:1 -> [2001:db8::99]:53") == 1);
  CHECK(passes(v6, 0, 1, "udp [2001:db8:1:3::1]:1 -> [2001:db8::99]:53") == 0);
}

TEST_CASE("a bucket per destination port, and packets without ports share port 0", "[ratelimit]") {
  test::Run run(rl("rate 1/s burst 1 per port"));
  CHECK(passes(run, 0, 1, "tcp 192.0.2.1:1 -> 10.0.0.1:80") == 1);
  CHECK(passes(run, 0, 1, "tcp 192.0.2.2:1 -> 10.0.0.2:80") == 0);  // any source, same port
  CHECK(passes(run, 0, 1, "tcp [2001:db8::1]:1 -> [2001:db8::2]:80") == 0);  // and any family
  CHECK(passes(run, 0, 1, "udp 192.0.2.1:1 -> 10.0.0.1:443") == 1);
  CHECK(passes(run, 0, 1, "icmp 192.0.2.1 -> 10.0.0.1") == 1);
  CHECK(passes(run, 0, 1, "udp 192.0.2.1:1 -> 10.0.0.1:7 frag") == 0);  // port 0 too
}

TEST_CASE("one bucket for a global rule", "[ratelimit]") {
  test::Run run(rl("rate 2/s global"));
  CHECK(passes(run, 0, 1, "tcp 192.0.2.1:1 -> 10.0.0.1:80") == 1);
  CHECK(passes(run, 0, 1, "udp [2001:db8::1]:1 -> [2001:db8::2]:53") == 1);
  CHECK(passes(run, 0, 1, "icmp 198.51.100.1 -> 10.0.0.1") == 0);
}

TEST_CASE("drop, log and audit mode", "[ratelimit]") {
  test::Run drop(rl("rate 1/s burst 1"));
  auto v = drop.in(0, kAny);
  CHECK(test::action(v, DomainId::ratelimit) == "pass");
  v = drop.in(0, kAny);
  CHECK(v.dropped);
  CHECK(test::action(v, DomainId::ratelimit) == "drop");
  CHECK(test::rule(v, DomainId::ratelimit) == "r");

  test::Run log("ratelimit {\n  rule r log rate 1/s burst 1\n}\n");
  log.in(0, kAny);
  v = log.in(0, kAny);
  CHECK_FALSE(v.dropped);
  CHECK(test::action(v, DomainId::ratelimit) == "log");

  test::Run audit("ratelimit {\n  mode audit\n  rule r drop rate 1/s burst 1\n}\n");
  audit.in(0, kAny);
  v = audit.in(0, kAny);
  CHECK_FALSE(v.dropped);
  CHECK(test::action(v, DomainId::ratelimit) == "drop");
  CHECK(v.of(DomainId::ratelimit)->note.find("audit mode") != std::string::npos);
  // Audit mode still charges: the bucket's state is the same as enforcing.
  CHECK(passes(audit, 100 * kMs, 1) == 1);
}

TEST_CASE("the first matching rule charges the packet", "[ratelimit]") {
  test::Run run(
      "ratelimit {\n"
      "  rule ssh drop tcp to any port 22 rate 1/m burst 1\n"
      "  rule dns log udp to any port 53 rate 1/s burst 1 global\n"
      "  rule rest drop rate 100/s\n"
      "}\n");
  auto v = run.in(0, "tcp 192.0.2.1:5 -> 10.0.0.1:22");
  CHECK(test::rule(v, DomainId::ratelimit) == "ssh");
  v = run.in(0, "tcp 192.0.2.1:5 -> 10.0.0.1:22");
  CHECK(v.dropped);
  // Another port of the same source goes to `rest`, whose bucket is its own.
  v = run.in(0, "tcp 192.0.2.1:5 -> 10.0.0.1:80");
  CHECK(test::rule(v, DomainId::ratelimit) == "rest");
  CHECK_FALSE(v.dropped);
  v = run.in(0, "udp 192.0.2.1:5 -> 10.0.0.1:53");
  CHECK(test::rule(v, DomainId::ratelimit) == "dns");
  v = run.in(0, "udp 192.0.2.9:5 -> 10.0.0.1:53");
  CHECK(test::action(v, DomainId::ratelimit) == "log");
  CHECK_FALSE(v.dropped);
  // No rule matches: nothing is charged.
  test::Run narrow("ratelimit {\n  rule ssh drop tcp to any port 22 rate 1/s\n}\n");
  v = narrow.in(0, kAny);
  CHECK(test::action(v, DomainId::ratelimit) == "none");
  CHECK(test::rule(v, DomainId::ratelimit) == "");
}

TEST_CASE("packets the firewall drops are never charged", "[ratelimit]") {
  test::Run run(
      "firewall {\n  rule no-telnet deny tcp to any port 23\n}\n"
      "ratelimit {\n  rule all drop rate 1/s burst 1 global\n}\n");
  auto v = run.in(0, "tcp 192.0.2.1:5 -> 10.0.0.1:23");
  CHECK(v.dropped);
  CHECK(test::action(v, DomainId::ratelimit) == "");
  v = run.in(0, "tcp 192.0.2.1:5 -> 10.0.0.1:80");
  CHECK(test::action(v, DomainId::ratelimit) == "pass");
  // Rate limiting is an XDP stage: packets the host sends are not charged.
  v = run.out(0, "tcp 10.0.0.1:80 -> 192.0.2.1:5 [.]");
  CHECK(test::action(v, DomainId::ratelimit) == "");
}
