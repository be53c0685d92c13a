// Connection tracking in status: the table's flows by protocol and state,
// read from the kernel, with the settings that run.
#include <cstring>
#include <ctime>
#include <map>

#include "compiler/dplan/classifier.h"
#include "compiler/eval/domains/conntrack.h"
#include "compiler/pir/domains/conntrack.h"
#include "enforcer/core/domain_view.h"

extern "C" {
#include "sentinel/abi/conntrack.h"
}

namespace sentinel::enforcer::core {

namespace {

using nlohmann::json;

uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

const char* proto_name(uint8_t p) {
  switch (p) {
    case 6: return "tcp";
    case 17: return "udp";
    case 1: return "icmp";
    case 58: return "icmpv6";
  }
  return "other";
}

json status(const ViewContext& c) {
  const auto& ct = *c.live.get<pir::Conntrack>();
  json timeouts = json::object();
  for (size_t i = 0; i < pir::kCtTimeouts; ++i)
    timeouts[pir::timeout_name(static_cast<pir::CtTimeout>(i))] = ct.timeouts_ns[i] / 1000000000ull;
  std::map<std::string, uint64_t> by_state;
  uint64_t live = 0, expired = 0;
  if (bpf::Fd m = c.state_map(SN_CT_MAP)) {
    uint64_t now = monotonic_ns();  // bpf_ktime_get_ns() is CLOCK_MONOTONIC
    for (const auto& key : c.k.keys(m, SN_CT_MAP)) {
      sn_ct_key k;
      sn_ct_entry e;
      std::memcpy(&k, key.data(), sizeof k);
      if (!c.k.lookup(m, SN_CT_MAP, &k, &e)) continue;
      bool alive = now < e.expires_ns && !(k.proto == 6 && e.tcp_state == SN_TCP_CLOSE);
      if (!alive) {
        ++expired;
        continue;
      }
      ++live;
      std::string name = proto_name(k.proto);
      if (k.proto == 6) name += std::string(" ") + eval::conntrack::tcp_state_name(e.tcp_state);
      else name += e.flags & SN_CT_F_SEEN_REPLY ? " replied" : " unreplied";
      ++by_state[name];
    }
  }
  return {{"established", ct.accept_established ? "allow" : "rules"},
          {"timeouts_s", timeouts},
          {"flows", live},
          {"expired_entries", expired},
          {"capacity", SN_CT_MAX_ENTRIES},
          {"by_state", by_state},
          {"created", c.counter(dplan::counter_key("conntrack", "created")).packets}};
}

std::vector<std::pair<std::string, std::string>> counters(const pir::Policy&) { return {{"conntrack", "created"}}; }

}  // namespace

const DomainView conntrack_view = {&status, {}, nullptr, &counters};

}  // namespace sentinel::enforcer::core
