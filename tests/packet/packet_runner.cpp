// Runs a `.packets` file (format: tests/packet/README.md) against its policy:
// the lines are one sequence in time, through one reference evaluator and,
// when privileged, through one generation loaded into the kernel
// (BPF_PROG_TEST_RUN at XDP and TC ingress for `in`, TC egress for `out`,
// with the line's time as the packet's clock). Every expectation a line
// states must come out of the evaluator, and the kernel must agree with the
// evaluator on every packet: verdict, counters moved, flow-table entry.
//
//   packet_runner POLICY_DIR FILE.packets
#include <charconv>
#include <fstream>
#include <iostream>
#include <sstream>

#include "compiler/eval/domains/conntrack.h"
#include "compiler/pir/domains/firewall.h"
#include "tests/support/chain_check.h"
#include "tests/support/privilege.h"

using namespace sentinel;

namespace {

struct Expect {
  bool drop = false;
  std::optional<std::string> firewall;  // the firewall's deciding rule
  std::optional<std::string> ratelimit;  // the rate-limit rule that charged the packet
  bool over = false;                     // ... over its limit
  std::optional<pir::CtState> ct;
  std::optional<std::string> flow;
  std::optional<std::string> answer;  // `answer tcp-rst|icmp-unreachable|icmpv6-unreachable|none`
};

struct Line {
  int number = 0;
  std::string text;
  eval::TimedPacket tp;
  unsigned repeat = 1;
  uint64_t spacing_ns = 0;
  Expect expect;
};

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// "250ms", "2s", "1.5" (seconds): what parse_timed_packet takes after `@`.
std::optional<uint64_t> duration(const std::string& d) {
  auto tp = eval::parse_timed_packet("@" + d + " udp 0.0.0.0:0 -> 0.0.0.0:0", nullptr);
  if (!tp) return std::nullopt;
  return tp->time_ns;
}

std::optional<pir::CtState> ct_state(const std::string& s) {
  for (auto st : {pir::CtState::Untracked, pir::CtState::New, pir::CtState::Established, pir::CtState::Related,
                  pir::CtState::Invalid})
    if (s == pir::to_string(st)) return st;
  return std::nullopt;
}

bool known_flow(const std::string& s) {
  for (const char* f : {"none", "open", "replied"})
    if (s == f) return true;
  for (uint8_t st = eval::conntrack::kSynSent; st <= eval::conntrack::kClose; ++st)
    if (s == eval::conntrack::tcp_state_name(st)) return true;
  return false;
}

// `pass|drop [RULE] [firewall/RULE] [ratelimit/RULE [over]] [ct STATE] [flow STATE] [answer ANSWER]`
bool parse_expect(const std::string& text, Expect& e, std::string* err) {
  auto w = words(text);
  if (w.empty() || (w[0] != "pass" && w[0] != "drop")) {
    *err = "expected `pass` or `drop` after =>";
    return false;
  }
  e.drop = w[0] == "drop";
  for (size_t i = 1; i < w.size(); ++i) {
    const std::string& t = w[i];
    auto value = [&](const char* what) -> const std::string* {
      if (i + 1 >= w.size()) {
        *err = std::string("expected ") + what + " after `" + t + "`";
        return nullptr;
      }
      return &w[++i];
    };
    if (t == "ct") {
      const std::string* v = value("a connection state");
      if (!v) return false;
      e.ct = ct_state(*v);
      if (!e.ct) {
        *err = "unknown connection state `" + *v + "` (new, established, related, invalid, untracked)";
        return false;
      }
    } else if (t == "flow") {
      const std::string* v = value("a flow state");
      if (!v) return false;
      if (!known_flow(*v)) {
        *err = "unknown flow state `" + *v + "` (none, open, replied, or a TCP state: syn-sent, ..., close)";
        return false;
      }
      e.flow = *v;
    } else if (t == "answer") {
      const std::string* v = value("an answer");
      if (!v) return false;
      if (*v != "none" && *v != "tcp-rst" && *v != "icmp-unreachable" && *v != "icmpv6-unreachable") {
        *err = "unknown answer `" + *v + "` (none, tcp-rst, icmp-unreachable, icmpv6-unreachable)";
        return false;
      }
      e.answer = *v == "none" ? "" : *v;
    } else if (t.rfind("ratelimit/", 0) == 0) {
      e.ratelimit = t.substr(10);
      if (i + 1 < w.size() && w[i + 1] == "over") e.over = true, ++i;
    } else if (t.rfind("firewall/", 0) == 0) {
      e.firewall = t.substr(9);
    } else if (t.find('/') == std::string::npos && !e.firewall && i == 1) {
      e.firewall = t;
    } else {
      *err = "unexpected `" + t + "` (RULE, ratelimit/RULE [over], ct STATE, flow STATE)";
      return false;
    }
  }
  return true;
}

// `[@TIME|@+DURATION] [in|out] PACKET [xN[/DURATION]] => EXPECT`
bool read_lines(const std::string& path, std::vector<Line>& out) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << path << ": cannot read\n";
    return false;
  }
  int n = 0;
  bool ok = true;
  uint64_t now = 0;
  for (std::string raw; std::getline(in, raw);) {
    ++n;
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    auto fail = [&](const std::string& why) {
      std::cerr << path << ':' << n << ": " << why << '\n';
      ok = false;
    };
    auto arrow = line.find("=>");
    if (arrow == std::string::npos) {
      fail("expected `PACKET => EXPECTATION`");
      continue;
    }
    Line l;
    l.number = n;
    l.text = trim(line.substr(0, arrow));
    std::string err;
    if (!parse_expect(line.substr(arrow + 2), l.expect, &err)) {
      fail(err);
      continue;
    }
    std::string pkt = l.text;
    // A repeat count after the packet: `x5`, `x10/100ms`.
    if (auto sp = pkt.find_last_of(" \t"); sp != std::string::npos && pkt[sp + 1] == 'x' && sp + 2 < pkt.size() &&
                                           std::isdigit(static_cast<unsigned char>(pkt[sp + 2]))) {
      std::string rep = pkt.substr(sp + 2);
      pkt = trim(pkt.substr(0, sp));
      auto slash = rep.find('/');
      std::string count = rep.substr(0, slash);
      auto [p, ec] = std::from_chars(count.data(), count.data() + count.size(), l.repeat);
      if (ec != std::errc() || p != count.data() + count.size() || l.repeat == 0 || l.repeat > 100000) {
        fail("invalid repeat `x" + rep + "`");
        continue;
      }
      if (slash != std::string::npos) {
        auto d = duration(rep.substr(slash + 1));
        if (!d) {
          fail("invalid spacing in `x" + rep + "`");
          continue;
        }
        l.spacing_ns = *d;
      }
    }
    // No time: the previous line's. `@+D`: D after the previous line's.
    bool relative = pkt.rfind("@+", 0) == 0;
    bool timed = !pkt.empty() && pkt[0] == '@';
    if (relative) pkt.erase(1, 1);
    auto tp = eval::parse_timed_packet(pkt, &err);
    if (!tp) {
      fail(err);
      continue;
    }
    if (relative)
      tp->time_ns += now;
    else if (!timed)
      tp->time_ns = now;
    if (tp->time_ns < now) {
      fail("time goes backwards: the previous packet was at " + std::to_string(now) + " ns");
      continue;
    }
    if (tp->egress && (l.expect.firewall || l.expect.ratelimit || l.expect.ct)) {
      fail("a packet going out meets no firewall or rate limiter and has no state of its own: only `pass` or `drop` "
           "and `flow`");
      continue;
    }
    l.tp = *tp;
    now = tp->time_ns + l.spacing_ns * (l.repeat - 1);
    out.push_back(std::move(l));
  }
  return ok;
}

