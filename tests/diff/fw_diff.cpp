// Differential test of the whole chain: a policy's reference evaluator
// against its compiled generation in the kernel (XDP entry with the
// firewall and the rate limiter's tail call, TC ingress and egress with
// connection tracking), on generated traffic: timed sequences of packets in
// and out (tests/diff/packet_gen.h). Every packet goes through both with the
// same clock (tests/support/chain_check.h); every verdict, every counter
// the packet moves and its flow-table entry must agree, and at the end every
// counter of the policy. Each difference is printed with its packet and
// time, and the sequence that led to it is written out for
// `sentinelc explain POLICY --packets-from FILE`. Any difference fails.
//
//   fw_diff POLICY_DIR [PACKETS] [SEED]
//   fw_diff --random POLICIES PACKETS SEED [firewall,ratelimit,conntrack]
//   fw_diff --classbench FILE RULES PACKETS SEED      (skips when FILE is absent)
//   fw_diff --firehol FILE PACKETS SEED               (skips when FILE is absent)
//   fw_diff --replay POLICY_DIR PACKETS_FILE          (a sequence a failing run wrote)
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "compiler/backend/bpf_compile.h"
#include "compiler/backend/bundle_plan.h"
#include "compiler/lower/pir_to_plan.h"
#include "compiler/passes/pipeline.h"
#include "compiler/pir/domains/conntrack.h"
#include "compiler/pir/domains/firewall.h"
#include "compiler/pir/domains/ratelimit.h"
#include "tests/diff/packet_gen.h"
#include "tests/diff/random_policy.h"
#include "tests/support/chain_check.h"
#include "tests/support/privilege.h"

using namespace sentinel;
namespace fs = std::filesystem;

namespace {

// Objects depend only on the template and its variant: compiled once per
// variant for all the policies of a run.
backend::Artifacts compile_cached(const pir::Policy& policy) {
  static std::map<std::pair<std::string, std::vector<std::string>>, std::string> cache;
  backend::Artifacts a;
  a.plan = backend::plan_bundle(policy);
  for (const auto& o : a.plan.objects) {
    std::vector<std::string> defines = o.defines;
    defines.push_back("SN_VARIANT=\"" + backend::variant_string(o) + "\"");
    auto key = std::make_pair(o.templ, defines);
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, backend::compile_bpf(o.templ, defines)).first;
    a.objects[o.part] = it->second;
  }
  return a;
}

