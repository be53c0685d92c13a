// Per-packet cost of a generation's XDP entry through BPF_PROG_TEST_RUN,
// beside an empty XDP program (the floor) and a bpfilter-style linear peer,
// on two kinds of rules:
//
//   generated   bench/gen_rules.py at growing rule counts: the growth target
//   ClassBench  real filter sets (../shared/data/classbench) converted by
//               bench/classbench.py; there also the whole XDP chain, the
//               firewall tail-calling the rate limiter of
//               bench/policies/ratelimit.sen, beside the firewall alone
//
// Before timing, every program's verdict on every probe is checked against
// the reference evaluator, so only correct programs are measured.
//
//   fw_bench [--sizes 10,1000,10000,100000|none]
//            [--classbench fw1_1k,acl1_1k,...|none] [--data DIR] [--random N]
//            [--trace N] [--trace-repeat R] [--exact N]
//            [--runs 5] [--target-ms 60] [--max-repeat N]
//
// --exact N: on each ClassBench set, N trace packets (drawn alike, another
// seed) through the reference evaluator and the firewall one by one: every
// verdict must agree, and every rule's counter must have grown by exactly
// the packets the evaluator gave it.
//
// --trace N: on each ClassBench set, N packets drawn as ClassBench's trace
// generator draws them (classbench.py --trace), each checked against the
// evaluator and then timed alone (R runs of it in one BPF_PROG_TEST_RUN):
// median, p90 and p99 over the packets, the firewall beside the linear peer
// (default 1,000; 0 skips it).
//
// Prints Markdown. Needs root.
#include <linux/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <arpa/inet.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/src/bpf_peer.h"
#include "compiler/backend/build.h"
#include "compiler/eval/domains/firewall.h"
#include "compiler/eval/eval.h"
#include "compiler/eval/packet.h"
#include "compiler/passes/domains/firewall.h"
#include "compiler/passes/pipeline.h"
#include "compiler/pir/domains/firewall.h"
#include "enforcer/core/bundle.h"
#include "enforcer/core/error.h"
#include "enforcer/core/test_harness.h"

extern "C" {
#include "bench/peers/linear.h"
}

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace sentinel::bench {
namespace {

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

struct Options {
  std::vector<std::string> sizes{"10", "1000", "10000", "100000"};
  std::vector<std::string> classbench{"fw1_1k",   "acl1_1k",   "ipc1_1k",   "fw1_10k",  "acl1_10k",
                                      "ipc1_10k", "fw1_100k", "acl1_100k", "ipc1_100k"};
  std::string data = SN_BENCH_DATA;
  unsigned random = 16;
  unsigned trace = 1000;
  unsigned exact = 0;
  uint32_t trace_repeat = 100;
  unsigned runs = 5;
  double target_ms = 60;  // wall time of one timed BPF_PROG_TEST_RUN call
  uint32_t max_repeat = 1000000;
  std::string work;
};

struct Probe {
  std::string name, text, expect, expect_rule;  // expect: the generator's action
  eval::Packet pkt;
  std::vector<uint8_t> frame;
};

// Median of `runs` calls of `run(repeat)`, after picking `repeat` so that one
// call takes about target_ms (at least 16, at most max_repeat).
struct Timing {
  double ns = 0;
  uint32_t repeat = 0;
};
Timing measure(const std::function<double(uint32_t)>& run, const Options& o) {
  double est = std::max(1.0, run(16));
  est = std::max(1.0, run(std::clamp<uint32_t>(uint32_t(2e6 / est), 16, o.max_repeat)));
  uint32_t repeat = std::clamp<uint32_t>(uint32_t(o.target_ms * 1e6 / est), 16, o.max_repeat);
  std::vector<double> v;
  for (unsigned i = 0; i < o.runs; ++i) v.push_back(run(repeat));
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], repeat};
}

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + p.string());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void run_script(const std::string& script, const std::string& args) {
  std::string cmd = std::string(SN_BENCH_PYTHON) + " " + script + " " + args + " >/dev/null";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
}

std::vector<Probe> read_probes(const fs::path& file) {
  std::vector<Probe> out;
  std::istringstream in(read_file(file));
  std::string line;
  while (std::getline(in, line)) {
    Probe p;
    std::istringstream ls(line);
    std::getline(ls, p.name, '\t');
    std::getline(ls, p.text, '\t');
    std::getline(ls, p.expect, '\t');
    std::getline(ls, p.expect_rule, '\t');
    std::string err;
    auto pkt = eval::parse_packet(p.text, &err);
    if (!pkt) throw std::runtime_error("probe '" + p.text + "': " + err);
    p.pkt = *pkt;
    p.frame = eval::build_frame(p.pkt);
    out.push_back(std::move(p));
  }
  return out;
}

// "10.0.0.0/24" -> address words and mask words, network order.
void parse_prefix(const std::string& s, int family, uint32_t* addr, uint32_t* mask) {
  auto slash = s.find('/');
  std::string a = s.substr(0, slash);
  int len = std::stoi(s.substr(slash + 1));
  uint8_t bytes[16] = {};
  if (inet_pton(family == 4 ? AF_INET : AF_INET6, a.c_str(), bytes) != 1)
    throw std::runtime_error("bad address " + s);
  uint8_t mbytes[16] = {};
  for (int i = 0; i < 16; ++i) {
    int bits = std::clamp(len - 8 * i, 0, 8);
    mbytes[i] = bits ? uint8_t(0xff << (8 - bits)) : 0;
  }
  std::memcpy(addr, bytes, 16);
  std::memcpy(mask, mbytes, 16);
  for (int i = 0; i < 4; ++i) addr[i] &= mask[i];
}

