// Per-packet cost of the firewall through BPF_PROG_TEST_RUN, beside an empty
// XDP program (the floor) and a bpfilter-style linear peer, at growing rule
// counts, on the rules bench/gen_rules.py writes. Before timing, every
// program's verdict on every probe is checked against the reference
// evaluator, so only correct programs are measured.
//
//   fw_bench [--sizes 10,1000,10000,100000] [--runs 5] [--target-ms 60]
//
// Prints Markdown: compile and load figures, ns per packet, ratios and
// whether the target (cost at the largest size within 2x of the smallest)
// holds. Needs root.
#include <linux/bpf.h>
#include <unistd.h>

#include <algorithm>
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
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/src/bpf_peer.h"
#include "compiler/backend/build.h"
#include "compiler/eval/firewall.h"
#include "compiler/eval/packet.h"
#include "compiler/passes/analyses.h"
#include "compiler/passes/pipeline.h"
#include "enforcer/bpf/libbpf_kernel.h"
#include "enforcer/core/error.h"
#include "enforcer/core/firewall_spec.h"
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
  std::vector<size_t> sizes{10, 1000, 10000, 100000};
  unsigned runs = 5;
  double target_ms = 60;  // wall time of one timed BPF_PROG_TEST_RUN call
  uint32_t max_repeat = 1000000;
  std::string work;
};

