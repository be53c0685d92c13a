#include "compiler/pir/pir.h"

#include <algorithm>

namespace sentinel::pir {

namespace {
unsigned addr_families(const AddrMatch& m) {
  if (m.any) return 3;
  unsigned f = 0;
  for (const auto& c : m.cidrs) f |= c.addr.family == Family::V4 ? 1u : 2u;
  return f;
}
}  // namespace

unsigned Match::families() const {
  unsigned f = addr_families(src) & addr_families(dst);
  if (proto == Proto::Icmp) f &= 1;
  if (proto == Proto::Icmpv6) f &= 2;
  return f;
}

const Set* Policy::find_set(std::string_view name) const {
  for (const auto& s : sets)
    if (s.name == name) return &s;
  return nullptr;
}

const Block* Policy::block(DomainId d) const {
  for (const auto& b : blocks)
    if (b->domain() == d) return b.get();
  return nullptr;
}

void Policy::put(Poly<Block> b) {
  DomainId d = b->domain();
  auto it = std::find_if(blocks.begin(), blocks.end(), [&](const Poly<Block>& x) { return x->domain() >= d; });
  if (it != blocks.end() && (*it)->domain() == d)
    *it = std::move(b);
  else
    blocks.insert(it, std::move(b));
}

const char* to_string(Proto p) {
  switch (p) {
    case Proto::Any: return "any";
    case Proto::Icmp: return "icmp";
    case Proto::Tcp: return "tcp";
    case Proto::Udp: return "udp";
    case Proto::Icmpv6: return "icmpv6";
  }
  return "any";
}

const char* to_string(Mode m) { return m == Mode::Audit ? "audit" : "enforce"; }

}  // namespace sentinel::pir