std::vector<bench_linear_rule> read_linear(const fs::path& file) {
  std::vector<bench_linear_rule> out;
  std::istringstream in(read_file(file));
  int family, proto, slo, shi, dlo, dhi;
  std::string src, dst, action;
  while (in >> family >> proto >> src >> dst >> slo >> shi >> dlo >> dhi >> action) {
    bench_linear_rule r{};
    r.family = uint8_t(family);
    r.proto = uint8_t(proto);
    r.sport_lo = uint16_t(slo), r.sport_hi = uint16_t(shi);
    r.dport_lo = uint16_t(dlo), r.dport_hi = uint16_t(dhi);
    r.needs_ports = !(slo == 0 && shi == 65535 && dlo == 0 && dhi == 65535);
    r.action = action == "deny" ? BENCH_LINEAR_DENY : BENCH_LINEAR_ALLOW;
    parse_prefix(src, family, r.src, r.src_mask);
    parse_prefix(dst, family, r.dst, r.dst_mask);
    out.push_back(r);
  }
  return out;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string human_bytes(uint64_t b) {
  if (b >= (1u << 20)) return fmt("%.1f MiB", b / 1048576.0);
  if (b >= 1024) return fmt("%.1f KiB", b / 1024.0);
  return std::to_string(b) + " B";
}

// A table cell: one line, no pipes.
std::string cell(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '|') c = ' ';
  if (s.size() > 160) s = s.substr(0, 157) + "...";
  return s;
}

// Memory of maps, the big ones named.
struct Memory {
  uint64_t memlock = 0, nominal = 0;
  std::string detail;
};
Memory sum_memory(std::vector<MapMemory> maps) {
  Memory m;
  std::sort(maps.begin(), maps.end(), [](auto& a, auto& b) { return a.memlock > b.memlock; });
  for (const auto& mm : maps) {
    m.memlock += mm.memlock;
    m.nominal += mm.nominal;
    if (mm.memlock >= 64 * 1024) {
      if (!m.detail.empty()) m.detail += ", ";
      m.detail += mm.name + " " + human_bytes(mm.memlock);
    }
  }
  return m;
}

const char* xdp_name(uint32_t a) {
  switch (a) {
    case XDP_ABORTED: return "XDP_ABORTED";
    case XDP_DROP: return "XDP_DROP";
    case XDP_PASS: return "XDP_PASS";
    case XDP_TX: return "XDP_TX";
    case XDP_REDIRECT: return "XDP_REDIRECT";
  }
  return "?";
}

// A policy through the front end and the back end, loaded as a generation.
struct Compiled {
  std::unique_ptr<passes::Frontend> fe;
  backend::Artifacts art;
  std::optional<enforcer::core::GenerationHarness> h;
  double frontend_ms = 0, never_ms = 0, shadow_ms = 0, compile_ms = 0, load_ms = 0;
  size_t warnings = 0, trees = 0, records = 0, cls_bytes = 0;
  Memory mem;
  std::string error;  // where it stopped, when it did
  const pir::Policy& policy() const { return *fe->policy; }
};

Compiled compile_and_load(const std::vector<std::string>& paths) {
  Compiled c;
  // The front end as `sentinelc build` runs it, in timed parts: parse, check
  // and lower; then the firewall's rule analyses.
  auto t0 = Clock::now();
  passes::FrontendOptions fo;
  fo.analyses = false;
  c.fe = passes::run_frontend(paths, fo);
  c.frontend_ms = ms_since(t0);
  if (!c.fe->policy) {
    c.error = "front end: " + c.fe->diags.render_text();
    return c;
  }
  if (c.fe->policy->get<pir::Firewall>()) {
    t0 = Clock::now();
    passes::check_firewall_never_matching(*c.fe->policy, c.fe->sm, c.fe->diags);
    c.never_ms = ms_since(t0);
    t0 = Clock::now();
    passes::check_firewall_shadowed(*c.fe->policy, c.fe->sm, c.fe->diags);
    c.shadow_ms = ms_since(t0);
    c.warnings = c.fe->diags.warnings();
  }
  try {
    t0 = Clock::now();
    c.art = backend::compile_artifacts(*c.fe->policy);
    c.compile_ms = ms_since(t0);
  } catch (const std::exception& e) {
    c.error = std::string("compile: ") + e.what();
    return c;
  }
  const auto fw = c.art.plan.domains.value("firewall", nlohmann::json::object());
  c.trees = fw.value("trees", 0);
  c.records = fw.value("records", 0);
  c.cls_bytes = fw.value("classifier_bytes", 0);
  try {
    t0 = Clock::now();
    c.h.emplace(enforcer::core::GenerationHarness::load(
        enforcer::core::bundle_of(*c.fe->policy, c.art.objects)));
    c.load_ms = ms_since(t0);
  } catch (const enforcer::core::Error& e) {
    c.error = std::string("load: ") + e.what();
    if (!e.log().empty()) std::cerr << "fw_bench: verifier log tail:\n" << e.log().substr(e.log().size() > 2000 ? e.log().size() - 2000 : 0) << "\n";
    return c;
  }
  std::vector<MapMemory> maps;
  for (const auto& m : c.art.plan.maps) maps.push_back(map_memory(c.h->map(m.name).get()));
  c.mem = sum_memory(std::move(maps));
  return c;
}

