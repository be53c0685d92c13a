// Connection tracking's part of a bundle: one object with the TC programs
// of both directions, its timeouts as rodata, and the host connection table
// (which the firewall reads at XDP).
#include "compiler/backend/plan_context.h"
#include "compiler/lower/pir_to_plan.h"
#include "compiler/lower/plan/conntrack.h"
#include "compiler/pir/domains/conntrack.h"

namespace sentinel::backend {

namespace {

void plan_conntrack(const pir::Policy& policy, PlanContext& ctx) {
  constexpr DomainId d = DomainId::conntrack;
  dplan::ConntrackPlan plan = lower::lower_conntrack(policy);

  ObjectSpec o;
  o.part = "conntrack/program.o";
  o.domain = d;
  o.templ = "tc_conntrack/tc_conntrack.bpf.c";
  o.rodata = {{".rodata.sncfg", "conntrack/config.img"}};
  o.programs = {{SN_CT_PROG_INGRESS, Hook::TcxIngress, 0}, {SN_CT_PROG_EGRESS, Hook::TcxEgress, 0}};
  o.maps = {SN_CT_MAP, SN_MAP_COUNTERS};
  ctx.add_object(std::move(o));

  ctx.add_part("conntrack/config.img", bundle::write_rodata_image(plan.config));
  ctx.add_map(ct_map());
  ctx.add_map(counters_map());
  ctx.add_counters(plan.counter_keys);
  const auto& ct = *policy.get<pir::Conntrack>();
  ctx.summary(d) = {{"established", ct.accept_established ? "allow" : "rules"}, {"table_entries", SN_CT_MAX_ENTRIES}};
}

std::string print_conntrack(const pir::Policy& p, const PlanContext&) { return lower::lower_conntrack(p).print(); }

// The switches its lowering sets (lower/plan/conntrack.cpp), each on or off.
std::vector<ObjectVariant> conntrack_variants() {
  return switch_variants("tc_conntrack/tc_conntrack.bpf.c", {});
}

}  // namespace

const DomainBackend conntrack_backend = {-1, &plan_conntrack, &print_conntrack, &conntrack_variants};

}  // namespace sentinel::backend
