#include "tests/support/chain_check.h"

#include <cstdio>
#include <cstring>
#include <sstream>

#include "compiler/eval/domains/conntrack.h"

extern "C" {
#include "sentinel/abi/conntrack.h"
}

namespace sentinel::testing {

namespace {

constexpr uint32_t kXdpDrop = 1, kXdpPass = 2, kXdpTx = 3;
constexpr int kTcxDrop = 2;

std::string entry_text(const eval::conntrack::Entry& e) {
  std::ostringstream os;
  os << "tcp " << eval::conntrack::tcp_state_name(e.tcp_state) << " flags " << unsigned(e.flags) << " created "
     << e.created_ns << " last " << e.last_ns << " expires " << e.expires_ns;
  return os.str();
}

}  // namespace

std::map<std::string, uint64_t> counted(const eval::Verdict& v) {
  std::map<std::string, uint64_t> out;
  for (const auto& r : v.results)
    for (const auto& id : r.counted) out[std::string(domain_name(r.domain)) + "/" + id]++;
  return out;
}

std::string format_counts(const std::map<std::string, uint64_t>& m) {
  if (m.empty()) return "nothing";
  std::string s;
  for (const auto& [id, n] : m) {
    if (!s.empty()) s += ' ';
    s += id + "+" + std::to_string(n);
  }
  return s;
}

std::string format_timed(const eval::TimedPacket& tp) {
  char t[48];
  std::snprintf(t, sizeof t, "@%llu.%09llus", static_cast<unsigned long long>(tp.time_ns / 1000000000),
                static_cast<unsigned long long>(tp.time_ns % 1000000000));
  return std::string(t) + (tp.egress ? " out " : " in ") + eval::format(tp.pkt);
}

ChainCheck::ChainCheck(PolicyFixture& fx, CounterCheck counters) : fx_(fx), ev_(fx.policy), mode_(counters) {
  ct_ = fx.policy.get<pir::Conntrack>() != nullptr;
  if (fx_.kernel) last_ = snapshot();
}

std::map<std::string, uint64_t> ChainCheck::snapshot() {
  std::map<std::string, uint64_t> out;
  for (const auto& [id, c] : fx_.kernel->counters()) out[id] = c.packets;
  return out;
}

std::map<std::string, uint64_t> ChainCheck::read(const std::map<std::string, uint64_t>& keys) {
  std::map<std::string, uint64_t> out;
  for (const auto& [id, n] : keys) {
    auto slash = id.find('/');
    out[id] = fx_.kernel->counter(id.substr(0, slash), id.substr(slash + 1)).packets;
  }
  return out;
}

std::vector<std::string> ChainCheck::compare_totals() {
  std::vector<std::string> out;
  if (!fx_.kernel) return out;
  auto got = snapshot();
  for (const auto& [id, n] : got) {
    uint64_t want = totals_.count(id) ? totals_.at(id) : 0;
    if (n != want)
      out.push_back("counter " + id + ": evaluator " + std::to_string(want) + ", kernel " + std::to_string(n));
  }
  for (const auto& [id, n] : totals_)
    if (!got.count(id) && n) out.push_back("counter " + id + ": evaluator " + std::to_string(n) + ", kernel 0");
  return out;
}

std::optional<std::string> ChainCheck::compare_flow(const eval::Packet& pkt) {
  auto k = eval::conntrack::key_of(pkt);
  if (!k) return std::nullopt;
  const auto& table = static_cast<const eval::conntrack::Table&>(*ev_.state(DomainId::conntrack));
  auto it = table.flows.find(k->key);

  sn_ct_key key{};
  key.family = k->key.family;
  key.proto = k->key.proto;
  key.port_a = k->key.port_a;
  key.port_b = k->key.port_b;
  std::memcpy(key.addr_a, k->key.addr_a.data(), 16);
  std::memcpy(key.addr_b, k->key.addr_b.data(), 16);
  sn_ct_entry e{};
  auto& kern = fx_.kernel->kernel();
  bool found = kern.lookup(fx_.kernel->map(SN_CT_MAP), SN_CT_MAP, &key, &e);

  if (!found && it == table.flows.end()) return std::nullopt;
  if (!found) return "flow table: the evaluator has the flow (" + entry_text(it->second) + "), the kernel has none";
  eval::conntrack::Entry got;
  got.expires_ns = e.expires_ns;
  got.created_ns = e.created_ns;
  got.last_ns = e.last_ns;
  got.tcp_state = e.tcp_state;
  got.flags = e.flags;
  if (it == table.flows.end()) return "flow table: the kernel has the flow (" + entry_text(got) + "), the evaluator has none";
  const auto& want = it->second;
  if (want.expires_ns != got.expires_ns || want.created_ns != got.created_ns || want.last_ns != got.last_ns ||
      want.tcp_state != got.tcp_state || want.flags != got.flags)
    return "flow table: evaluator " + entry_text(want) + ", kernel " + entry_text(got);
  return std::nullopt;
}

Step ChainCheck::run(const eval::TimedPacket& tp) {
  Step s;
  s.verdict = tp.egress ? ev_.egress(tp.pkt, tp.time_ns) : ev_.ingress(tp.pkt, tp.time_ns);
  auto want = counted(s.verdict);
  for (const auto& [id, n] : want) totals_[id] += n;
  if (!fx_.kernel) return s;

  auto& k = *fx_.kernel;
  KernelStep ks;
  auto frame = eval::build_frame(tp.pkt);
  if (mode_ == CounterCheck::Expected) last_ = read(want);
  if (tp.egress) {
    ks.tc = k.tc(backend::Hook::TcxEgress, frame, tp.time_ns);
    ks.dropped = ks.tc == kTcxDrop;
  } else {
    ks.xdp = k.xdp(frame, tp.time_ns, false, tp.pkt.iface);
    if (ks.xdp == kXdpPass) ks.tc = k.tc(backend::Hook::TcxIngress, frame, tp.time_ns);
    ks.dropped = ks.xdp == kXdpDrop || ks.xdp == kXdpTx || ks.tc == kTcxDrop;
  }
  auto now = mode_ == CounterCheck::All ? snapshot() : read(want);
  for (const auto& [id, n] : now) {
    uint64_t was = last_.count(id) ? last_[id] : 0;
    if (n != was) ks.moved[id] = n - was;
  }
  last_ = std::move(now);

  if (!tp.egress && ks.xdp != kXdpPass && ks.xdp != kXdpDrop && ks.xdp != kXdpTx)
    s.differences.push_back("kernel: XDP action " + std::to_string(ks.xdp) + ", neither pass, drop nor tx");
  // XDP_TX is the answer of `reject`: sent exactly when the evaluator sends one.
  if (!tp.egress && (ks.xdp == kXdpTx) != !s.verdict.answer.empty())
    s.differences.push_back(std::string("answer: evaluator ") +
                            (s.verdict.answer.empty() ? "none" : s.verdict.answer) + ", kernel " +
                            (ks.xdp == kXdpTx ? "XDP_TX" : "none"));
  if (ks.tc != -1 && ks.tc != 0 && ks.tc != kTcxDrop)
    s.differences.push_back("kernel: TC verdict " + std::to_string(ks.tc));
  if (ks.dropped != s.verdict.dropped)
    s.differences.push_back(std::string("verdict: evaluator ") + (s.verdict.dropped ? "drop" : "pass") + ", kernel " +
                            (ks.dropped ? "drop" : "pass"));
  if (ks.moved != want)
    s.differences.push_back("counters: evaluator " + format_counts(want) + ", kernel " + format_counts(ks.moved));
  if (ct_)
    if (auto d = compare_flow(tp.pkt)) s.differences.push_back(*d);
  s.kernel = std::move(ks);
  return s;
}

}  // namespace sentinel::testing