struct ProbeResult {
  std::string name, text, fw_rule, fw_action, rl_rule;
  bool chain_dropped = false;
  std::optional<Timing> sentinel, chain;
  Timing linear, empty;
};

struct Result {
  std::string name;  // "1000" or "fw1_1k"
  bool classbench = false;
  size_t rules = 0;
  nlohmann::json summary;  // classbench.py's
  Compiled fw, chain;
  double linear_load_ms = 0;
  Memory linear_mem;
  std::vector<ProbeResult> probes;
  // --trace: ns per packet over the trace, and how many no rule matched.
  std::vector<double> trace_fw, trace_linear, trace_empty;
  size_t trace_misses = 0;
  // --exact: packets compared, verdict and counter differences, seconds.
  size_t exact_packets = 0, exact_verdicts = 0, exact_counters = 0, exact_rules_hit = 0;
  double exact_s = 0;
};

// Each packet of a trace file (one in the text form a line), parsed.
void for_each_packet(const fs::path& file, const std::function<void(const std::string&, const eval::Packet&)>& fn) {
  std::istringstream in(read_file(file));
  std::string line;
  while (std::getline(in, line)) {
    std::string err;
    auto pkt = eval::parse_packet(line, &err);
    if (!pkt) throw std::runtime_error(file.string() + ": packet '" + line + "': " + err);
    fn(line, *pkt);
  }
}

// The firewall's verdict and deciding rule for a packet, from the evaluator.
struct Expected {
  uint32_t xdp;
  std::string rule;
};
Expected expect(eval::Evaluator& ev, const eval::Packet& pkt, uint64_t t) {
  auto v = ev.ingress(pkt, t);
  const eval::DomainResult* d = v.of(DomainId::firewall);
  return {v.dropped ? XDP_DROP : XDP_PASS, d ? d->rule_id : eval::firewall::kDefaultId};
}

// The trace: every packet's verdict from the firewall and the linear peer
// against the evaluator's, then each packet timed alone.
bool run_trace(Result& r, const fs::path& file, const Options& o, BpfPeer& linear, BpfPeer& empty) {
  std::vector<std::vector<uint8_t>> frames;
  eval::Evaluator ev(r.fw.policy());
  const uint64_t t = 2'000'000'000;
  size_t bad = 0;
  for_each_packet(file, [&](const std::string& line, const eval::Packet& pkt) {
    auto frame = eval::build_frame(pkt);
    Expected want = expect(ev, pkt, t);
    if (want.rule == eval::firewall::kDefaultId) ++r.trace_misses;
    uint32_t got = r.fw.h->xdp(frame, t), lin = test_run(linear.prog_fd(), frame, 1).retval;
    if ((got != want.xdp || lin != want.xdp) && bad++ < 5)
      std::cerr << "fw_bench: " << r.name << ", trace packet " << line << ": sentinel " << xdp_name(got)
                << ", linear peer " << xdp_name(lin) << ", the reference evaluator " << xdp_name(want.xdp) << "\n";
    frames.push_back(std::move(frame));
  });
  if (bad) {
    std::cerr << "fw_bench: " << r.name << ": " << bad << " trace packets judged differently\n";
    return false;
  }
  for (const auto& f : frames) {
    r.trace_fw.push_back(r.fw.h->bench_xdp(f, o.trace_repeat));
    r.trace_linear.push_back(test_run(linear.prog_fd(), f, o.trace_repeat).ns);
    r.trace_empty.push_back(test_run(empty.prog_fd(), f, o.trace_repeat).ns);
  }
  return true;
}

// The exactness run: verdicts packet by packet, then every rule's counter.
bool run_exact(Result& r, const fs::path& file) {
  auto t0 = Clock::now();
  const auto& fw = *r.fw.policy().get<pir::Firewall>();
  std::map<std::string, uint64_t> before;
  for (const auto& rule : fw.rules) before[rule.id] = r.fw.h->counter("firewall", rule.id).packets;
  before[eval::firewall::kDefaultId] = r.fw.h->counter("firewall", eval::firewall::kDefaultId).packets;
  std::map<std::string, uint64_t> want;
  eval::Evaluator ev(r.fw.policy());
  const uint64_t t = 3'000'000'000;
  for_each_packet(file, [&](const std::string& line, const eval::Packet& pkt) {
    Expected e = expect(ev, pkt, t);
    ++want[e.rule];
    uint32_t got = r.fw.h->xdp(eval::build_frame(pkt), t);
    if (got != e.xdp && r.exact_verdicts++ < 5)
      std::cerr << "fw_bench: " << r.name << ", exact packet " << line << ": sentinel " << xdp_name(got)
                << ", the reference evaluator " << xdp_name(e.xdp) << " by " << e.rule << "\n";
    ++r.exact_packets;
  });
  for (const auto& [id, n0] : before) {
    uint64_t got = r.fw.h->counter("firewall", id).packets - n0;
    uint64_t expect = want.count(id) ? want[id] : 0;
    if (got != expect && r.exact_counters++ < 5)
      std::cerr << "fw_bench: " << r.name << ", rule " << id << ": counted " << got << ", the evaluator " << expect
                << "\n";
  }
  r.exact_rules_hit = want.size();
  r.exact_s = ms_since(t0) / 1000;
  return r.exact_verdicts == 0 && r.exact_counters == 0;
}

