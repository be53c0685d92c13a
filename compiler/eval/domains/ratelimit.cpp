#include "compiler/eval/domains/ratelimit.h"

#include "compiler/eval/match.h"

namespace sentinel::eval {

namespace ratelimit {

namespace {
constexpr unsigned kTickShift = 6;  // SN_RL_TICK_SHIFT
constexpr unsigned kSlidingIndexBits = 28;
constexpr uint64_t kSlidingMask = (1ull << 18) - 1;

void mask_addr(std::array<uint8_t, 16>& a, unsigned len) {
  for (unsigned i = 0; i < 16; ++i) {
    unsigned keep = len > i * 8 ? std::min(8u, len - i * 8) : 0;
    a[i] &= static_cast<uint8_t>(keep ? 0xff << (8 - keep) : 0);
  }
}
}  // namespace

BucketKey bucket_of(const pir::RateRule& r, const Packet& pkt) {
  BucketKey k;
  k.rule = r.id;
  k.algorithm = static_cast<uint8_t>(r.algorithm);
  k.key = static_cast<uint8_t>(r.key);
  switch (r.key) {
    case pir::RateKey::Source:
      k.family = static_cast<uint8_t>(pkt.family);
      k.addr = pkt.src.bytes;
      break;
    case pir::RateKey::Cidr:
      k.family = static_cast<uint8_t>(pkt.family);
      k.addr = pkt.src.bytes;
      mask_addr(k.addr, pkt.family == pir::Family::V4 ? r.v4_len : r.v6_len);
      break;
    case pir::RateKey::Port: k.port = pkt.has_ports() ? pkt.dport : 0; break;
    case pir::RateKey::Global: break;
  }
  return k;
}

bool charge(uint64_t& word, const pir::RateRule& r, uint64_t now) {
  pir::RateWords p = pir::kernel_params(r);
  switch (r.algorithm) {
    case pir::RateAlgorithm::TokenBucket:
    case pir::RateAlgorithm::LeakyBucket: {
      uint64_t now64 = now << kTickShift;
      uint64_t tat = word > now64 ? word : now64;
      if (tat - now64 > p.tolerance) return false;
      word = tat + p.interval;
      return true;
    }
    case pir::RateAlgorithm::FixedWindow: {
      uint64_t idx = now / p.interval;
      // A packet older than the bucket's window is charged to that window:
      // windows never go back (the kernel's CPUs race this way).
      if (word && (word >> 24) > idx) idx = word >> 24;
      uint64_t count = (word >> 24) == idx ? word & 0xffffff : 0;
      if (count >= p.tolerance) return false;
      word = (idx << 24) | (count + 1);
      return true;
    }
    case pir::RateAlgorithm::SlidingWindow: {
      uint64_t idx = now / p.interval;
      uint64_t idx28 = idx & ((1ull << kSlidingIndexBits) - 1);
      uint64_t stored = word >> 36;
      uint64_t prev = (word >> 18) & kSlidingMask, cur = word & kSlidingMask;
      constexpr uint64_t kIndexMask = (1ull << kSlidingIndexBits) - 1;
      bool late = word && ((idx28 - stored) & kIndexMask) > (kIndexMask >> 1);
      if (late) {
        // A packet older than the bucket's window: judged at that window's
        // start, as the kernel does.
        uint64_t estimate = prev + cur;
        if (estimate >= p.tolerance) return false;
        word = (stored << 36) | (prev << 18) | (cur + 1);
        return true;
      }
      if (stored == idx28) {
      } else if (stored == ((idx28 - 1) & ((1ull << kSlidingIndexBits) - 1))) {
        prev = cur, cur = 0;
      } else {
        prev = 0, cur = 0;
      }
      uint64_t elapsed = now - idx * p.interval;
      uint64_t weight = ((p.interval - elapsed) << 10) / p.interval;
      uint64_t estimate = ((prev * weight) >> 10) + cur;
      if (estimate >= p.tolerance) return false;
      word = (idx28 << 36) | (prev << 18) | (cur + 1);
      return true;
    }
  }
  return true;
}

}  // namespace ratelimit

namespace {

void xdp(StageCtx& c) {
  const auto& rl = static_cast<const pir::RateLimit&>(c.block);
  auto& buckets = static_cast<ratelimit::Buckets&>(*c.state);
  DomainResult r;
  r.domain = DomainId::ratelimit;
  int hit = -1;
  for (size_t i = 0; i < rl.rules.size(); ++i) {
    std::string why = mismatch(rl.rules[i].match, c.pkt);
    if (why.empty()) {
      hit = static_cast<int>(i);
      break;
    }
    if (c.trace) r.misses.push_back({i, rl.rules[i].id, std::move(why)});
  }
  if (hit < 0) {
    r.action = "none";
    r.note = "no rate-limit rule matched";
    c.verdict.results.push_back(std::move(r));
    return;
  }
  const pir::RateRule& rule = rl.rules[hit];
  uint64_t& word = buckets.words[ratelimit::bucket_of(rule, c.pkt)];
  bool within = ratelimit::charge(word, rule, c.now_ns);
  r.rule = hit;
  r.rule_id = rule.id;
  r.where = rule.loc;
  r.action = within ? "pass" : pir::to_string(rule.action);
  r.dropped = !within && rule.action == pir::RateAction::Drop && rl.mode == pir::Mode::Enforce;
  // A rule counts what it lets through apart from what it refuses.
  r.counted = {within ? rule.id + "#pass" : rule.id};
  r.note = std::string(within ? "within " : "over ") + std::to_string(rule.rate.count) + "/" + rule.rate.unit +
           " (" + pir::to_string(rule.algorithm) + ", " + pir::key_text(rule) + ")";
  if (!within && !r.dropped && rule.action == pir::RateAction::Drop) r.note += "; audit mode: passes";
  c.verdict.dropped = r.dropped;
  c.verdict.results.push_back(std::move(r));
}

std::unique_ptr<DomainState> make_buckets() { return std::make_unique<ratelimit::Buckets>(); }

}  // namespace

const DomainEval ratelimit_eval = {{{Hook::Xdp, 20, &xdp}}, &make_buckets};

}  // namespace sentinel::eval
