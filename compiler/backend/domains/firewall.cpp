// The firewall's part of a bundle: its XDP object (variant by IPv6 and
// connection tracking), its rodata, its classifier and rules maps, and the
// host maps it shares (counters, events ring, the connection table).
#include "compiler/backend/plan_context.h"
#include "compiler/lower/pir_to_plan.h"
#include "compiler/lower/plan/firewall.h"

namespace sentinel::backend {

namespace {

void plan_firewall(const pir::Policy& policy, PlanContext& ctx) {
  constexpr DomainId d = DomainId::firewall;
  dplan::FirewallPlan plan = lower::lower_firewall(policy);
  plan.config.next_slot = ctx.next_slot(d);

  ObjectSpec o;
  o.part = "firewall/program.o";
  o.domain = d;
  o.templ = "xdp_firewall/xdp_firewall.bpf.c";
  o.defines = plan.defines;
  o.rodata = {{".rodata.sncfg", "firewall/config.img"}};
  o.programs = {{SN_FW_PROG, ctx.xdp_hook(d), ctx.xdp_slot(d)}};
  o.maps = {SN_FW_MAP_NODES, SN_FW_MAP_LEAVES, SN_FW_MAP_RECS, SN_FW_MAP_RULES, SN_MAP_COUNTERS,
            SN_MAP_CHAIN, SN_FW_MAP_EVENTS, SN_FW_MAP_RINGSTAT};
  if (plan.config.ct_mode != SN_FW_CT_OFF) o.maps.push_back(SN_CT_MAP);
  o.maps.push_back(SN_FW_MAP_REJECT);
  o.maps.push_back(SN_FW_MAP_QUOTE);
  o.maps.push_back(SN_FW_MAP_IFACES);
  ctx.add_object(std::move(o));

  ctx.add_part("firewall/config.img", bundle::write_rodata_image(plan.config));
  add_classifier(ctx, "firewall", SN_FW_MAP_NODES, SN_FW_MAP_LEAVES, SN_FW_MAP_RECS, plan.cls);
  ctx.add_map({SN_FW_MAP_RULES, MapType::Array, 4, sizeof(sn_fw_rule), static_cast<uint32_t>(plan.rules.size()), 0,
               Scope::Generation, "firewall/rules.img"});
  ctx.add_part("firewall/rules.img", bundle::write_array_image(plan.rules));
  ctx.add_map(counters_map());
  ctx.add_map(chain_map());
  ctx.add_map(ring_map(SN_FW_MAP_EVENTS));
  ctx.add_map(ring_stats_map(SN_FW_MAP_RINGSTAT));
  if (plan.config.ct_mode != SN_FW_CT_OFF) ctx.add_map(ct_map());
  ctx.add_map({SN_FW_MAP_QUOTE, MapType::PercpuArray, 4, sizeof(sn_fw_quote), 1, 0, Scope::Generation, ""});
  ctx.add_map({SN_FW_MAP_IFACES, MapType::Hash, 4, 4, SN_FW_IFACES_MAX, 0, Scope::Generation, "", plan.cls.ifaces});
  ctx.add_map({SN_FW_MAP_REJECT, MapType::LruHash, sizeof(sn_fw_reject_key), sizeof(sn_fw_reject_state),
               SN_FW_REJECT_SOURCES, 0, Scope::Host, ""});
  ctx.add_counters(plan.counter_keys);
  ctx.summary(d) = {{"rules", plan.config.nrules},
                    {"records", plan.cls.recs.size()},
                    {"trees", plan.cls.trees.size()},
                    {"classifier_bytes", plan.cls.bytes()}};
}

std::string print_firewall(const pir::Policy& p, const PlanContext& ctx) {
  auto plan = lower::lower_firewall(p);
  plan.config.next_slot = ctx.next_slot(DomainId::firewall);
  return plan.print();
}

// The switches its lowering sets (lower/plan/firewall.cpp), each on or off.
std::vector<ObjectVariant> firewall_variants() {
  return switch_variants("xdp_firewall/xdp_firewall.bpf.c", {"SN_FW_CT", "SN_FW_IPV6"});
}

}  // namespace

const DomainBackend firewall_backend = {10, &plan_firewall, &print_firewall, &firewall_variants};

}  // namespace sentinel::backend
