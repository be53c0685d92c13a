// The rate limiter's part of a bundle: its XDP object (tail-called after the
// firewall, or the XDP entry without one), rodata, classifier and rules maps,
// and the host maps: buckets that outlive generations, counters, events.
#include "compiler/backend/plan_context.h"
#include "compiler/lower/pir_to_plan.h"
#include "compiler/lower/plan/ratelimit.h"

namespace sentinel::backend {

namespace {

void plan_ratelimit(const pir::Policy& policy, PlanContext& ctx) {
  constexpr DomainId d = DomainId::ratelimit;
  dplan::RateLimitPlan plan = lower::lower_ratelimit(policy);
  plan.config.next_slot = ctx.next_slot(d);

  ObjectSpec o;
  o.part = "ratelimit/program.o";
  o.domain = d;
  o.templ = "xdp_ratelimit/xdp_ratelimit.bpf.c";
  o.defines = plan.defines;
  o.rodata = {{".rodata.sncfg", "ratelimit/config.img"}};
  o.programs = {{SN_RL_PROG, ctx.xdp_hook(d), ctx.xdp_slot(d)}};
  o.maps = {SN_RL_MAP_NODES, SN_RL_MAP_LEAVES, SN_RL_MAP_RECS, SN_RL_MAP_RULES, SN_RL_MAP_BUCKETS,
            SN_MAP_COUNTERS, SN_MAP_CHAIN, SN_RL_MAP_EVENTS, SN_RL_MAP_RINGSTAT};
  ctx.add_object(std::move(o));

  ctx.add_part("ratelimit/config.img", bundle::write_rodata_image(plan.config));
  add_classifier(ctx, "ratelimit", SN_RL_MAP_NODES, SN_RL_MAP_LEAVES, SN_RL_MAP_RECS, plan.cls);
  ctx.add_map({SN_RL_MAP_RULES, MapType::Array, 4, sizeof(sn_rl_rule),
               std::max<uint32_t>(1, static_cast<uint32_t>(plan.rules.size())), 0, Scope::Generation,
               "ratelimit/rules.img"});
  ctx.add_part("ratelimit/rules.img", bundle::write_array_image(plan.rules));
  ctx.add_map({SN_RL_MAP_BUCKETS, MapType::LruHash, sizeof(sn_rl_bucket_key), sizeof(sn_rl_bucket),
               SN_RL_MAX_BUCKETS, 0, Scope::Host, ""});
  ctx.add_map(counters_map());
  ctx.add_map(chain_map());
  ctx.add_map(ring_map(SN_RL_MAP_EVENTS));
  ctx.add_map(ring_stats_map(SN_RL_MAP_RINGSTAT));
  ctx.add_counters(plan.counter_keys);
  ctx.summary(d) = {{"rules", plan.config.nrules},
                    {"records", plan.cls.recs.size()},
                    {"trees", plan.cls.trees.size()},
                    {"classifier_bytes", plan.cls.bytes()}};
}

std::string print_ratelimit(const pir::Policy& p, const PlanContext& ctx) {
  auto plan = lower::lower_ratelimit(p);
  plan.config.next_slot = ctx.next_slot(DomainId::ratelimit);
  return plan.print();
}

}  // namespace

const DomainBackend ratelimit_backend = {20, &plan_ratelimit, &print_ratelimit};

}  // namespace sentinel::backend