// The front end on policy text; nullopt (and the diagnostics in `errors`)
// when it has errors.
std::optional<pir::Policy> front_end(const std::string& text, std::string* errors) {
  fs::path dir = fs::temp_directory_path() / ("sn-diff-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "policy.sen") << text;
  passes::FrontendOptions o;
  o.analyses = false;  // warnings do not matter here, and shadowing costs time on big policies
  auto fe = passes::run_frontend({dir.string()}, o);
  fs::remove_all(dir);
  if (!fe->policy) {
    fe->diags.sort();
    if (errors) *errors = fe->diags.render_text();
    return std::nullopt;
  }
  return std::move(*fe->policy);
}

// What a run exercised, so that a pass that exercised nothing is not taken
// for a pass.
struct Coverage {
  std::map<std::string, uint64_t> decided;  // "<domain>/<id>" -> packets
  uint64_t packets = 0, in = 0, out = 0, dropped = 0, over = 0;
  std::map<std::string, uint64_t> states;  // ct state -> packets in
  void add(const eval::TimedPacket& tp, const eval::Verdict& v) {
    ++packets;
    ++(tp.egress ? out : in);
    dropped += v.dropped;
    for (const auto& [id, n] : testing::counted(v)) decided[id] += n;
    if (const auto* rl = v.of(DomainId::ratelimit); rl && rl->rule >= 0 && rl->action != "pass") ++over;
    if (!tp.egress) ++states[pir::to_string(v.ct)];
  }
  std::string summary() const {
    std::ostringstream os;
    os << packets << " packets (" << in << " in, " << out << " out), " << dropped << " dropped, " << over
       << " over a rate limit; ct states in:";
    for (const auto& [s, n] : states) os << ' ' << s << '=' << n;
    return os.str();
  }
};

struct Result {
  size_t packets_differing = 0;
  size_t totals_differing = 0;
  Coverage cov;
};

// Runs `count` packets of generated traffic through both. `label` names the
// policy in messages and in the folder a failing sequence is written to.
Result run(testing::PolicyFixture& fx, const std::string& policy_text, size_t count, uint64_t seed,
           const std::string& label, testing::CounterCheck counters = testing::CounterCheck::All) {
  std::mt19937_64 start_rng(seed * 7919 + 1);
  // Half the runs from the clock's zero (where fixed windows start), half
  // from far on (where indices and times are large).
  uint64_t start = seed % 2 ? 0 : start_rng() % (1ull << 52);
  testing::TrafficGenerator gen(fx.policy, seed, start);
  testing::ChainCheck chk(fx, counters);
  Result r;
  std::vector<eval::TimedPacket> seen;
  bool written = false;
  for (size_t i = 0; i < count; ++i) {
    eval::TimedPacket tp = gen.next();
    seen.push_back(tp);
    auto step = chk.run(tp);
    r.cov.add(tp, step.verdict);
    if (step.differences.empty()) continue;
    if (++r.packets_differing <= 20) {
      std::cerr << label << ": packet " << i << ": " << testing::format_timed(tp) << '\n';
      for (const auto& d : step.differences) std::cerr << "    " << d << '\n';
      std::cerr << "    evaluator:";
      for (const auto& res : step.verdict.results)
        std::cerr << ' ' << domain_name(res.domain) << '=' << (res.rule_id.empty() ? res.action : res.rule_id)
                  << (res.dropped ? "(drop)" : "");
      std::cerr << " ct " << pir::to_string(step.verdict.ct) << '\n';
    }
    if (!written) {
      written = true;
      fs::path dir = fs::temp_directory_path() / ("sn-diff-" + label + "-" + std::to_string(seed));
      fs::create_directories(dir);
      std::ofstream(dir / "policy.sen") << policy_text;
      std::ofstream pk(dir / "packets");
      for (const auto& s : seen) pk << testing::format_timed(s) << '\n';
      std::cerr << label << ": the policy and the packets up to the first difference are in " << dir.string()
                << " (sentinelc explain " << (dir / "policy.sen").string() << " --packets-from "
                << (dir / "packets").string() << ")\n";
    }
  }
  for (const auto& d : chk.compare_totals()) {
    if (++r.totals_differing <= 20) std::cerr << label << ": " << d << '\n';
  }
  return r;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string policy_text_of(const std::string& dir) {
  std::string out;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().extension() == ".sen") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) out += "# " + f.string() + "\n" + read_file(f);
  return out;
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// An example policy, and the checks that the traffic reached what it has.
int example(const std::string& dir, size_t count, uint64_t seed) {
  auto t0 = std::chrono::steady_clock::now();
  auto fx = testing::PolicyFixture::compile(dir);
  if (!fx) return 1;
  fx->load_kernel();
  Result r = run(*fx, policy_text_of(dir), count, seed, fs::path(dir).filename().string());
  std::cout << dir << " (seed " << seed << "): " << r.cov.summary() << "; " << r.packets_differing
            << " packets and " << r.totals_differing << " counters differ; " << since(t0) << " s\n";
  for (const auto& [id, n] : r.cov.decided) std::cout << "  " << id << ": " << n << '\n';
  bool weak = false;
  if (const auto* fw = fx->policy.get<pir::Firewall>()) {
    size_t rules = 0;
    for (const auto& rule : fw->rules) rules += r.cov.decided.count("firewall/" + rule.id);
    if (rules == 0) std::cerr << "no firewall rule ever decided: the traffic does not cover this policy\n", weak = true;
  }
  if (fx->policy.get<pir::RateLimit>() && r.cov.over == 0)
    std::cerr << "no packet was ever over a rate limit: the traffic does not cover this policy\n", weak = true;
  if (fx->policy.get<pir::Conntrack>() && !r.cov.states.count("established"))
    std::cerr << "no packet was ever established: the traffic does not cover this policy\n", weak = true;
  return r.packets_differing || r.totals_differing || weak ? 1 : 0;
}

int random_policies(size_t policies, size_t count, uint64_t seed, const testing::RandomPolicyOptions& opts,
                    const std::string& label) {
  auto t0 = std::chrono::steady_clock::now();
  std::mt19937_64 rng(seed);
  size_t failed = 0, rejected = 0, over_limit = 0, rules = 0, rules_hit = 0;
  Coverage all;
  for (size_t i = 0; i < policies;) {
    std::string text = testing::random_policy_text(rng, opts);
    std::string errors;
    auto policy = front_end(text, &errors);
    if (!policy) {
      // The generator aims at valid policies; a few misses are the price of
      // simplicity, many are a bug in it.
      if (++rejected > policies) {
        std::cerr << "the generator writes invalid policies, for example:\n" << text << errors;
        return 1;
      }
      continue;
    }
    testing::PolicyFixture fx;
    fx.policy = std::move(*policy);
    try {
      fx.artifacts = compile_cached(fx.policy);
    } catch (const lower::LowerError& e) {
      // Refused with a clear error at build time; nothing to compare.
      if (++over_limit <= 3) std::cout << "refused by the compiler: " << e.what() << '\n';
      ++i;
      continue;
    }
    fx.load_kernel();
    std::string name = label + "-" + std::to_string(i);
    Result r = run(fx, text, count, seed * 1000 + i, name);
    if (const auto* fw = fx.policy.get<pir::Firewall>()) {
      rules += fw->rules.size();
      for (const auto& rule : fw->rules) rules_hit += r.cov.decided.count("firewall/" + rule.id);
    }
    for (const auto& [id, n] : r.cov.states) all.states[id] += n;
    all.packets += r.cov.packets, all.dropped += r.cov.dropped, all.over += r.cov.over;
    all.in += r.cov.in, all.out += r.cov.out;
    if (r.packets_differing || r.totals_differing) {
      ++failed;
      std::cerr << "policy " << name << " (seed " << seed << ") differs:\n" << text;
    }
    ++i;
  }
  std::cout << policies << " random policies (" << label << ", seed " << seed << "), " << count
            << " packets each: " << failed << " with differences; " << rules_hit << " of " << rules
            << " firewall rules decided at least one packet; " << rejected << " drawn again after sema refused them; "
            << over_limit << " refused by the compiler's limits; " << since(t0) << " s\n  " << all.summary() << '\n';
  return failed || over_limit * 2 > policies ? 1 : 0;
}

// A big policy from data: `rules` filters of a ClassBench set as firewall
// rules, behind connection tracking, with rate limits on the ports the set
// uses most.
std::optional<std::string> classbench_policy(const std::string& file, size_t rules, uint64_t seed) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::mt19937_64 rng(seed);
  std::ostringstream fw;
  std::map<std::string, size_t> dports;
  size_t n = 0, skipped = 0;
  auto cidr = [](const std::string& s) {
    auto c = pir::parse_cidr(s);
    return !c || c->len == 0 ? std::string("any") : pir::format(*c);
  };
  for (std::string line; n < rules && std::getline(in, line);) {
    if (line.empty() || line[0] != '@') continue;
    std::istringstream ls(line.substr(1));
    std::string src, dst, slo, colon1, shi, dlo, colon2, dhi, proto;
    ls >> src >> dst >> slo >> colon1 >> shi >> dlo >> colon2 >> dhi >> proto;
    unsigned p = std::stoul(proto.substr(0, proto.find('/')), nullptr, 16);
    unsigned mask = std::stoul(proto.substr(proto.find('/') + 1), nullptr, 16);
    std::string pname = mask == 0  ? ""
                        : p == 6   ? "tcp"
                        : p == 17  ? "udp"
                        : p == 1   ? "icmp"
                                   : "proto " + std::to_string(p);
    bool full_ports = slo == "0" && shi == "65535" && dlo == "0" && dhi == "65535";
    // Ports only with tcp or udp.
    if (pname != "tcp" && pname != "udp" && !full_ports) {
      ++skipped;
      continue;
    }
    static const char* kActions[] = {"allow", "allow", "deny", "log"};
    std::string m = pname;
    auto side = [&](const char* kw, const std::string& a, const std::string& lo, const std::string& hi) {
      bool ports = !(lo == "0" && hi == "65535");
      if (a == "any" && !ports) return;
      m += std::string(m.empty() ? "" : " ") + kw + " " + a;
      if (ports) m += " port " + (lo == hi ? lo : lo + ".." + hi);
    };
    side("from", cidr(src), slo, shi);
    side("to", cidr(dst), dlo, dhi);
    if (dlo == dhi && (pname == "tcp" || pname == "udp")) dports[pname + " to any port " + dlo]++;
    fw << "    rule f" << n << ' ' << kActions[rng() % 4] << (m.empty() ? "" : " ") << m;
    if (rng() % 10 == 0) fw << " ct new";
    fw << '\n';
    ++n;
  }
  std::vector<std::pair<size_t, std::string>> top;
  for (const auto& [m, c] : dports) top.emplace_back(c, m);
  std::sort(top.rbegin(), top.rend());
  std::ostringstream out;
  out << "# " << n << " filters of " << file << " (" << skipped << " skipped: ports without tcp/udp)\n";
  out << "conntrack {\n    established " << (seed % 2 ? "allow" : "rules") << "\n    timeout udp 10s\n"
      << "    timeout tcp-syn 5s\n}\n";
  out << "firewall {\n    default deny\n" << fw.str() << "    rule back allow ct { established, related }\n}\n";
  out << "ratelimit {\n";
  for (size_t i = 0; i < top.size() && i < 5; ++i)
    out << "    rule top" << i << " drop " << top[i].second << " rate " << 5 * (i + 1) << "/s burst " << 10 * (i + 1)
        << " per source /24 /64\n";
  out << "    rule rest log rate 1000/s global algorithm sliding-window\n}\n";
  return out.str();
}