// One workload: a directory as gen_rules.py or classbench.py writes it.
bool run_workload(Result& r, const fs::path& dir, const Options& o, BpfPeer& empty) {
  const std::string peers = SN_BENCH_PEER_DIR;
  auto probes = read_probes(dir / "probes.txt");
  if (r.classbench) r.summary = nlohmann::json::parse(read_file(dir / "summary.json"));

  r.fw = compile_and_load({(dir / "policy").string()});
  if (!r.fw.fe->policy) {
    std::cerr << "fw_bench: the policy of " << r.name << " does not check:\n" << r.fw.error << "\n";
    return false;
  }
  r.rules = r.fw.policy().get<pir::Firewall>()->rules.size();
  if (!r.fw.error.empty()) std::cerr << "fw_bench: " << r.name << ": sentinel " << r.fw.error << "\n";
  r.chain = compile_and_load({(dir / "policy").string(), SN_BENCH_POLICIES "/ratelimit.sen"});
  if (!r.chain.error.empty()) std::cerr << "fw_bench: " << r.name << ": chain " << r.chain.error << "\n";

  // The linear peer on the same rules.
  auto lin_rules = read_linear(dir / "linear.rules");
  bench_linear_config cfg{uint32_t(lin_rules.size()), BENCH_LINEAR_ALLOW};
  if (r.classbench && r.summary.value("default", "allow") == "deny") cfg.default_action = BENCH_LINEAR_DENY;
  auto t0 = Clock::now();
  BpfPeer linear(peers + "/xdp_linear.bpf.o", "bench_xdp_linear",
                 std::span(reinterpret_cast<const uint8_t*>(&cfg), sizeof cfg),
                 {{"lin_rules", std::max<uint32_t>(1, lin_rules.size())},
                  {"lin_cnt", uint32_t(lin_rules.size() + 1)}});
  fill_linear(linear.map_fd("lin_rules"), lin_rules);
  r.linear_load_ms = ms_since(t0);
  r.linear_mem = sum_memory(prog_map_memory(linear.prog_id()));

  // Correctness first: the reference evaluator decides what each must say.
  // Probes run in file order at increasing test-clock times, through the
  // evaluator and the kernel alike, so the rate limiter's buckets agree.
  bool ok = true;
  eval::Evaluator ev_fw(r.fw.policy());
  std::optional<eval::Evaluator> ev_chain;
  if (r.chain.h) ev_chain.emplace(r.chain.policy());
  uint64_t t = 1'000'000'000;
  for (const auto& p : probes) {
    t += 1'000'000;
    ProbeResult pr;
    pr.name = p.name;
    pr.text = p.text;
    auto v = ev_fw.ingress(p.pkt, t);
    const eval::DomainResult* d = v.of(DomainId::firewall);
    pr.fw_rule = d ? d->rule_id : "";
    pr.fw_action = v.dropped ? "deny" : "allow";
    uint32_t want = v.dropped ? XDP_DROP : XDP_PASS;
    auto check = [&](const std::string& who, uint32_t got, uint32_t expected) {
      if (got != expected) {
        std::cerr << "fw_bench: " << r.name << ", probe " << p.name << " (" << p.text << "): " << who
                  << " says " << xdp_name(got) << ", the reference evaluator " << xdp_name(expected) << "\n";
        ok = false;
      }
    };
    if (pr.fw_action != p.expect || (!p.expect_rule.empty() && p.expect_rule != pr.fw_rule)) {
      std::cerr << "fw_bench: " << r.name << ", probe " << p.name << ": the generator expects " << p.expect
                << (p.expect_rule.empty() ? "" : " by " + p.expect_rule) << ", the reference evaluator says "
                << pr.fw_action << " by " << pr.fw_rule << "\n";
      ok = false;
    }
    if (r.fw.h) check("sentinel", r.fw.h->xdp(p.frame, t), want);
    check("linear peer", test_run(linear.prog_fd(), p.frame, 1).retval, want);
    check("the empty program", test_run(empty.prog_fd(), p.frame, 1).retval, XDP_PASS);
    if (r.chain.h) {
      auto vc = ev_chain->ingress(p.pkt, t);
      const eval::DomainResult* rl = vc.of(DomainId::ratelimit);
      pr.rl_rule = rl ? rl->rule_id : "";
      pr.chain_dropped = vc.dropped;
      check("sentinel chain", r.chain.h->xdp(p.frame, t), vc.dropped ? XDP_DROP : XDP_PASS);
    }
    r.probes.push_back(std::move(pr));
  }
  if (!ok) return false;

  for (size_t i = 0; i < probes.size(); ++i) {
    const auto& frame = probes[i].frame;
    auto& pr = r.probes[i];
    if (r.fw.h) pr.sentinel = measure([&](uint32_t rep) { return r.fw.h->bench_xdp(frame, rep); }, o);
    if (r.chain.h) pr.chain = measure([&](uint32_t rep) { return r.chain.h->bench_xdp(frame, rep); }, o);
    pr.linear = measure([&](uint32_t rep) { return test_run(linear.prog_fd(), frame, rep).ns; }, o);
    pr.empty = measure([&](uint32_t rep) { return test_run(empty.prog_fd(), frame, rep).ns; }, o);
  }
  if (o.trace && r.fw.h && fs::exists(dir / "trace.txt") && !run_trace(r, dir / "trace.txt", o, linear, empty))
    return false;
  if (o.exact && r.fw.h && fs::exists(dir / "exact" / "trace.txt") && !run_exact(r, dir / "exact" / "trace.txt"))
    return false;
  std::cerr << "fw_bench: " << r.name << " done\n";
  return true;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

std::string ns_or(const std::optional<Timing>& t) { return t ? fmt("%.0f", t->ns) : "—"; }

void print_compile_table(const std::vector<Result>& results, bool classbench) {
  if (classbench)
    std::cout << "| set | filters | rules | skipped (protocol) | trees | records | parse+check+lower ms | "
                 "analyses ms (never-matching + shadowed) | compile ms | load+fill ms | map memory (memlock) | "
                 "linear load+fill ms | linear map memory |\n"
                 "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---|\n";
  else
    std::cout << "| rules | trees | records | parse+check+lower ms | analyses ms (never-matching + "
                 "shadowed) | compile ms | load+fill ms | map memory (memlock) | linear load+fill ms | "
                 "linear map memory |\n"
                 "|---:|---:|---:|---:|---:|---:|---:|---|---:|---|\n";
  for (const auto& r : results) {
    const auto& c = r.fw;
    std::cout << "| " << r.name << " | ";
    if (classbench) {
      std::string skipped;
      for (const auto& [proto, n] : r.summary["skipped_proto"].items())
        skipped += (skipped.empty() ? "" : ", ") + std::to_string(n.get<int>()) + " (" + proto + ")";
      std::cout << r.summary["filters"].get<int>() << " | " << r.rules << " | " << (skipped.empty() ? "0" : skipped)
                << " | ";
    }
    std::cout << (c.compile_ms ? std::to_string(c.trees) : "—") << " | "
              << (c.compile_ms ? std::to_string(c.records) : "—") << " | " << fmt("%.1f", c.frontend_ms) << " | "
              << fmt("%.1f", c.never_ms + c.shadow_ms) << " (" << fmt("%.1f", c.never_ms) << " + "
              << fmt("%.1f", c.shadow_ms) << ") | " << (c.compile_ms ? fmt("%.1f", c.compile_ms) : "—") << " | "
              << (c.h ? fmt("%.1f", c.load_ms) : "—") << " | "
              << (c.h ? human_bytes(c.mem.memlock) + " (" + c.mem.detail + ")" : "—") << " | "
              << fmt("%.1f", r.linear_load_ms) << " | " << human_bytes(r.linear_mem.memlock) << " |\n";
  }
  for (const auto& r : results) {
    if (!r.fw.error.empty())
      std::cout << "\n**" << r.name << ": Sentinel could not run it** — " << cell(r.fw.error) << "\n";
    if (r.fw.warnings)
      std::cout << "\n" << r.name << ": the analyses drew " << r.fw.warnings << " warnings.\n";
  }
}

// A result's rows: the named probes, then the random sample's median and max.
struct Row {
  std::string probe, rule;
  double s = -1, c = -1, l = 0, e = 0;
  std::string rl, verdict;
};
std::vector<Row> rows_of(const Result& r) {
  std::vector<Row> rows;
  std::vector<const ProbeResult*> rnd;
  for (const auto& p : r.probes) {
    bool random = p.name.size() == 3 && p.name[0] == 'r' && std::isdigit(static_cast<unsigned char>(p.name[1]));
    if (random) {
      rnd.push_back(&p);
      continue;
    }
    rows.push_back({p.name, p.fw_rule, p.sentinel ? p.sentinel->ns : -1, p.chain ? p.chain->ns : -1, p.linear.ns,
                    p.empty.ns, p.rl_rule, p.fw_action});
  }
  if (!rnd.empty()) {
    auto pick = [&](auto f, bool take_max) {
      std::vector<double> v;
      for (auto* p : rnd) v.push_back(f(*p));
      return take_max ? *std::max_element(v.begin(), v.end()) : median(v);
    };
    for (bool mx : {false, true}) {
      Row row;
      row.probe = mx ? "random max" : "random";
      row.rule = std::to_string(rnd.size()) + " probes";
      row.s = pick([](const ProbeResult& p) { return p.sentinel ? p.sentinel->ns : -1; }, mx);
      row.c = pick([](const ProbeResult& p) { return p.chain ? p.chain->ns : -1; }, mx);
      row.l = pick([](const ProbeResult& p) { return p.linear.ns; }, mx);
      row.e = pick([](const ProbeResult& p) { return p.empty.ns; }, mx);
      size_t drops = 0, charged = 0;
      for (auto* p : rnd) drops += p->fw_action == "deny", charged += !p->rl_rule.empty();
      row.verdict = std::to_string(drops) + " deny";
      row.rl = std::to_string(charged) + " charged";
      rows.push_back(row);
    }
  }
  return rows;
}

std::string opt(double v, const char* f = "%.0f") { return v < 0 ? std::string("—") : fmt(f, v); }

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, size_t(q * double(v.size())))];
}

