#include "compiler/pir/pir.h"

#include <algorithm>
#include <array>
#include <string>

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
  if (proto == Proto::Icmp || is_v6_extension(proto)) f &= 1;
  if (proto == Proto::Icmpv6) f &= 2;
  if (family) f &= family;
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

namespace {

struct ProtoName {
  const char* name;
  uint16_t number;
};
// The names a rule may write after `proto`, as /etc/protocols spells them.
constexpr ProtoName kProtoNames[] = {
    {"any", 0},       {"icmp", 1},      {"igmp", 2},    {"ipip", 4},      {"tcp", 6},
    {"egp", 8},       {"pup", 12},      {"udp", 17},    {"idp", 22},      {"dccp", 33},
    {"ipv6", 41},     {"rsvp", 46},     {"gre", 47},    {"esp", 50},      {"ah", 51},
    {"icmpv6", 58},   {"eigrp", 88},    {"ospf", 89},   {"mtp", 92},      {"etherip", 97},
    {"encap", 98},    {"pim", 103},     {"vrrp", 112},  {"l2tp", 115},    {"isis", 124},
    {"sctp", 132},    {"udplite", 136}, {"mpls", 137},  {"icmp-any", 256},
};

const std::array<std::string, 257>& proto_texts() {
  static const std::array<std::string, 257> texts = [] {
    std::array<std::string, 257> t;
    for (unsigned i = 0; i < t.size(); ++i) t[i] = std::to_string(i);
    for (const auto& n : kProtoNames) t[n.number] = n.name;
    return t;
  }();
  return texts;
}

}  // namespace

bool is_v6_extension(Proto p) {
  switch (static_cast<uint16_t>(p)) {
    case 43: case 44: case 51: case 60: return true;
    default: return false;
  }
}

uint8_t proto_in(Proto p, Family f) {
  if (p == Proto::IcmpAny) return f == Family::V4 ? 1 : 58;
  return static_cast<uint8_t>(p);
}

const char* to_string(Proto p) {
  auto n = static_cast<uint16_t>(p);
  if (n > 256) return "any";
  return proto_texts()[n].c_str();
}

std::optional<Proto> proto_by_name(std::string_view name) {
  for (const auto& n : kProtoNames)
    if (name == n.name) return static_cast<Proto>(n.number);
  if (name == "ipv6-icmp" || name == "icmp6") return Proto::Icmpv6;
  return std::nullopt;
}

namespace {
constexpr std::pair<char, uint8_t> kFlagLetters[] = {{'F', 0x01}, {'S', 0x02}, {'R', 0x04}, {'P', 0x08},
                                                     {'A', 0x10}, {'U', 0x20}, {'E', 0x40}, {'C', 0x80}};
}

namespace {
struct IcmpName {
  const char* name;
  int v4, v6;  // -1: none in that family
};
constexpr IcmpName kIcmpTypes[] = {
    {"echo-reply", 0, 129},          {"destination-unreachable", 3, 1}, {"source-quench", 4, -1},
    {"redirect", 5, 137},            {"echo-request", 8, 128},          {"router-advertisement", 9, 134},
    {"router-solicitation", 10, 133}, {"time-exceeded", 11, 3},         {"parameter-problem", 12, 4},
    {"timestamp-request", 13, -1},   {"timestamp-reply", 14, -1},       {"packet-too-big", -1, 2},
    {"neighbor-solicitation", -1, 135}, {"neighbor-advertisement", -1, 136},
    {"mld-listener-query", -1, 130}, {"mld-listener-report", -1, 131},  {"mld-listener-done", -1, 132},
};
constexpr IcmpName kIcmpCodes[] = {
    {"net-unreachable", 0, -1},       {"host-unreachable", 1, -1},  {"protocol-unreachable", 2, -1},
    {"port-unreachable", 3, 4},       {"fragmentation-needed", 4, -1}, {"admin-prohibited", 13, 1},
    {"no-route", -1, 0},              {"address-unreachable", -1, 3},  {"ttl-exceeded", 0, 0},
    {"reassembly-exceeded", 1, 1},
};
std::optional<uint8_t> icmp_lookup(const IcmpName* b, const IcmpName* e, std::string_view name, Family f) {
  for (; b != e; ++b) {
    if (name != b->name) continue;
    int v = f == Family::V4 ? b->v4 : b->v6;
    if (v < 0) return std::nullopt;
    return static_cast<uint8_t>(v);
  }
  return std::nullopt;
}
}  // namespace

std::optional<uint8_t> icmp_type_by_name(std::string_view name, Family f) {
  return icmp_lookup(std::begin(kIcmpTypes), std::end(kIcmpTypes), name, f);
}

std::optional<uint8_t> icmp_code_by_name(std::string_view name, Family f) {
  return icmp_lookup(std::begin(kIcmpCodes), std::end(kIcmpCodes), name, f);
}

bool Match::iface_matches(const std::string& iface) const {
  if (ifaces.empty()) return true;
  return std::binary_search(ifaces.begin(), ifaces.end(), iface) != iface_negate;
}

bool ifaces_meet(const Match& a, const Match& b) {
  // Any interface that neither names behaves like the empty name.
  if (a.iface_matches("") && b.iface_matches("")) return true;
  for (const Match* m : {&a, &b})
    for (const auto& n : m->ifaces)
      if (a.iface_matches(n) && b.iface_matches(n)) return true;
  return false;
}

bool valid_iface_name(std::string_view name) {
  if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
  for (char c : name)
    if (c == '/' || c == ':' || c == ',' || c == '"' || c == '\\' || static_cast<unsigned char>(c) <= ' ' || c == 0x7f)
      return false;
  return true;
}

std::optional<uint8_t> dscp_by_name(std::string_view name) {
  if (name == "ef") return 46;
  if (name == "va") return 44;
  if (name.size() == 3 && name.substr(0, 2) == "cs" && name[2] >= '0' && name[2] <= '7')
    return static_cast<uint8_t>((name[2] - '0') * 8);
  if (name.size() == 4 && name.substr(0, 2) == "af" && name[2] >= '1' && name[2] <= '4' && name[3] >= '1' &&
      name[3] <= '3')
    return static_cast<uint8_t>((name[2] - '0') * 8 + (name[3] - '0') * 2);
  return std::nullopt;
}

std::string tcp_flags_text(uint8_t flags) {
  std::string s;
  for (const auto& [c, bit] : kFlagLetters)
    if (flags & bit) s += c;
  return s;
}

std::optional<uint8_t> tcp_flags_of(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint8_t v = 0;
  for (char c : text) {
    bool found = false;
    for (const auto& [l, bit] : kFlagLetters) {
      if (c == l || c == l + ('a' - 'A')) {
        if (v & bit) return std::nullopt;
        v |= bit;
        found = true;
      }
    }
    if (!found) return std::nullopt;
  }
  return v;
}

const char* to_string(Mode m) { return m == Mode::Audit ? "audit" : "enforce"; }

}  // namespace sentinel::pir
