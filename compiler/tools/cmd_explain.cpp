// sentinelc explain POLICY --packet '...': the deciding rule per domain and
// why every earlier rule did not match, from the reference evaluator.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "compiler/eval/firewall.h"
#include "compiler/passes/pipeline.h"
#include "compiler/tools/commands.h"

namespace sentinel::tools {

namespace {

struct ExplainArgs {
  std::vector<std::string> paths;
  std::vector<std::string> packets;
  std::string packet_file;
  std::string format = "text";
};

std::string loc_str(const pir::Loc& l) {
  return l.file + ":" + std::to_string(l.line) + ":" + std::to_string(l.col);
}

nlohmann::json explain_json(const pir::Policy& pol, const eval::Packet& pkt,
                            const eval::FirewallVerdict& v) {
  nlohmann::json misses = nlohmann::json::array();
  for (const auto& m : v.misses)
    misses.push_back({{"rule", pol.firewall.rules[m.rule].id}, {"reason", m.reason}});
  nlohmann::json fw = {{"rule", v.rule_id(pol)},
                       {"action", pir::to_string(v.action)},
                       {"verdict", v.dropped ? "drop" : "pass"},
                       {"mode", pir::to_string(pol.firewall.mode)},
                       {"not_matched", misses}};
  if (v.rule >= 0) fw["location"] = loc_str(pol.firewall.rules[v.rule].loc);
  return {{"packet", eval::format(pkt)}, {"firewall", fw}};
}

void explain_text(std::ostream& os, const pir::Policy& pol, const eval::Packet& pkt,
                  const eval::FirewallVerdict& v) {
  os << "packet: " << eval::format(pkt) << '\n';
  os << "firewall: " << (v.dropped ? "drop" : "pass") << " by ";
  if (v.rule >= 0) {
    const auto& r = pol.firewall.rules[v.rule];
    os << "rule `" << r.id << "` (" << pir::to_string(r.action) << ") at " << loc_str(r.loc);
  } else {
    os << "the default (" << pir::to_string(pol.firewall.default_action) << ")";
  }
  if (pol.firewall.mode == pir::Mode::Audit && v.action == pir::Action::Deny)
    os << " [audit mode: would drop, passed and reported]";
  os << '\n';
  for (const auto& m : v.misses)
    os << "  rule `" << pol.firewall.rules[m.rule].id << "` did not match: " << m.reason << '\n';
}

}  // namespace

void add_explain_command(CLI::App& app, int& rc) {
  auto args = std::make_shared<ExplainArgs>();
  auto* cmd = app.add_subcommand("explain", "which rule decides a packet, and why earlier ones did not");
  cmd->add_option("paths", args->paths, "policy files or directories")->required();
  cmd->add_option("--packet,-p", args->packets, "a packet: 'tcp 10.0.0.1:1234 -> 10.0.0.2:22'");
  cmd->add_option("--packets-from", args->packet_file, "a file with one packet per line");
  cmd->add_option("--format", args->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([args, &rc] {
    auto fe = passes::run_frontend(args->paths);
    fe->diags.sort();
    if (!fe->policy) {
      std::cerr << fe->diags.render_text();
      rc = 3;
      return;
    }
    std::vector<std::string> lines = args->packets;
    if (!args->packet_file.empty()) {
      std::ifstream in(args->packet_file);
      if (!in) {
        std::cerr << "sentinelc: cannot read " << args->packet_file << '\n';
        rc = 1;
        return;
      }
      for (std::string l; std::getline(in, l);)
        if (!l.empty() && l[0] != '#') lines.push_back(l);
    }
    if (lines.empty()) {
      std::cerr << "sentinelc: explain needs --packet or --packets-from\n";
      rc = 1;
      return;
    }
    nlohmann::json all = nlohmann::json::array();
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string err;
      auto pkt = eval::parse_packet(lines[i], &err);
      if (!pkt) {
        std::cerr << "sentinelc: packet " << i + 1 << ": " << err << '\n';
        rc = 1;
        return;
      }
      auto v = eval::eval_firewall(*fe->policy, *pkt, true);
      if (args->format == "json") all.push_back(explain_json(*fe->policy, *pkt, v));
      else {
        if (i) std::cout << '\n';
        explain_text(std::cout, *fe->policy, *pkt, v);
      }
    }
    if (args->format == "json") std::cout << (all.size() == 1 ? all[0] : all).dump(2) << '\n';
    rc = 0;
  });
}

}  // namespace sentinel::tools
