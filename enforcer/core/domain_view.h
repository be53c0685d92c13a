// What each domain shows of itself in the enforcer (enforcer/core/domains/
// <domain>.cpp): its status, read from the kernel's maps and the live
// policy, and its events, decoded from its rings. The table of them is
// built from compiler/domains/domains.def.
#pragma once
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "enforcer/bpf/kernel.h"
#include "enforcer/core/layout.h"
#include "compiler/pir/pir.h"

namespace sentinel::enforcer::core {

struct Counter {
  uint64_t packets = 0, bytes = 0;
};

struct ViewContext {
  bpf::Kernel& k;
  const Layout& l;
  const pir::Policy& live;
  const pir::Policy* previous;  // the generation rollback returns to, when there is one
  // The shared counters by key, summed over CPUs (zero when never counted).
  std::function<Counter(uint64_t key)> counter;
  // A pinned host map of the namespace, or an empty Fd.
  std::function<bpf::Fd(const std::string& name)> state_map;
};

struct RingNames {
  const char* ring;
  const char* stats;
};

struct DomainView {
  nlohmann::json (*status)(const ViewContext& ctx);
  std::vector<RingNames> rings;
  // One record of one of its rings as JSON; the live policy names the rules.
  nlohmann::json (*event)(std::span<const uint8_t> record, const pir::Policy& live);
  // Every counter the domain keeps for a policy, as (domain, id) pairs:
  // dplan::counter_key(domain, id) is its key.
  std::vector<std::pair<std::string, std::string>> (*counters)(const pir::Policy& p);
};

#define SN_DOMAIN(name) extern const DomainView name##_view;
#include "compiler/domains/domains.def"
#undef SN_DOMAIN

const DomainView& view_of(DomainId d);

// The packet summary every event carries, as JSON.
nlohmann::json summary_json(const void* pkt_summary);

}  // namespace sentinel::enforcer::core