void print_trace_table(const std::vector<Result>& cb, const Options& o) {
  bool any = false;
  for (const auto& r : cb) any = any || !r.trace_fw.empty();
  if (!any) return;
  std::cout << "\n#### ClassBench traces (classbench.py --trace " << o.trace
            << ")\n\nEach packet timed alone: " << o.trace_repeat
            << " runs of it in one BPF_PROG_TEST_RUN call; quantiles over the trace's packets. Every packet's "
               "verdict from the firewall and the linear peer was checked against the reference evaluator "
               "first. Structure: the decision trees the compiler built (docs/classifier.md). Classifier "
               "memory: the nodes, leaves and records maps' values. Build ms: parse, check, analyses and "
               "compile in process; load ms: the generation loaded, filled and smoke-tested (apply without "
               "attaching).\n\n"
               "| set | rules | structure | records | classifier memory | bytes a rule | build ms | load ms | "
               "packets | misses | median ns | p90 ns | p99 ns | linear median | linear p99 | empty median | "
               "median / linear median |\n"
               "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : cb) {
    if (r.trace_fw.empty()) continue;
    const auto& c = r.fw;
    double med = quantile(r.trace_fw, 0.5), lin = quantile(r.trace_linear, 0.5);
    std::cout << "| " << r.name << " | " << r.rules << " | " << c.trees << " trees | " << c.records << " | "
              << human_bytes(c.cls_bytes) << " | " << fmt("%.0f", double(c.cls_bytes) / double(std::max<size_t>(1, r.rules)))
              << " | " << fmt("%.0f", c.frontend_ms + c.never_ms + c.shadow_ms + c.compile_ms) << " | "
              << fmt("%.0f", c.load_ms) << " | " << r.trace_fw.size() << " | " << r.trace_misses << " | " << fmt("%.0f", med) << " | "
              << fmt("%.0f", quantile(r.trace_fw, 0.9)) << " | " << fmt("%.0f", quantile(r.trace_fw, 0.99)) << " | "
              << fmt("%.0f", lin) << " | " << fmt("%.0f", quantile(r.trace_linear, 0.99)) << " | "
              << fmt("%.0f", quantile(r.trace_empty, 0.5)) << " | " << fmt("%.3f", med / lin) << " |\n";
  }
}