// FireHOL's level-1 blocklist as a set in front of a stateful server policy.
std::optional<std::string> firehol_policy(const std::string& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::ostringstream set;
  size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto c = pir::parse_cidr(line);
    if (!c || c->len < 8) continue;  // whole /0../7 blocks would swallow the test traffic
    set << (n++ ? ",\n    " : "    ") << pir::format(*c);
  }
  std::ostringstream out;
  out << "# " << n << " networks of " << file << "\n";
  out << "set blocklist: cidr = {\n" << set.str() << "\n}\n";
  out << "set web: port = { 80, 443 }\n";
  out << "conntrack {\n    established allow\n    timeout tcp-syn 10s\n    timeout udp 30s\n}\n";
  out << "firewall {\n    default deny\n"
         "    rule blocklisted deny from @blocklist\n"
         "    rule web allow tcp to any port @web ct new\n"
         "    rule ssh allow tcp from 10.0.0.0/8 to any port 22 ct new\n"
         "    rule dns allow udp to any port 53\n"
         "    rule ping allow icmp ct new\n"
         "    rule stray deny ct invalid\n}\n";
  out << "ratelimit {\n"
         "    rule syn drop tcp to any port @web rate 20/s burst 40 per source /24 /48\n"
         "    rule dns drop udp to any port 53 rate 50/s algorithm fixed-window per port\n"
         "    rule icmp drop icmp rate 5/s burst 10 global\n}\n";
  return out.str();
}

