// PIR -> the rate limiter's plan: rules through the shared classifier, the
// rules array with the kernel's parameters of each algorithm, counter keys
// and a bucket id that stays the same while a rule keeps its id, algorithm
// and key, so its buckets outlive generations.
#include "compiler/lower/pir_to_plan.h"
#include "compiler/lower/plan/ratelimit.h"
#include "compiler/pir/domains/ratelimit.h"

namespace sentinel::lower {

namespace {

constexpr uint64_t kSecond = 1000000000ull;

}  // namespace

dplan::RateLimitPlan lower_ratelimit(const pir::Policy& policy) {
  static_assert(pir::max_window_limit(pir::RateAlgorithm::FixedWindow) == SN_RL_FIXED_MAX_LIMIT);
  static_assert(pir::max_window_limit(pir::RateAlgorithm::SlidingWindow) == SN_RL_SLIDING_MAX_LIMIT);
  const pir::RateLimit& rl = *policy.get<pir::RateLimit>();
  dplan::RateLimitPlan plan;

  std::vector<ClsRule> cls;
  for (const auto& r : rl.rules) cls.push_back({&r.id, &r.match, 0});
  plan.cls = build_classifier("ratelimit", cls);

  for (const auto& r : rl.rules) {
    if (pir::is_window(r.algorithm) && (r.window_ns < kSecond || r.window_limit() == 0 ||
                                        r.window_limit() > pir::max_window_limit(r.algorithm)))
      throw LowerError("ratelimit rule `" + r.id + "`: its window holds a count the kernel cannot keep");
    sn_rl_rule k{};
    k.counter_key = dplan::counter_key("ratelimit", r.id);
    k.pass_counter_key = dplan::counter_key("ratelimit", r.id + "#pass");
    std::string bucket = r.id + "/" + pir::to_string(r.algorithm) + "/" + pir::key_text(r);
    k.bucket_id = dplan::counter_key("ratelimit-bucket", bucket);
    pir::RateWords w = pir::kernel_params(r);
    k.interval = w.interval;
    k.tolerance = w.tolerance;
    k.algorithm = static_cast<uint8_t>(r.algorithm);
    k.key = static_cast<uint8_t>(r.key);
    k.action = r.action == pir::RateAction::Log ? SN_RL_LOG : SN_RL_DROP;
    k.v4_len = r.v4_len;
    k.v6_len = r.v6_len;
    plan.rules.push_back(k);
    plan.rule_ids.push_back(r.id);
    plan.counter_keys.push_back(k.counter_key);
    plan.counter_keys.push_back(k.pass_counter_key);
  }
  plan.config.cls_steps = plan.cls.steps;
  plan.config.nrules = static_cast<uint32_t>(rl.rules.size());
  plan.config.mode = rl.mode == pir::Mode::Audit ? SN_RL_AUDIT : SN_RL_ENFORCE;
  plan.config.next_slot = SN_NO_SLOT;
  plan.config.contended_counter_key = dplan::counter_key("ratelimit", "contended");
  plan.counter_keys.push_back(plan.config.contended_counter_key);
  if (plan.cls.v6) plan.defines.push_back("SN_RL_IPV6");
  return plan;
}

}  // namespace sentinel::lower
