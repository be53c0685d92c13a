#include "tests/diff/packet_gen.h"

#include "tests/support/test_policy.h"

namespace sentinel::testing {

namespace {
void add_cidr_edges(const pir::Cidr& c, std::vector<pir::Addr>& out) {
  auto f = c.addr.family;
  unsigned __int128 max = f == pir::Family::V4 ? 0xffffffffu : ~static_cast<unsigned __int128>(0);
  unsigned __int128 first = c.first(), last = c.last();
  out.push_back(pir::Addr::from_value(f, first));
  out.push_back(pir::Addr::from_value(f, last));
  if (first > 0) out.push_back(pir::Addr::from_value(f, first - 1));
  if (last < max) out.push_back(pir::Addr::from_value(f, last + 1));
  out.push_back(pir::Addr::from_value(f, first + (last - first) / 2));
}
void add_range_edges(const pir::PortRange& r, std::vector<uint16_t>& out) {
  out.push_back(r.lo);
  out.push_back(r.hi);
  if (r.lo > 0) out.push_back(r.lo - 1);
  if (r.hi < 65535) out.push_back(r.hi + 1);
}
}  // namespace

PacketGenerator::PacketGenerator(const pir::Policy& policy, uint64_t seed) : rng_(seed) {
  auto add = [&](const pir::AddrMatch& m) {
    for (const auto& c : m.cidrs) add_cidr_edges(c, c.addr.family == pir::Family::V4 ? v4_ : v6_);
  };
  for (const auto& r : fw(policy).rules) {
    add(r.match.src);
    add(r.match.dst);
    for (const auto& pr : r.match.sport.ranges) add_range_edges(pr, ports_);
    for (const auto& pr : r.match.dport.ranges) add_range_edges(pr, ports_);
  }
  ports_.push_back(0);
  ports_.push_back(65535);
}

pir::Addr PacketGenerator::addr(pir::Family f) {
  auto& pool = f == pir::Family::V4 ? v4_ : v6_;
  if (!pool.empty() && rng_() % 4 != 0) return pool[rng_() % pool.size()];
  unsigned __int128 v = (static_cast<unsigned __int128>(rng_()) << 64) | rng_();
  if (f == pir::Family::V4) v &= 0xffffffffu;
  return pir::Addr::from_value(f, v);
}

uint16_t PacketGenerator::port() {
  if (rng_() % 4 != 0) return ports_[rng_() % ports_.size()];
  return static_cast<uint16_t>(rng_());
}

eval::Packet PacketGenerator::next() {
  eval::Packet p;
  p.family = rng_() % 3 == 0 ? pir::Family::V6 : pir::Family::V4;
  static const uint8_t kProtos[] = {6, 6, 6, 17, 17, 17, 1, 58, 47};
  do {
    p.proto = kProtos[rng_() % std::size(kProtos)];
  } while ((p.proto == 1 && p.family == pir::Family::V6) || (p.proto == 58 && p.family == pir::Family::V4));
  p.src = addr(p.family);
  p.dst = addr(p.family);
  if (p.proto == 6 || p.proto == 17) {
    p.sport = port();
    p.dport = port();
  }
  p.fragment = rng_() % 20 == 0;
  unsigned tags = rng_() % 10;
  if (tags == 0) p.vlans = {static_cast<uint16_t>(rng_() % 4096)};
  if (tags == 1) p.vlans = {static_cast<uint16_t>(rng_() % 4096), static_cast<uint16_t>(rng_() % 4096)};
  p.payload = static_cast<uint32_t>(rng_() % 64);
  return p;
}

}  // namespace sentinel::testing