int report(const std::vector<Result>& gen, const std::vector<Result>& cb, const Options& o) {
  std::cout << "Every program's verdict on every probe was checked against the reference evaluator "
               "before timing. Median of "
            << o.runs << " BPF_PROG_TEST_RUN calls, each repeating the frame (repeat chosen for ~" << o.target_ms
            << " ms per call). Sentinel is the generation's XDP entry as `GenerationHarness` loads it "
               "(the program the dispatcher tail-calls); phases: parse+check+lower and the analyses are "
               "the front end, compile is `compile_artifacts` (bundle plan + in-process BPF compile), "
               "load+fill is the harness (load, verifier, batch map fills, smoke test).\n";

  if (!gen.empty()) {
    std::cout << "\n#### Generated rules (bench/gen_rules.py)\n\n"
                 "Probes: `first` matches rule 0, `last` the last rule, `none` no rule (default allow).\n\n";
    print_compile_table(gen, false);
    std::cout << "\nns per packet:\n\n"
                 "| rules | probe | sentinel | linear | empty | sentinel − empty | sentinel / linear |"
                 " repeat (s/l/e) |\n|---:|---|---:|---:|---:|---:|---:|---|\n";
    for (const auto& r : gen)
      for (const auto& p : r.probes)
        std::cout << "| " << r.name << " | " << p.name << " | " << ns_or(p.sentinel) << " | "
                  << fmt("%.0f", p.linear.ns) << " | " << fmt("%.0f", p.empty.ns) << " | "
                  << (p.sentinel ? fmt("%.0f", p.sentinel->ns - p.empty.ns) : "—") << " | "
                  << (p.sentinel ? fmt("%.3f", p.sentinel->ns / p.linear.ns) : "—") << " | "
                  << (p.sentinel ? std::to_string(p.sentinel->repeat) : "—") << "/" << p.linear.repeat << "/"
                  << p.empty.repeat << " |\n";
    const auto &lo = gen.front(), &hi = gen.back();
    if (gen.size() >= 2 && lo.fw.h && hi.fw.h) {
      std::cout << "\nGrowth from " << lo.name << " to " << hi.name << " rules (target: within 2x):\n\n"
                << "| probe | sentinel@" << hi.name << " / sentinel@" << lo.name << " | net of empty | linear@"
                << hi.name << " / linear@" << lo.name << " | target |\n|---|---:|---:|---:|---|\n";
      bool all = true;
      for (size_t i = 0; i < lo.probes.size() && i < hi.probes.size(); ++i) {
        const auto &a = lo.probes[i], &b = hi.probes[i];
        double s = b.sentinel->ns / a.sentinel->ns;
        double net = (b.sentinel->ns - b.empty.ns) / std::max(1.0, a.sentinel->ns - a.empty.ns);
        double l = b.linear.ns / a.linear.ns;
        bool ok = s <= 2.0;
        all = all && ok;
        std::cout << "| " << a.name << " | " << fmt("%.2f", s) << "x | " << fmt("%.2f", net) << "x | "
                  << fmt("%.1f", l) << "x | " << (ok ? "holds" : "MISSED") << " |\n";
      }
      std::cout << "\nTarget per-packet cost at " << hi.name << " rules within 2x of " << lo.name
                << " rules: **" << (all ? "holds" : "MISSED") << "**\n";
    } else if (gen.size() >= 2) {
      std::cout << "\nTarget per-packet cost at " << hi.name << " rules within 2x of " << lo.name
                << " rules: **MISSED** (Sentinel did not run at every size)\n";
    }
  }

  if (!cb.empty()) {
    std::cout << "\n#### ClassBench filter sets (bench/classbench.py)\n\n"
                 "Each filter is one rule in file order with a seeded allow/deny, default allow; filters "
                 "of protocols the language cannot name (GRE 47, ESP 50, AH 51) are skipped and counted, "
                 "the TCP-flags field is ignored, and every engine gets the same converted rules. Probes "
                 "are packets drawn from the rules: `first` (in rule 0), `last` (decided by the last rule "
                 "that any drawn packet reaches), `none` (no rule; absent when the set ends in a "
                 "catch-all), `web`/`dns` (TCP 80/443 and UDP 53 the firewall passes), and "
                 << o.random << " drawn from random rules (`random`: the median over them; `random max`: "
                    "the slowest).\n\n";
    print_compile_table(cb, true);
    for (const auto& r : cb) {
      const auto& s = r.summary;
      std::cout << "\n" << r.name << ": " << s["flags_ignored"].get<int>() << " filters constrain TCP flags "
                << "(ignored), " << s["split"].get<int>() << " split into tcp and udp rules";
      if (s.contains("none")) std::cout << "; no `none` probe: " << s["none"].get<std::string>();
      if (s.contains("last_rule_index") && !s["last_rule_index"].is_null() &&
          s["last_rule_index"].get<size_t>() + 1 != r.rules)
        std::cout << "; `last` is rule " << s["last_rule_index"].get<size_t>() + 1 << " of " << r.rules
                  << " (the ones after it are shadowed for every packet drawn)";
      std::cout << ".\n";
    }


    std::cout << "\nns per packet, firewall alone beside the linear peer:\n\n"
                 "| set | probe | deciding rule | verdict | sentinel | linear | empty | sentinel − empty | "
                 "sentinel / linear |\n|---|---|---|---|---:|---:|---:|---:|---:|\n";
    for (const auto& r : cb)
      for (const auto& row : rows_of(r))
        std::cout << "| " << r.name << " | " << row.probe << " | " << row.rule << " | " << row.verdict << " | "
                  << opt(row.s) << " | " << fmt("%.0f", row.l) << " | " << fmt("%.0f", row.e) << " | "
                  << (row.s < 0 ? "—" : fmt("%.0f", row.s - row.e)) << " | "
                  << (row.s < 0 ? "—" : fmt("%.3f", row.s / row.l)) << " |\n";

  }

  // The XDP chain on every workload: the generated ones show the limiter's
  // own cost behind a cheap firewall, the ClassBench ones behind a real one.
  std::vector<const Result*> all;
  for (const auto& r : gen) all.push_back(&r);
  for (const auto& r : cb) all.push_back(&r);
  if (!all.empty()) {
    std::cout << "\n#### The XDP chain: firewall, then rate limiter\n\nThe same firewall tail-calling the rate limiter of "
                 "bench/policies/ratelimit.sen (per-source token bucket on TCP 80/443, a global bucket "
                 "on UDP 53, per-/24 on TCP 22), beside the firewall alone and the empty program, same "
                 "probes. `rate rule` is the rate-limit rule the evaluator charged the probe's first "
                 "packet to (empty: the limiter ran and no rule matched; — : the firewall dropped it, the "
                 "limiter never ran). The timed repeats run on the kernel clock: a charged probe's "
                 "bucket empties within its burst, so most of its repeats take the over-the-limit path "
                 "(counted, an event reserved until the unread ring is 3/4 full, dropped).\n\n"
                 "| rules | probe | verdict | rate rule | empty | firewall | chain | chain − firewall | "
                 "chain / firewall | firewall / empty | chain / empty |\n"
                 "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
    std::vector<std::string> summary;
    for (const Result* rp : all) {
      const Result& r = *rp;
      if (!r.chain.error.empty()) {
        std::cout << "| " << r.name << " | | | | | | chain failed: " << cell(r.chain.error) << " | | | | |\n";
        continue;
      }
      for (const auto& row : rows_of(r)) {
        bool ok = row.s > 0 && row.c > 0;
        std::string rl = row.verdict == "deny" ? "—" : row.rl;
        std::cout << "| " << r.name << " | " << row.probe << " | " << row.verdict << " | " << rl << " | "
                  << fmt("%.0f", row.e) << " | " << opt(row.s) << " | " << opt(row.c) << " | "
                  << (ok ? fmt("%.0f", row.c - row.s) : "—") << " | " << (ok ? fmt("%.2f", row.c / row.s) : "—")
                  << " | " << (row.s > 0 ? fmt("%.1f", row.s / row.e) : "—") << " | "
                  << (row.c > 0 ? fmt("%.1f", row.c / row.e) : "—") << " |\n";
      }
      std::vector<double> ratio, extra, ratio_charged, extra_charged;
      for (const auto& p : r.probes) {
        if (!p.sentinel || !p.chain || p.fw_action != "allow") continue;
        ratio.push_back(p.chain->ns / p.sentinel->ns);
        extra.push_back(p.chain->ns - p.sentinel->ns);
        if (!p.rl_rule.empty()) {
          ratio_charged.push_back(p.chain->ns / p.sentinel->ns);
          extra_charged.push_back(p.chain->ns - p.sentinel->ns);
        }
      }
      if (ratio.empty()) continue;
      summary.push_back("| " + r.name + " | " + std::to_string(ratio.size()) + " | " + fmt("%.0f", median(extra)) +
                        " | " + fmt("%.2f", median(ratio)) + " | " + std::to_string(ratio_charged.size()) + " | " +
                        (extra_charged.empty() ? "—" : fmt("%.0f", median(extra_charged))) + " | " +
                        (ratio_charged.empty() ? "—" : fmt("%.2f", median(ratio_charged))) + " |");
    }
    if (!summary.empty()) {
      std::cout << "\nWhat the limiter adds to the packets the firewall passes (the only ones it sees), "
                   "medians over the probes of each rule set; `charged`: the probes a rate-limit rule "
                   "matched:\n\n| rules | passed probes | chain − firewall ns | chain / firewall | charged | "
                   "chain − firewall ns | chain / firewall |\n|---|---:|---:|---:|---:|---:|---:|\n";
      for (const auto& l : summary) std::cout << l << "\n";
    }
  }
  print_trace_table(cb, o);
  bool any_exact = false;
  for (const auto& r : cb) any_exact = any_exact || r.exact_packets;
  if (any_exact) {
    std::cout << "\n#### Exactness (--exact " << o.exact
              << ")\n\nPackets drawn like the trace (another seed) through the reference evaluator and the "
                 "firewall one at a time; then every rule's counter in the kernel against the evaluator's count.\n\n"
                 "| set | rules | packets | rules that decided some | verdict differences | counter differences | "
                 "seconds |\n|---|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& r : cb)
      if (r.exact_packets)
        std::cout << "| " << r.name << " | " << r.rules << " | " << r.exact_packets << " | " << r.exact_rules_hit
                  << " | " << r.exact_verdicts << " | " << r.exact_counters << " | " << fmt("%.0f", r.exact_s)
                  << " |\n";
  }
  return 0;
}