int data_policy(const std::string& label, const std::optional<std::string>& text, size_t count, uint64_t seed) {
  if (!text) {
    std::cerr << label << ": cannot read the data\n";
    return 1;
  }
  auto t0 = std::chrono::steady_clock::now();
  std::string errors;
  auto policy = front_end(*text, &errors);
  if (!policy) {
    std::cerr << label << ": the generated policy does not compile:\n" << errors;
    return 1;
  }
  testing::PolicyFixture fx;
  fx.policy = std::move(*policy);
  try {
    fx.artifacts = compile_cached(fx.policy);
  } catch (const lower::LowerError& e) {
    std::cerr << label << ": refused by the compiler: " << e.what() << '\n';
    return 1;
  }
  fx.load_kernel();
  double setup = since(t0);
  Result r = run(fx, *text, count, seed, label, testing::CounterCheck::Expected);
  size_t rules = 0, hit = 0;
  if (const auto* fw = fx.policy.get<pir::Firewall>()) {
    rules = fw->rules.size();
    for (const auto& rule : fw->rules) hit += r.cov.decided.count("firewall/" + rule.id);
  }
  std::cout << label << " (seed " << seed << "): " << rules << " firewall rules, " << hit
            << " decided a packet; " << r.cov.summary() << "; " << r.packets_differing << " packets and "
            << r.totals_differing << " counters differ; " << setup << " s to build and load, " << since(t0)
            << " s in all\n";
  return r.packets_differing || r.totals_differing || hit < 2 ? 1 : 0;
}

