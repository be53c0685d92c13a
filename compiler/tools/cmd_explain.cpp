// sentinelc explain POLICY --packet '...': what each domain does with a
// packet, the deciding rule and why every earlier rule did not match, from
// the reference evaluator. Packets from a file run in sequence through one
// evaluator, so stateful domains (connection tracking, rate limits) see
// what came before: `[@TIME] [in|out] PACKET` per line.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "compiler/eval/eval.h"
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

nlohmann::json explain_json(const eval::TimedPacket& tp, const eval::Verdict& v) {
  nlohmann::json out = {{"packet", eval::format(tp.pkt)},
                        {"direction", tp.egress ? "out" : "in"},
                        {"time_ns", tp.time_ns},
                        {"verdict", v.dropped ? "drop" : "pass"}};
  for (const auto& r : v.results) {
    nlohmann::json misses = nlohmann::json::array();
    for (const auto& m : r.misses) misses.push_back({{"rule", m.id}, {"reason", m.reason}});
    nlohmann::json d = {{"rule", r.rule_id}, {"action", r.action}, {"verdict", r.dropped ? "drop" : "pass"},
                        {"note", r.note}, {"not_matched", misses}};
    if (r.where.line) d["location"] = loc_str(r.where);
    out[std::string(domain_name(r.domain))] = d;
  }
  return out;
}

void explain_text(std::ostream& os, const eval::TimedPacket& tp, const eval::Verdict& v) {
  os << "packet: " << (tp.egress ? "out " : "") << eval::format(tp.pkt);
  if (tp.time_ns) os << " at " << tp.time_ns / 1e9 << "s";
  os << '\n';
  for (const auto& r : v.results) {
    os << domain_name(r.domain) << ": ";
    if (!r.rule_id.empty()) {
      os << (r.dropped ? "drop" : "pass") << " by ";
      if (r.rule >= 0)
        os << "rule `" << r.rule_id << "` (" << r.action << ") at " << loc_str(r.where);
      else
        os << r.rule_id << " (" << r.action << ")";
      if (!r.note.empty()) os << " [" << r.note << "]";
    } else {
      os << r.note;
    }
    os << '\n';
    for (const auto& m : r.misses)
      os << "  rule `" << m.id << "` did not match: " << m.reason << '\n';
  }
  if (v.results.empty()) os << "no domain looks at this packet\n";
  os << "verdict: " << (v.dropped ? "drop" : "pass") << '\n';
}

}  // namespace

void add_explain_command(CLI::App& app, int& rc) {
  auto args = std::make_shared<ExplainArgs>();
  auto* cmd = app.add_subcommand("explain", "what each domain does with a packet, and why");
  cmd->add_option("paths", args->paths, "policy files or directories")->required();
  cmd->add_option("--packet,-p", args->packets, "a packet: '[@TIME] [in|out] tcp 10.0.0.1:1234 -> 10.0.0.2:22'");
  cmd->add_option("--packets-from", args->packet_file, "a file with one packet per line, run in sequence");
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
    eval::Evaluator ev(*fe->policy);
    nlohmann::json all = nlohmann::json::array();
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string err;
      auto tp = eval::parse_timed_packet(lines[i], &err);
      if (!tp) {
        std::cerr << "sentinelc: packet " << i + 1 << ": " << err << '\n';
        rc = 1;
        return;
      }
      auto v = tp->egress ? ev.egress(tp->pkt, tp->time_ns, true) : ev.ingress(tp->pkt, tp->time_ns, true);
      if (args->format == "json") {
        all.push_back(explain_json(*tp, v));
      } else {
        if (i) std::cout << '\n';
        explain_text(std::cout, *tp, v);
      }
    }
    if (args->format == "json") std::cout << (all.size() == 1 ? all[0] : all).dump(2) << '\n';
    rc = 0;
  });
}

}  // namespace sentinel::tools
