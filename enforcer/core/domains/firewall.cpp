// The firewall in status and events: every rule's counters in rule order,
// the default and the pseudo-rules, rules only the previous generation has,
// and log and audit events.
#include <cstring>
#include <set>

#include "compiler/dplan/classifier.h"
#include "compiler/eval/domains/firewall.h"
#include "compiler/pir/domains/firewall.h"
#include "enforcer/core/domain_view.h"

extern "C" {
#include "sentinel/abi/firewall.h"
}

namespace sentinel::enforcer::core {

namespace {

using nlohmann::json;

json counted(const ViewContext& c, const std::string& id, const char* action) {
  Counter n = c.counter(dplan::counter_key("firewall", id));
  json j = {{"id", id}, {"packets", n.packets}, {"bytes", n.bytes}};
  if (action) j["action"] = action;
  return j;
}

json status(const ViewContext& c) {
  const auto& fw = *c.live.get<pir::Firewall>();
  json rules = json::array();
  std::set<std::string> ids;
  for (const auto& r : fw.rules) {
    rules.push_back(counted(c, r.id, pir::to_string(r.action)));
    ids.insert(r.id);
  }
  json retired = json::array();
  if (c.previous)
    if (const auto* pf = c.previous->get<pir::Firewall>())
      for (const auto& r : pf->rules)
        if (!ids.count(r.id)) retired.push_back(counted(c, r.id, pir::to_string(r.action)));
  json j = {{"default", pir::to_string(fw.default_action)},
            {"mode", pir::to_string(fw.mode)},
            {"rules", rules},
            {"default_rule", counted(c, eval::firewall::kDefaultId, pir::to_string(fw.default_action))},
            {"malformed", counted(c, eval::firewall::kMalformedId, nullptr)},
            {"retired", retired}};
  if (c.live.get<pir::Conntrack>()) j["established"] = counted(c, eval::firewall::kEstablishedId, "allow");
  if (!fw.management.empty()) j["management"] = counted(c, eval::firewall::kManagementId, "allow");
  return j;
}

json event(std::span<const uint8_t> rec, const pir::Policy& live) {
  if (rec.size() < sizeof(sn_fw_event)) return nullptr;
  sn_fw_event e;
  std::memcpy(&e, rec.data(), sizeof e);
  const auto* fw = live.get<pir::Firewall>();
  // Kernel rule indices: the anti-lockout guard's matches, the rules, the default.
  size_t guard = fw ? fw->management.size() : 0;
  std::string id = !fw                                  ? ""
                   : e.hdr.rule < guard                 ? eval::firewall::kManagementId
                   : e.hdr.rule < guard + fw->rules.size() ? fw->rules[e.hdr.rule - guard].id
                   : e.hdr.rule == guard + fw->rules.size() ? eval::firewall::kDefaultId
                                                          : "";
  static const char* actions[] = {"allow", "deny", "log", "reject"};
  return {{"kind", e.hdr.kind == SN_FW_EVENT_AUDIT ? "audit" : "log"},
          {"rule", id},
          {"action", e.hdr.action < 4 ? actions[e.hdr.action] : "?"},
          {"verdict", e.hdr.verdict ? "drop" : "pass"},
          {"ts_ns", e.hdr.ts_ns},
          {"packet", summary_json(&e.pkt)}};
}

std::vector<std::pair<std::string, std::string>> counters(const pir::Policy& p) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : p.get<pir::Firewall>()->rules) out.emplace_back("firewall", r.id);
  for (const char* id : {eval::firewall::kDefaultId, eval::firewall::kMalformedId, eval::firewall::kEstablishedId})
    out.emplace_back("firewall", id);
  if (!p.get<pir::Firewall>()->management.empty()) out.emplace_back("firewall", eval::firewall::kManagementId);
  return out;
}

}  // namespace

const DomainView firewall_view = {&status, {{SN_FW_MAP_EVENTS, SN_FW_MAP_RINGSTAT}}, &event, &counters};

}  // namespace sentinel::enforcer::core