std::string flow_state(eval::Evaluator& ev, const eval::Packet& pkt, uint64_t now) {
  auto* table = static_cast<eval::conntrack::Table*>(ev.state(DomainId::conntrack));
  auto k = eval::conntrack::key_of(pkt);
  if (!table || !k) return "none";
  auto it = table->flows.find(k->key);
  if (it == table->flows.end() || it->second.expires_ns <= now) return "none";
  const auto& e = it->second;
  if (pkt.proto == 6) return eval::conntrack::tcp_state_name(e.tcp_state);
  return e.flags & eval::conntrack::kSeenReply ? "replied" : "open";
}

// What the evaluator said, in the file's terms; empty when it is what the line expects.
std::vector<std::string> check(const Line& l, const eval::Verdict& v, eval::Evaluator& ev, bool has_fw) {
  std::vector<std::string> out;
  const Expect& e = l.expect;
  if (v.dropped != e.drop) out.push_back(std::string("verdict ") + (v.dropped ? "drop" : "pass"));
  const eval::DomainResult* fw = v.of(DomainId::firewall);
  if (!l.tp.egress && has_fw) {
    std::string got = fw ? fw->rule_id : "(not reached)";
    if (!e.firewall)
      out.push_back("firewall rule " + got + " (name the firewall's rule after the verdict)");
    else if (*e.firewall != got)
      out.push_back("firewall rule " + got);
  } else if (e.firewall) {
    out.push_back("no firewall rule");
  }
  const eval::DomainResult* rl = v.of(DomainId::ratelimit);
  std::optional<std::string> rl_rule;
  bool over = false;
  if (rl && rl->rule >= 0) rl_rule = rl->rule_id, over = rl->action != "pass";
  if (rl_rule != e.ratelimit || (rl_rule && over != e.over))
    out.push_back(rl_rule ? "ratelimit/" + *rl_rule + (over ? " over" : " within") : "no rate-limit rule");
  if (e.ct && v.ct != *e.ct) out.push_back(std::string("ct ") + pir::to_string(v.ct));
  if (e.answer && v.answer != *e.answer) out.push_back("answer " + (v.answer.empty() ? std::string("none") : v.answer));
  if (e.flow) {
    uint64_t last = l.tp.time_ns;
    std::string got = flow_state(ev, l.tp.pkt, last);
    if (got != *e.flow) out.push_back("flow " + got);
  }
  return out;
}