struct Probe {
  std::string name, text, expect;  // expect: the generator's action
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

void generate(size_t n, const fs::path& dir) {
  std::string cmd = std::string(SN_BENCH_PYTHON) + " " + SN_BENCH_GEN + " " + std::to_string(n) +
                    " " + dir.string() + " >/dev/null";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("generator failed: " + cmd);
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

// Memory of a program's maps, split into what grows with the policy and the
// fixed rest (rings, shared counters sized by constant).
struct Memory {
  uint64_t memlock = 0, nominal = 0;
  std::string detail;
};
Memory memory_of(uint32_t prog_id) {
  Memory m;
  auto maps = prog_map_memory(prog_id);
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

struct SizeResult {
  size_t n = 0;
  double frontend_ms = 0, never_ms = 0, shadow_ms = 0, compile_ms = 0, load_ms = 0, linear_load_ms = 0;
  size_t tuples = 0, entries = 0, warnings = 0;
  Memory sentinel_mem, linear_mem;
  std::map<std::string, Timing> sentinel, linear, empty;  // by probe name
};

int run(const Options& o) {
  std::vector<std::string> probe_names;
  std::vector<SizeResult> results;
  const std::string peers = SN_BENCH_PEER_DIR;
  BpfPeer empty(peers + "/xdp_empty.bpf.o", "bench_xdp_empty");

  for (size_t n : o.sizes) {
    SizeResult r;
    r.n = n;
    fs::path dir = fs::path(o.work) / std::to_string(n);
    generate(n, dir);
    auto probes = read_probes(dir / "probes.txt");
    if (probe_names.empty())
      for (auto& p : probes) probe_names.push_back(p.name);

    // Sentinel: front end, back end, load + fill.
    auto t0 = Clock::now();
    // The front end as `sentinelc build` runs it, in two timed parts: parse,
    // check and lower; then the rule analyses (shadowing, never-matching).
    passes::FrontendOptions fo;
    fo.analyses = false;
    auto fe = passes::run_frontend({(dir / "policy").string()}, fo);
    r.frontend_ms = ms_since(t0);
    if (fe->policy) {
      t0 = Clock::now();
      passes::check_never_matching_rules(*fe->policy, fe->sm, fe->diags);
      r.never_ms = ms_since(t0);
      t0 = Clock::now();
      passes::check_shadowed_rules(*fe->policy, fe->sm, fe->diags);
      r.shadow_ms = ms_since(t0);
      r.warnings = fe->diags.warnings();
    }
    if (!fe->policy) {
      fe->diags.sort();
      std::cerr << "fw_bench: the generated policy of " << n << " rules does not check:\n"
                << fe->diags.render_text() << "\n";
      return 1;
    }
    const pir::Policy& policy = *fe->policy;
    t0 = Clock::now();
    backend::FirewallArtifacts art = backend::compile_firewall(policy);
    r.compile_ms = ms_since(t0);
    r.tuples = art.plan.tuples.size();
    r.entries = art.plan.entries.size();
    using enforcer::core::FirewallHarness;
    std::optional<FirewallHarness> loaded;
    t0 = Clock::now();
    loaded.emplace(FirewallHarness::load(
        std::span<const char>(art.object.data(), art.object.size()), art.plan));
    r.load_ms = ms_since(t0);
    FirewallHarness& fw = *loaded;
    r.sentinel_mem = memory_of(fw.prog_id());

    // The linear peer on the same rules.
    auto lin_rules = read_linear(dir / "linear.rules");
    bench_linear_config cfg{uint32_t(lin_rules.size()), BENCH_LINEAR_ALLOW};
    t0 = Clock::now();
    BpfPeer linear(peers + "/xdp_linear.bpf.o", "bench_xdp_linear",
                   std::span(reinterpret_cast<const uint8_t*>(&cfg), sizeof cfg),
                   {{"lin_rules", uint32_t(lin_rules.size())},
                    {"lin_cnt", uint32_t(lin_rules.size() + 1)}});
    fill_linear(linear.map_fd("lin_rules"), lin_rules);
    r.linear_load_ms = ms_since(t0);
    r.linear_mem = memory_of(linear.prog_id());

    // Correctness first: the reference evaluator decides what each must say.
    bool ok = true;
    for (const auto& p : probes) {
      auto v = eval::eval_firewall(policy, p.pkt);
      uint32_t want = v.dropped ? XDP_DROP : XDP_PASS;
      std::string want_action = v.dropped ? "deny" : "allow";
      auto check = [&](const char* who, uint32_t got) {
        if (got != want) {
          std::cerr << "fw_bench: " << n << " rules, probe " << p.name << " (" << p.text
                    << "): " << who << " says " << xdp_name(got) << ", the reference evaluator "
                    << xdp_name(want) << "\n";
          ok = false;
        }
      };
      if (want_action != p.expect) {
        std::cerr << "fw_bench: probe " << p.name << " expected " << p.expect
                  << " by the generator, the reference evaluator says " << want_action << "\n";
        ok = false;
      }
      check("sentinel", fw.run(p.frame));
      check("linear peer", test_run(linear.prog_fd(), p.frame, 1).retval);
      if (uint32_t got = test_run(empty.prog_fd(), p.frame, 1).retval; got != XDP_PASS) {
        std::cerr << "fw_bench: the empty program says " << xdp_name(got) << "\n";
        ok = false;
      }
    }
    if (!ok) return 1;

    for (const auto& p : probes) {
      r.sentinel[p.name] = measure([&](uint32_t rep) { return fw.bench(p.frame, rep); }, o);
      r.linear[p.name] =
          measure([&](uint32_t rep) { return test_run(linear.prog_fd(), p.frame, rep).ns; }, o);
      r.empty[p.name] =
          measure([&](uint32_t rep) { return test_run(empty.prog_fd(), p.frame, rep).ns; }, o);
    }
    std::cerr << "fw_bench: " << n << " rules done\n";
    results.push_back(std::move(r));
  }

  // Report.
  std::cout << "Probes: `first` matches rule 0, `last` matches the last rule, `none` matches no "
               "rule (default allow). Every program's verdict on every probe was checked against "
               "the reference evaluator before timing. Median of "
            << o.runs << " BPF_PROG_TEST_RUN calls, each repeating the frame (repeat count in "
                         "the last column, chosen for ~"
            << o.target_ms << " ms per call).\n\n";
  std::cout << "Sentinel phases: parse+check+lower and analyses are `run_frontend`; compile is "
               "`compile_firewall` (plan + in-process BPF compile); load+fill is the harness "
               "(load, verifier, batch map fills). The linear peer's load+fill beside it.\n\n";
  std::cout << "| rules | tuples | key entries | parse+check+lower ms | analyses ms (never-matching + "
               "shadowed) | compile ms | "
               "load+fill ms | map memory (memlock) | linear load+fill ms | linear map memory |\n"
               "|---:|---:|---:|---:|---:|---:|---:|---|---:|---|\n";
  for (const auto& r : results) {
    std::cout << "| " << r.n << " | " << r.tuples << " | " << r.entries << " | "
              << fmt("%.1f", r.frontend_ms) << " | " << fmt("%.1f", r.never_ms + r.shadow_ms) << " (" << fmt("%.1f", r.never_ms) << " + "
              << fmt("%.1f", r.shadow_ms) << ") | "
              << fmt("%.1f", r.compile_ms) << " | "
              << fmt("%.1f", r.load_ms) << " | " << human_bytes(r.sentinel_mem.memlock) << " ("
              << r.sentinel_mem.detail << ") | " << fmt("%.1f", r.linear_load_ms) << " | "
              << human_bytes(r.linear_mem.memlock) << " |\n";
  }
  for (const auto& r : results) {
    if (r.warnings)
      std::cout << "\nThe generated policy of " << r.n << " rules drew " << r.warnings
                << " warnings from the analyses.\n";
  }
  std::cout << "\nns per packet:\n\n"
               "| rules | probe | sentinel | linear | empty | sentinel − empty | sentinel / "
               "linear | repeat (s/l/e) |\n"
               "|---:|---|---:|---:|---:|---:|---:|---|\n";
  for (const auto& r : results) {
    for (const auto& name : probe_names) {
      const auto &s = r.sentinel.at(name), &l = r.linear.at(name), &e = r.empty.at(name);
      std::cout << "| " << r.n << " | " << name << " | " << fmt("%.1f", s.ns) << " | "
                << fmt("%.1f", l.ns) << " | " << fmt("%.1f", e.ns) << " | "
                << fmt("%.1f", s.ns - e.ns) << " | " << fmt("%.3f", s.ns / l.ns) << " | "
                << s.repeat << "/" << l.repeat << "/" << e.repeat << " |\n";
    }
  }
  if (results.size() >= 2) {
    const auto &lo = results.front(), &hi = results.back();
    std::cout << "\nGrowth from " << lo.n << " to " << hi.n << " rules (target: within 2x):\n\n"
              << "| probe | sentinel@" << hi.n << " / sentinel@" << lo.n
              << " | net of empty | linear@" << hi.n << " / linear@" << lo.n << " | target |\n"
              << "|---|---:|---:|---:|---|\n";
    bool all = true;
    for (const auto& name : probe_names) {
      double s = hi.sentinel.at(name).ns / lo.sentinel.at(name).ns;
      double net = (hi.sentinel.at(name).ns - hi.empty.at(name).ns) /
                   std::max(1.0, lo.sentinel.at(name).ns - lo.empty.at(name).ns);
      double l = hi.linear.at(name).ns / lo.linear.at(name).ns;
      bool ok = s <= 2.0;
      all = all && ok;
      std::cout << "| " << name << " | " << fmt("%.2f", s) << "x | " << fmt("%.2f", net)
                << "x | " << fmt("%.1f", l) << "x | " << (ok ? "holds" : "MISSED") << " |\n";
    }
    std::cout << "\nTarget per-packet cost at " << hi.n << " rules within 2x of " << lo.n
              << " rules: **" << (all ? "holds" : "MISSED") << "**\n";
  }
  return 0;
}

std::vector<size_t> parse_sizes(const std::string& s) {
  std::vector<size_t> out;
  std::istringstream in(s);
  std::string tok;
  while (std::getline(in, tok, ',')) out.push_back(std::stoul(tok));
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
      if (a == "--sizes") o.sizes = parse_sizes(next());
      else if (a == "--runs") o.runs = unsigned(std::stoul(next()));
      else if (a == "--target-ms") o.target_ms = std::stod(next());
      else if (a == "--max-repeat") o.max_repeat = uint32_t(std::stoul(next()));
      else {
        std::cerr << "usage: fw_bench [--sizes N,N,...] [--runs R] [--target-ms MS] "
                     "[--max-repeat N]\n";
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
