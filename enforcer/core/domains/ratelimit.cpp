// Rate limiting in status and events: per rule the packets within and over
// its limit, the buckets in use, and an event per packet over a limit.
#include <cstring>

#include "compiler/dplan/classifier.h"
#include "compiler/pir/domains/ratelimit.h"
#include "enforcer/core/domain_view.h"

extern "C" {
#include "sentinel/abi/ratelimit.h"
}

namespace sentinel::enforcer::core {

namespace {

using nlohmann::json;

json status(const ViewContext& c) {
  const auto& rl = *c.live.get<pir::RateLimit>();
  json rules = json::array();
  for (const auto& r : rl.rules) {
    Counter over = c.counter(dplan::counter_key("ratelimit", r.id));
    Counter pass = c.counter(dplan::counter_key("ratelimit", r.id + "#pass"));
    rules.push_back({{"id", r.id},
                     {"action", pir::to_string(r.action)},
                     {"rate", std::to_string(r.rate.count) + "/" + r.rate.unit},
                     {"algorithm", pir::to_string(r.algorithm)},
                     {"key", pir::key_text(r)},
                     {"passed", pass.packets},
                     {"over", over.packets}});
  }
  size_t buckets = 0;
  if (bpf::Fd m = c.state_map(SN_RL_MAP_BUCKETS)) buckets = c.k.keys(m, SN_RL_MAP_BUCKETS).size();
  return {{"mode", pir::to_string(rl.mode)},
          {"rules", rules},
          {"buckets", buckets},
          {"bucket_capacity", SN_RL_MAX_BUCKETS},
          {"contended", c.counter(dplan::counter_key("ratelimit", "contended")).packets}};
}

json event(std::span<const uint8_t> rec, const pir::Policy& live) {
  if (rec.size() < sizeof(sn_rl_event)) return nullptr;
  sn_rl_event e;
  std::memcpy(&e, rec.data(), sizeof e);
  const auto* rl = live.get<pir::RateLimit>();
  std::string id = rl && e.hdr.rule < rl->rules.size() ? rl->rules[e.hdr.rule].id : "";
  return {{"kind", "over"},
          {"rule", id},
          {"action", e.hdr.action == SN_RL_LOG ? "log" : "drop"},
          {"verdict", e.hdr.verdict ? "drop" : "pass"},
          {"ts_ns", e.hdr.ts_ns},
          {"packet", summary_json(&e.pkt)}};
}

std::vector<std::pair<std::string, std::string>> counters(const pir::Policy& p) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : p.get<pir::RateLimit>()->rules) {
    out.emplace_back("ratelimit", r.id);
    out.emplace_back("ratelimit", r.id + "#pass");
  }
  out.emplace_back("ratelimit", "contended");
  return out;
}

}  // namespace

const DomainView ratelimit_view = {&status, {{SN_RL_MAP_EVENTS, SN_RL_MAP_RINGSTAT}}, &event, &counters};

}  // namespace sentinel::enforcer::core
