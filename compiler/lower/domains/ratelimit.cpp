// Rate-limit rules with every default made explicit: the token bucket, a
// burst of the rate's count (leaky bucket: 1), a window of the rate's unit,
// a bucket per source address.
#include "compiler/ast/domains/ratelimit.h"
#include "compiler/lower/ast_to_pir.h"

namespace sentinel::lower {

std::unique_ptr<pir::Block> lower_ratelimit(const ast::Block& block, const LowerContext& ctx) {
  const auto& rl = static_cast<const ast::RateLimitBlock&>(block);
  auto out = std::make_unique<pir::RateLimit>();
  out->loc = ctx.loc(rl.span);
  if (!rl.modes.empty()) out->mode = rl.modes.front().mode;
  for (const auto& r : rl.rules) {
    pir::RateRule& o = out->rules.emplace_back();
    o.id = r.id.text;
    o.action = r.action;
    o.match = ctx.match(r.match);
    o.rate = {r.rate.count, r.rate.unit};
    if (!r.algorithms.empty()) o.algorithm = *pir::algorithm_by_name(r.algorithms.front().text);
    if (pir::is_window(o.algorithm)) {
      o.burst = 0;
      o.window_ns = r.windows.empty() ? o.rate.unit_ns() : r.windows.front().ns;
    } else {
      o.window_ns = 0;
      o.burst = !r.bursts.empty() ? r.bursts.front().value
                : o.algorithm == pir::RateAlgorithm::LeakyBucket ? 1
                                                                 : o.rate.count;
    }
    if (!r.keys.empty()) {
      const ast::RlKey& k = r.keys.front();
      o.key = k.kind;
      if (k.kind == pir::RateKey::Cidr) {
        unsigned fams = o.match.families();
        if (k.lens.size() == 2) {
          o.v4_len = static_cast<uint8_t>(k.lens[0].value);
          o.v6_len = static_cast<uint8_t>(k.lens[1].value);
        } else if (fams == 2) {
          o.v6_len = static_cast<uint8_t>(k.lens[0].value);
        } else {
          o.v4_len = static_cast<uint8_t>(k.lens[0].value);
        }
      }
    }
    if (r.description) o.description = *r.description;
    o.loc = ctx.loc(r.id.span);
  }
  return out;
}

}  // namespace sentinel::lower
