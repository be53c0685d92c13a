// Runs a `.packets` file against its policy: every line's expected verdict and
// deciding rule must come out of the reference evaluator and, through
// BPF_PROG_TEST_RUN, out of the compiled XDP program (the rule read from the
// one per-rule counter that moved).
//
//   packet_runner POLICY_DIR FILE.packets
//   line:  PACKET => pass|drop RULE_ID      (RULE_ID "default" for the default)
#include <linux/bpf.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "tests/support/fw_eval.h"
#include "tests/support/firewall_fixture.h"
#include "tests/support/privilege.h"

using namespace sentinel;

namespace {

struct Case {
  int line;
  std::string text;
  eval::Packet pkt;
  bool drop;
  std::string rule;
};

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

bool read_cases(const std::string& path, std::vector<Case>& out) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << path << ": cannot read\n";
    return false;
  }
  int n = 0;
  bool ok = true;
  for (std::string line; std::getline(in, line);) {
    ++n;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    auto arrow = line.find("=>");
    if (arrow == std::string::npos) {
      std::cerr << path << ':' << n << ": expected `PACKET => VERDICT RULE`\n";
      ok = false;
      continue;
    }
    Case c{n, trim(line.substr(0, arrow)), {}, false, {}};
    std::istringstream rhs(line.substr(arrow + 2));
    std::string verdict;
    rhs >> verdict >> c.rule;
    if ((verdict != "pass" && verdict != "drop") || c.rule.empty()) {
      std::cerr << path << ':' << n << ": expected `pass RULE` or `drop RULE` after =>\n";
      ok = false;
      continue;
    }
    c.drop = verdict == "drop";
    std::string err;
    auto p = eval::parse_packet(c.text, &err);
    if (!p) {
      std::cerr << path << ':' << n << ": " << err << '\n';
      ok = false;
      continue;
    }
    c.pkt = *p;
    out.push_back(std::move(c));
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: packet_runner POLICY_DIR FILE.packets\n";
    return 2;
  }
  std::vector<Case> cases;
  if (!read_cases(argv[2], cases)) return 1;
  auto fx = testing::FirewallFixture::compile(argv[1]);
  if (!fx) return 1;
  int failures = 0;
  const std::string file = argv[2];

  for (const auto& c : cases) {
    auto v = testing::fw_eval(fx->policy, c.pkt);
    if (v.dropped != c.drop || testing::rule_id(fx->policy, v) != c.rule) {
      std::cerr << file << ':' << c.line << ": reference evaluator: " << (v.dropped ? "drop " : "pass ")
                << testing::rule_id(fx->policy, v) << ", expected " << (c.drop ? "drop " : "pass ") << c.rule
                << "\n    " << c.text << '\n';
      ++failures;
    }
  }
  std::cout << cases.size() - failures << " of " << cases.size() << " packets as expected by the reference evaluator\n";

  if (!testing::privileged()) return failures ? 1 : testing::skip_or_fail("kernel half needs root");
  fx->load_kernel();
  auto& k = *fx->kernel;
  int kfail = 0;
  for (const auto& c : cases) {
    auto before = k.counters();
    auto frame = eval::build_frame(c.pkt);
    uint32_t action = k.run(frame);
    auto after = k.counters();
    std::vector<std::string> moved;
    for (const auto& [id, cnt] : after) {
      uint64_t was = before.count(id) ? before[id].packets : 0;
      if (cnt.packets != was) moved.push_back(id + "+" + std::to_string(cnt.packets - was));
    }
    bool drop = action == XDP_DROP;
    bool rule_ok = moved.size() == 1 && moved[0] == c.rule + "+1";
    if (drop != c.drop || !rule_ok || (action != XDP_DROP && action != XDP_PASS)) {
      std::cerr << file << ':' << c.line << ": kernel: action " << action << (drop ? " (drop)" : " (pass)")
                << ", counters moved:";
      for (const auto& m : moved) std::cerr << ' ' << m;
      std::cerr << "; expected " << (c.drop ? "drop " : "pass ") << c.rule << "\n    " << c.text << '\n';
      ++kfail;
    }
  }
  std::cout << cases.size() - kfail << " of " << cases.size()
            << " packets as expected through BPF_PROG_TEST_RUN\n";
  failures += kfail;
  std::cout << (failures ? "FAILED" : "ok") << '\n';
  return failures ? 1 : 0;
}
