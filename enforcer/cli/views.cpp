#include "enforcer/cli/views.h"

#include <arpa/inet.h>

#include <cstdio>

namespace sentinel::enforcer::cli {
namespace {

nlohmann::json counter(const core::Counter& c) {
  return {{"id", c.id}, {"action", c.action}, {"packets", c.packets}, {"bytes", c.bytes},
          {"live", true}};
}

std::string addr(uint8_t family, const uint32_t* a) {
  char buf[INET6_ADDRSTRLEN] = "";
  inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, buf, sizeof buf);
  return buf;
}

}  // namespace

nlohmann::json status_json(const core::Status& s, const std::string& ifname) {
  nlohmann::json j;
  j["iface"] = ifname;
  j["attached"] = s.attached;
  j["generation"] = s.generation ? nlohmann::json(s.generation) : nlohmann::json();
  j["previous_generation"] = s.previous ? nlohmann::json(*s.previous) : nlohmann::json();
  j["bundle_sha256"] = s.bundle_sha256;
  j["applied_unix"] = s.applied_unix;
  j["attach_mode"] = bpf::to_string(s.mode);
  j["prog_id"] = s.prog_id;
  nlohmann::json rules = nlohmann::json::array();
  // Live rules in rule order, then rules only the previous generation has.
  for (const auto& r : s.rules) rules.push_back(counter(r));
  for (const auto& r : s.retired) {
    auto c = counter(r);
    c["live"] = false;
    rules.push_back(c);
  }
  j["firewall"] = {{"default", s.default_action},
                   {"mode", s.policy_mode},
                   {"rules", rules},
                   {"default_rule", counter(s.default_rule)},
                   {"malformed", counter(s.malformed)},
                   {"events", {{"emitted", s.events_emitted}, {"skipped", s.events_skipped}}}};
  return j;
}

std::string status_table(const core::Status& s, const std::string& ifname) {
  std::string out;
  char line[512];
  if (!s.attached) return "iface " + ifname + ": nothing applied\n";
  if (!s.generation) {
    std::snprintf(line, sizeof line,
                  "iface %s: attached, but the link runs program id %u, which is no generation of ours\n",
                  ifname.c_str(), s.prog_id);
    return line;
  }
  std::snprintf(line, sizeof line, "iface %s  generation %llu  attach %s  prog id %u\n",
                ifname.c_str(), static_cast<unsigned long long>(s.generation),
                bpf::to_string(s.mode), s.prog_id);
  out += line;
  out += "bundle sha256 " + s.bundle_sha256 + "\n";
  out += "previous generation " + (s.previous ? std::to_string(*s.previous) : std::string("none")) +
         "\n";
  out += "firewall  default " + s.default_action + "  mode " + s.policy_mode + "\n\n";
  std::snprintf(line, sizeof line, "  %-24s %-7s %14s %16s\n", "RULE", "ACTION", "PACKETS", "BYTES");
  out += line;
  auto row = [&](const core::Counter& c) {
    std::snprintf(line, sizeof line, "  %-24s %-7s %14llu %16llu\n", c.id.c_str(), c.action.c_str(),
                  static_cast<unsigned long long>(c.packets),
                  static_cast<unsigned long long>(c.bytes));
    out += line;
  };
  for (const auto& r : s.rules) row(r);
  row(s.default_rule);
  row(s.malformed);
  if (!s.retired.empty()) {
    out += "\n  only in the previous generation:\n";
    for (const auto& r : s.retired) row(r);
  }
  std::snprintf(line, sizeof line, "\nevents emitted %llu  skipped (ring over 75%%) %llu\n",
                static_cast<unsigned long long>(s.events_emitted),
                static_cast<unsigned long long>(s.events_skipped));
  out += line;
  return out;
}

nlohmann::json event_json(const sn_fw_event& e, const std::string& rule_id) {
  static const char* actions[] = {"allow", "deny", "log"};
  static const char* verdicts[] = {"aborted", "drop", "pass", "tx", "redirect"};
  nlohmann::json j;
  j["domain"] = "firewall";
  j["rule"] = rule_id.empty() ? nlohmann::json(e.rule) : nlohmann::json(rule_id);
  j["rule_index"] = e.rule;
  j["action"] = e.action < 3 ? actions[e.action] : "?";
  j["verdict"] = e.verdict < 5 ? verdicts[e.verdict] : "?";
  j["family"] = e.family;
  j["proto"] = e.proto;
  j["src"] = addr(e.family, e.src);
  j["dst"] = addr(e.family, e.dst);
  j["sport"] = e.sport;
  j["dport"] = e.dport;
  j["len"] = e.pkt_len;
  return j;
}

}  // namespace sentinel::enforcer::cli