std::string expected_text(const Expect& e) {
  std::string s = e.drop ? "drop" : "pass";
  if (e.firewall) s += " " + *e.firewall;
  if (e.ratelimit) s += " ratelimit/" + *e.ratelimit + (e.over ? " over" : "");
  if (e.ct) s += std::string(" ct ") + pir::to_string(*e.ct);
  if (e.flow) s += " flow " + *e.flow;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: packet_runner POLICY_DIR FILE.packets\n";
    return 2;
  }
  const std::string file = argv[2];
  std::vector<Line> lines;
  if (!read_lines(file, lines)) return 1;
  auto fx = testing::PolicyFixture::compile(argv[1]);
  if (!fx) return 1;
  bool kernel = testing::privileged();
  if (kernel) fx->load_kernel();
  testing::ChainCheck chain(*fx);
  bool has_fw = fx->policy.get<pir::Firewall>() != nullptr;

  size_t packets = 0, ev_fail = 0, k_fail = 0;
  for (const auto& l : lines) {
    for (unsigned i = 0; i < l.repeat; ++i) {
      eval::TimedPacket tp = l.tp;
      tp.time_ns += i * l.spacing_ns;
      ++packets;
      auto step = chain.run(tp);
      std::string where = file + ":" + std::to_string(l.number) + (l.repeat > 1 ? " (packet " + std::to_string(i + 1) +
                                                                                     " of " + std::to_string(l.repeat) + ")"
                                                                               : "");
      Line one = l;
      one.tp = tp;
      auto wrong = check(one, step.verdict, chain.evaluator(), has_fw);
      if (!wrong.empty()) {
        ++ev_fail;
        std::cerr << where << ": reference evaluator:";
        for (const auto& w : wrong) std::cerr << ' ' << w << ';';
        std::cerr << " expected " << expected_text(l.expect) << "\n    " << testing::format_timed(tp) << '\n';
      }
      if (!step.differences.empty()) {
        ++k_fail;
        std::cerr << where << ": kernel differs from the evaluator:\n";
        for (const auto& d : step.differences) std::cerr << "    " << d << '\n';
        std::cerr << "    " << testing::format_timed(tp) << '\n';
      }
    }
  }
  std::cout << packets - ev_fail << " of " << packets << " packets as expected by the reference evaluator\n";
  if (!kernel) return ev_fail ? 1 : testing::skip_or_fail("the kernel half needs root");
  std::cout << packets - k_fail << " of " << packets << " packets alike through BPF_PROG_TEST_RUN\n";
  bool failed = ev_fail || k_fail;
  std::cout << (failed ? "FAILED" : "ok") << '\n';
  return failed ? 1 : 0;
}
