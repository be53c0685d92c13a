// Policy IR: typed, resolved, domain-neutral at the top level. Every stage
// after sema works on this; it prints to text and parses back losslessly
// (parse(print(p)) == p; the form is described in print.cpp), which is how
// bundles carry the policy and how the enforcer reads the live policy back
// from the kernel.
//
// This header holds what domains share: sets, matches, modes, locations, and
// the base of a domain block. Each domain's block is in pir/domains/.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/domains/domain_id.h"
#include "compiler/pir/addr.h"
#include "compiler/support/poly.h"

namespace sentinel::pir {

class TextLine;

// Source location carried for explain, diff and diagnostics after sema.
struct Loc {
  std::string file;
  uint32_t line = 0;
  uint32_t col = 0;
  bool operator==(const Loc&) const = default;
};

enum class SetKind : uint8_t { Cidr, Port, Iface };

struct Set {
  std::string name;
  SetKind kind = SetKind::Cidr;
  std::vector<Cidr> cidrs;          // kind == Cidr, in source order, deduplicated
  std::vector<PortRange> ports;     // kind == Port
  std::vector<std::string> ifaces;  // kind == Iface
  Loc loc;
  bool operator==(const Set&) const = default;
};

// An address constraint. `any` matches every address of the rule's families.
// Otherwise the packet address must lie in one of `cidrs` (of its own family),
// or, with `negate`, in none of them.
struct AddrMatch {
  bool any = true;
  bool negate = false;
  std::vector<Cidr> cidrs;  // resolved: literal elements and set elements
  std::string set;          // the set it came from, for printing; empty for literals
  bool operator==(const AddrMatch&) const = default;
};

struct PortMatch {
  bool any = true;
  std::vector<PortRange> ranges;
  std::string set;
  bool operator==(const PortMatch&) const = default;
};

// The IP protocol a rule matches: any, an IP protocol number (1..255; the
// named members are the common ones, every other number is valid too), or
// IcmpAny, ICMP of the packet's family (1 for IPv4, 58 for IPv6).
enum class Proto : uint16_t {
  Any = 0,
  Icmp = 1,
  Tcp = 6,
  Udp = 17,
  Gre = 47,
  Esp = 50,
  Ah = 51,
  Icmpv6 = 58,
  Sctp = 132,
  IcmpAny = 256,
};
inline Proto proto_number(uint8_t n) { return static_cast<Proto>(n); }
// The protocol number a packet of family `f` carries for `p`; 0 for Any.
uint8_t proto_in(Proto p, Family f);
// An IPv6 extension header (routing 43, fragment 44, AH 51, destination
// options 60): in IPv6 the protocol of a packet is what follows them, so a
// rule for one of these protocols matches IPv4 only.
bool is_v6_extension(Proto p);
enum class Mode : uint8_t { Enforce = 0, Audit = 1 };

// What a rule matches, in every domain whose rules match packets.
//
// Beyond addresses, ports and protocol a rule may constrain (each unset by
// default, and then matching every packet):
//   family      bit 0 IPv4, bit 1 IPv6: `ipv4`, `ipv6` (0: both)
//   tcp flags   (flags & tcp_mask) == tcp_flags, TCP packets only
//   ICMP        type and code: icmp_type/icmp_code for ICMP (IPv4),
//               icmp6_type/icmp6_code for ICMPv6 (both pairs for IcmpAny)
//   dscp        the DSCP of the IPv4 TOS or IPv6 traffic class
//   vlan        the id of the outer VLAN tag; vlan_inner the inner tag's id
//               of a double-tagged (802.1ad) frame
//   ifaces      the interface the packet arrived on is one of these names
//               (sorted, unique), or with iface_negate none of them
struct Match {
  Proto proto = Proto::Any;
  AddrMatch src, dst;
  PortMatch sport, dport;
  uint8_t family = 0;
  uint8_t tcp_flags = 0, tcp_mask = 0;  // tcp_mask 0: any flags
  int16_t icmp_type = -1, icmp_code = -1, icmp6_type = -1, icmp6_code = -1;
  int8_t dscp = -1;
  int16_t vlan = -1, vlan_inner = -1;
  std::vector<std::string> ifaces;
  bool iface_negate = false;
  bool operator==(const Match&) const = default;
  // The families this match can match: bit 0 IPv4, bit 1 IPv6. Derived from
  // the address constraints, the family and the protocol; sema rejects rules
  // where it is 0.
  unsigned families() const;
  bool has_ports() const { return !sport.any || !dport.any; }
  // Does a packet arriving on `iface` (empty: one no rule names) meet `ifaces`?
  bool iface_matches(const std::string& iface) const;
  // Has a constraint beyond family, addresses, ports and protocol.
  bool has_extra() const {
    return tcp_mask || icmp_type >= 0 || icmp6_type >= 0 || icmp_code >= 0 || icmp6_code >= 0 || dscp >= 0 ||
           vlan >= 0 || vlan_inner >= 0 || !ifaces.empty();
  }
};

// A domain block. Each domain derives its own from BlockOf<itself>.
struct Block {
  Loc loc;
  virtual ~Block() = default;
  virtual DomainId domain() const = 0;
  virtual std::unique_ptr<Block> clone() const = 0;
  virtual bool equals(const Block& other) const = 0;
  // Its lines of the canonical text: a header line that starts with the
  // domain's name, then its item lines.
  virtual void print(std::string& out) const = 0;
  // The rest of the header line, after the domain's name.
  virtual void parse_header(TextLine& in) = 0;
  // An item line that follows the header; `keyword` is its first word.
  virtual void parse_item(std::string_view keyword, TextLine& in) = 0;
  bool operator==(const Block&) const = default;
};

template <class Derived>
struct BlockOf : PolyImpl<Derived, Block> {
  DomainId domain() const override { return Derived::kDomain; }
  bool operator==(const BlockOf&) const = default;
};

struct Policy {
  std::vector<Set> sets;             // sorted by name
  std::vector<Poly<Block>> blocks;   // ascending domain, at most one per domain
  // Where the policy runs: the interface group its blocks name (`on @edge`),
  // its members sorted; empty when the policy names none (chosen at apply).
  std::string interface_set;
  std::vector<std::string> interfaces;
  bool operator==(const Policy&) const = default;