int run(const Options& o) {
  const std::string peers = SN_BENCH_PEER_DIR;
  BpfPeer empty(peers + "/xdp_empty.bpf.o", "bench_xdp_empty");
  std::vector<Result> gen, cb;
  for (const auto& n : o.sizes) {
    Result r;
    r.name = n;
    fs::path dir = fs::path(o.work) / ("gen-" + n);
    run_script(SN_BENCH_GEN, n + " " + dir.string());
    if (!run_workload(r, dir, o, empty)) return 1;
    gen.push_back(std::move(r));
  }
  if (!o.classbench.empty()) {
    fs::path data = fs::path(o.data) / "classbench";
    if (!fs::is_directory(data)) {
      std::cerr << "fw_bench: no " << data << ": ClassBench sets skipped\n";
    } else {
      for (const auto& set : o.classbench) {
        fs::path src = data / set;
        if (!fs::exists(src)) src += ".xz";
        if (!fs::exists(src)) {
          std::cerr << "fw_bench: no ClassBench set " << set << " in " << data << ", skipped\n";
          continue;
        }
        Result r;
        r.name = set;
        r.classbench = true;
        fs::path dir = fs::path(o.work) / ("cb-" + set);
        run_script(SN_BENCH_CLASSBENCH, src.string() + " " + dir.string() + " --random " + std::to_string(o.random) +
                                            " --trace " + std::to_string(o.trace));
        if (o.exact)
          run_script(SN_BENCH_CLASSBENCH, src.string() + " " + (dir / "exact").string() + " --random 0 --seed 7" +
                                              " --trace " + std::to_string(o.exact));
        if (!run_workload(r, dir, o, empty)) return 1;
        cb.push_back(std::move(r));
      }
    }
  }
  return report(gen, cb, o);
}

