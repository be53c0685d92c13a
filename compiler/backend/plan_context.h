// What each domain's backend gets to describe its part of a bundle
// (backend/domains/<domain>.cpp), and the table of them. The XDP chain is
// assembled here: every domain with an XDP program states its place in the
// chain (xdp_order); the first present domain is the entry, the others get
// tail-call slots in order, and each learns the slot after it.
#pragma once
#include <string>
#include <vector>

#include "compiler/backend/bundle_plan.h"
#include "compiler/backend/map_image.h"
#include "compiler/dplan/classifier.h"

extern "C" {
#include "sentinel/abi/conntrack.h"
#include "sentinel/abi/dispatch.h"
}

namespace sentinel::backend {

class PlanContext {
 public:
  PlanContext(const pir::Policy& policy, BundlePlan& out);

  // The program of domain `d` in the XDP chain: its hook and slot, and the
  // slot a packet it passes goes to (SN_NO_SLOT at the end of the chain).
  Hook xdp_hook(DomainId d) const;
  uint32_t xdp_slot(DomainId d) const;
  uint32_t next_slot(DomainId d) const;

  void add_object(ObjectSpec o);
  // Adds a map; one already added under the name must be identical (maps
  // shared between objects, like the counters) or this throws.
  void add_map(MapSpec m);
  void add_part(const std::string& name, std::string bytes);
  void add_counters(const std::vector<uint64_t>& keys);
  nlohmann::json& summary(DomainId d);
  const pir::Policy& policy() const { return policy_; }

 private:
  const pir::Policy& policy_;
  BundlePlan& out_;
  std::vector<DomainId> chain_;  // domains with an XDP program, in chain order
};

struct DomainBackend {
  int xdp_order;  // place in the XDP chain, ascending; -1: no XDP program
  void (*plan)(const pir::Policy& policy, PlanContext& ctx);
  // The domain's dataplane plan as text (`--dump-after=plan`, `inspect`).
  std::string (*print)(const pir::Policy& policy, const PlanContext& ctx);
};

// The dataplane plans of every domain the policy has, as text.
std::string print_plans(const pir::Policy& policy);

#define SN_DOMAIN(name) extern const DomainBackend name##_backend;
#include "compiler/domains/domains.def"
#undef SN_DOMAIN

// Maps that several domains' objects declare alike.
MapSpec counters_map();
MapSpec chain_map();
MapSpec ct_map();
// A domain's events ring and its backpressure stats (ring.h).
MapSpec ring_map(const std::string& name);
MapSpec ring_stats_map(const std::string& name);

// A classifier's nodes, leaves and records maps (generation scope) with
// their images, "<dir>/nodes.img", "<dir>/leaves.img" and "<dir>/recs.img".
void add_classifier(PlanContext& ctx, const std::string& dir, const std::string& nodes_map,
                    const std::string& leaves_map, const std::string& recs_map, const dplan::ClassifierPlan& cls);

}  // namespace sentinel::backend