  const Set* find_set(std::string_view name) const;
  const Block* block(DomainId d) const;
  template <class T>
  const T* get() const {
    return static_cast<const T*>(block(T::kDomain));
  }
  template <class T>
  T* get_mut() {
    return const_cast<T*>(get<T>());
  }
  // Adds a block, or replaces the block of its domain; keeps the order.
  void put(Poly<Block> b);
};

// "tcp", "gre", "icmp-any", or the number ("99") of an unnamed protocol.
const char* to_string(Proto p);
// A protocol by its name (the names to_string gives, and "ipv6-icmp",
// "icmp6"); nullopt when unknown.
std::optional<Proto> proto_by_name(std::string_view name);
// TCP flags as written in rules and packets: "S", "SA", "FSRPAU" (S SYN,
// F FIN, R RST, P PSH, A ACK, U URG, E ECE, C CWR).
std::string tcp_flags_text(uint8_t flags);
std::optional<uint8_t> tcp_flags_of(std::string_view text);
// ICMP (v4) or ICMPv6 type and code names ("echo-request", "port-unreachable")
// in family `f`; nullopt when the family has no such name.
std::optional<uint8_t> icmp_type_by_name(std::string_view name, Family f);
std::optional<uint8_t> icmp_code_by_name(std::string_view name, Family f);
// Some interface meets the `on` of both matches.
bool ifaces_meet(const Match& a, const Match& b);
// An interface name Sentinel accepts: what Linux accepts (1..15 bytes, not
// `.` or `..`, no `/`, `:` or whitespace), and no `,`, `"` or backslash.
bool valid_iface_name(std::string_view name);
// DSCP names: cs0..cs7, af11..af43, ef, va.
std::optional<uint8_t> dscp_by_name(std::string_view name);
const char* to_string(Mode m);

// A match as the policy language writes it: `any`, `@trusted`, `!10.0.0.0/8`,
// `{80, 8000..8099}`. For messages: explain, diagnostics, plans.
std::string source_text(const AddrMatch& m);
std::string source_text(const PortMatch& m);
// "tcp from @office to any port 22": the match clause of a rule.
std::string source_text(const Match& m);

// Canonical text. Deterministic: the same policy always prints the same bytes.
std::string print(const Policy& p);
// Parses the text print() produces. On failure returns nullopt and sets
// `error` to "line N: problem".
std::optional<Policy> parse(std::string_view text, std::string* error);

}  // namespace sentinel::pir
