#include "compiler/backend/plan_context.h"

#include <algorithm>
#include <stdexcept>

#include "compiler/lower/pir_to_plan.h"

extern "C" {
#include "sentinel/abi/conntrack.h"
#include "sentinel/abi/dispatch.h"
}

namespace sentinel::backend {

namespace {

const DomainBackend* const kBackends[] = {
#define SN_DOMAIN(name) &name##_backend,
#include "compiler/domains/domains.def"
#undef SN_DOMAIN
};

// ring.h: SN_RING_DEFAULT_SIZE.
constexpr uint32_t kRingSize = 256 * 1024;
// BPF_F_NO_PREALLOC: the counters map allocates on use.
constexpr uint32_t kNoPrealloc = 1;

}  // namespace

PlanContext::PlanContext(const pir::Policy& policy, BundlePlan& out) : policy_(policy), out_(out) {
  std::vector<std::pair<int, DomainId>> xdp;
  for (const auto& b : policy.blocks) {
    int order = kBackends[domain_index(b->domain())]->xdp_order;
    if (order >= 0) xdp.emplace_back(order, b->domain());
  }
  std::sort(xdp.begin(), xdp.end());
  for (const auto& [order, d] : xdp) chain_.push_back(d);
  if (chain_.size() > SN_CHAIN_SLOTS) throw lower::LowerError("more XDP programs than chain slots");
}

Hook PlanContext::xdp_hook(DomainId d) const {
  return !chain_.empty() && chain_.front() == d ? Hook::Xdp : Hook::TailCall;
}

uint32_t PlanContext::xdp_slot(DomainId d) const {
  auto it = std::find(chain_.begin(), chain_.end(), d);
  return static_cast<uint32_t>(it - chain_.begin());
}

uint32_t PlanContext::next_slot(DomainId d) const {
  uint32_t i = xdp_slot(d);
  return i + 1 < chain_.size() ? i + 1 : SN_NO_SLOT;
}

void PlanContext::add_object(ObjectSpec o) {
  std::sort(o.defines.begin(), o.defines.end());
  std::sort(o.maps.begin(), o.maps.end());
  out_.objects.push_back(std::move(o));
}

void PlanContext::add_map(MapSpec m) {
  for (const auto& have : out_.maps) {
    if (have.name != m.name) continue;
    if (!(have == m)) throw std::logic_error("map " + m.name + " declared twice with different shapes");
    return;
  }
  out_.maps.push_back(std::move(m));
}

void PlanContext::add_part(const std::string& name, std::string bytes) { out_.parts[name] = std::move(bytes); }

void PlanContext::add_counters(const std::vector<uint64_t>& keys) {
  out_.counter_keys.insert(out_.counter_keys.end(), keys.begin(), keys.end());
}

nlohmann::json& PlanContext::summary(DomainId d) { return out_.domains[std::string(domain_name(d))]; }

MapSpec counters_map() {
  return {SN_MAP_COUNTERS, MapType::PercpuHash, 8, sizeof(sn_counter), SN_MAX_COUNTERS, kNoPrealloc, Scope::Host, ""};
}

MapSpec chain_map() { return {SN_MAP_CHAIN, MapType::ProgArray, 4, 4, SN_CHAIN_SLOTS, 0, Scope::Generation, ""}; }

MapSpec ct_map() {
  return {SN_CT_MAP, MapType::LruHash, sizeof(sn_ct_key), sizeof(sn_ct_entry), SN_CT_MAX_ENTRIES, 0, Scope::Host, ""};
}

MapSpec ring_map(const std::string& name) { return {name, MapType::Ringbuf, 0, 0, kRingSize, 0, Scope::Host, ""}; }

MapSpec ring_stats_map(const std::string& name) {
  return {name, MapType::PercpuArray, 4, sizeof(sn_ring_stats), 1, 0, Scope::Host, ""};
}

void add_classifier(PlanContext& ctx, const std::string& dir, const std::string& nodes_map,
                    const std::string& leaves_map, const std::string& recs_map, const dplan::ClassifierPlan& cls) {
  auto add = [&](const std::string& map, const std::string& part, uint32_t value_size, size_t n, std::string image) {
    ctx.add_map({map, MapType::Array, 4, value_size, std::max<uint32_t>(1, static_cast<uint32_t>(n)), 0,
                 Scope::Generation, dir + "/" + part});
    ctx.add_part(dir + "/" + part, std::move(image));
  };
  add(nodes_map, "nodes.img", sizeof(sn_cls_node), cls.nodes.size(), bundle::write_array_image(cls.nodes));
  add(leaves_map, "leaves.img", sizeof(uint32_t), cls.leaves.size(), bundle::write_array_image(cls.leaves));
  add(recs_map, "recs.img", sizeof(sn_cls_rec), cls.recs.size(), bundle::write_array_image(cls.recs));
}

std::string print_plans(const pir::Policy& policy) {
  BundlePlan scratch;
  PlanContext ctx(policy, scratch);
  std::string out;
  for (const auto& b : policy.blocks) out += kBackends[domain_index(b->domain())]->print(policy, ctx);
  return out;
}

BundlePlan plan_bundle(const pir::Policy& policy) {
  BundlePlan out;
  PlanContext ctx(policy, out);
  for (const auto& b : policy.blocks) kBackends[domain_index(b->domain())]->plan(policy, ctx);
  std::sort(out.maps.begin(), out.maps.end(), [](const MapSpec& a, const MapSpec& b) { return a.name < b.name; });
  std::sort(out.counter_keys.begin(), out.counter_keys.end());
  out.counter_keys.erase(std::unique(out.counter_keys.begin(), out.counter_keys.end()), out.counter_keys.end());
  // The live and the previous generation share the counters map.
  if (out.counter_keys.size() > SN_MAX_COUNTERS / 2)
    throw lower::LowerError("the policy needs " + std::to_string(out.counter_keys.size()) +
                            " rule counters; at most " + std::to_string(SN_MAX_COUNTERS / 2) +
                            " fit, since two generations share them");
  out.interfaces = policy.interfaces;
  out.parts[kPolicyPart] = pir::print(policy);
  std::string keys;
  keys.reserve(out.counter_keys.size() * 8);
  for (uint64_t k : out.counter_keys)
    for (int i = 0; i < 8; ++i) keys.push_back(static_cast<char>((k >> (8 * i)) & 0xff));
  out.parts[kCountersPart] = std::move(keys);
  return out;
}

}  // namespace sentinel::backend