// A sequence written by a failing run, again, with every difference and
// what the evaluator and the kernel did with each packet.
int replay(const std::string& policy_dir, const std::string& packets) {
  auto fx = testing::PolicyFixture::compile(policy_dir);
  if (!fx) return 1;
  fx->load_kernel();
  testing::ChainCheck chk(*fx);
  std::ifstream in(packets);
  size_t n = 0, differing = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::string err;
    auto tp = eval::parse_timed_packet(line, &err);
    if (!tp) {
      std::cerr << packets << ": " << err << '\n';
      return 1;
    }
    auto step = chk.run(*tp);
    std::cout << n++ << ' ' << testing::format_timed(*tp) << " => " << (step.verdict.dropped ? "drop" : "pass")
              << " ct " << pir::to_string(step.verdict.ct) << ' ' << testing::format_counts(testing::counted(step.verdict))
              << '\n';
    for (const auto& d : step.differences) std::cout << "    DIFFERS: " << d << '\n';
    differing += !step.differences.empty();
  }
  return differing ? 1 : 0;
}

testing::RandomPolicyOptions domains(const std::string& list) {
  testing::RandomPolicyOptions o;
  o.firewall = list.find("firewall") != std::string::npos;
  o.ratelimit = list.find("ratelimit") != std::string::npos;
  o.conntrack = list.find("conntrack") != std::string::npos;
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  auto num = [&](size_t i, uint64_t dflt) { return i < a.size() ? std::stoull(a[i]) : dflt; };
  if (a.empty()) {
    std::cerr << "usage: fw_diff POLICY_DIR [PACKETS] [SEED]\n"
                 "       fw_diff --random POLICIES PACKETS SEED [firewall,ratelimit,conntrack]\n"
                 "       fw_diff --classbench FILE RULES PACKETS SEED\n"
                 "       fw_diff --firehol FILE PACKETS SEED\n";
    return 2;
  }
  // Data sets are optional everywhere, CI included: without them the test
  // has nothing to run, which is not a missing privilege.
  if ((a[0] == "--classbench" || a[0] == "--firehol") && (a.size() < 2 || !fs::exists(a[1]))) {
    std::cerr << "skipped: " << (a.size() > 1 ? a[1] : std::string("the data")) << " is absent (see ../shared/data)\n";
    return 77;
  }
  if (!testing::privileged()) return testing::skip_or_fail("needs root for BPF_PROG_TEST_RUN");
  if (a[0] == "--random") {
    std::string list = a.size() > 4 ? a[4] : "firewall";
    std::string label = list;
    std::replace(label.begin(), label.end(), ',', '-');
    return random_policies(num(1, 20), num(2, 2000), num(3, 1), domains(list), label);
  }
  if (a[0] == "--classbench" && a.size() > 1) {
    std::string label = "classbench-" + fs::path(a[1]).filename().string();
    return data_policy(label, classbench_policy(a[1], num(2, 1000), num(4, 1)), num(3, 10000), num(4, 1));
  }
  if (a[0] == "--replay" && a.size() > 2) return replay(a[1], a[2]);
  if (a[0] == "--firehol" && a.size() > 1)
    return data_policy("firehol-" + fs::path(a[1]).stem().string(), firehol_policy(a[1]), num(2, 10000), num(3, 1));
  return example(a[0], num(1, 20000), num(2, 1));
}