std::vector<std::string> parse_list(const std::string& s) {
  std::vector<std::string> out;
  if (s == "none") return out;
  std::istringstream in(s);
  std::string tok;
  while (std::getline(in, tok, ',')) out.push_back(tok);
  return out;
}

}  // namespace
}  // namespace sentinel::bench

int main(int argc, char** argv) {
  using namespace sentinel::bench;
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--sizes") o.sizes = parse_list(next());
      else if (a == "--classbench") o.classbench = parse_list(next());
      else if (a == "--data") o.data = next();
      else if (a == "--random") o.random = unsigned(std::stoul(next()));
      else if (a == "--runs") o.runs = unsigned(std::stoul(next()));
      else if (a == "--trace") o.trace = unsigned(std::stoul(next()));
      else if (a == "--exact") o.exact = unsigned(std::stoul(next()));
      else if (a == "--trace-repeat") o.trace_repeat = uint32_t(std::stoul(next()));
      else if (a == "--target-ms") o.target_ms = std::stod(next());
      else if (a == "--max-repeat") o.max_repeat = uint32_t(std::stoul(next()));
      else {
        std::cerr << "usage: fw_bench [--sizes N,N,...|none] [--classbench SET,SET,...|none] [--data DIR] "
                     "[--random N] [--trace N] [--trace-repeat R] [--exact N] [--runs R] [--target-ms MS] [--max-repeat N]\n";
        return 2;
      }
    } catch (const std::exception& e) {
      std::cerr << "fw_bench: " << e.what() << "\n";
      return 2;
    }
  }
  if (geteuid() != 0) {
    std::cerr << "fw_bench: needs root (BPF_PROG_TEST_RUN)\n";
    return 1;
  }
  char tmpl[] = "/tmp/snbench-fw.XXXXXX";
  if (!mkdtemp(tmpl)) {
    std::perror("mkdtemp");
    return 1;
  }
  o.work = tmpl;
  int rc = 1;
  try {
    rc = run(o);
  } catch (const std::exception& e) {
    std::cerr << "fw_bench: " << e.what() << "\n";
  }
  std::error_code ec;
  fs::remove_all(o.work, ec);
  return rc;
}
