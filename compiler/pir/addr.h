// IP addresses, CIDRs and port ranges: the value types shared by every stage.
#pragma once
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel::pir {

enum class Family : uint8_t { V4 = 4, V6 = 6 };

// Address bytes in network order; IPv4 uses the first 4 bytes, the rest zero.
struct Addr {
  Family family = Family::V4;
  std::array<uint8_t, 16> bytes{};
  auto operator<=>(const Addr&) const = default;
  unsigned bits() const { return family == Family::V4 ? 32 : 128; }
  unsigned __int128 value() const;  // as an unsigned integer of bits() width
  static Addr from_value(Family f, unsigned __int128 v);
};

struct Cidr {
  Addr addr;  // host bits always clear
  uint8_t len = 0;
  auto operator<=>(const Cidr&) const = default;
  bool contains(const Addr& a) const;
  bool contains(const Cidr& c) const;
  unsigned __int128 first() const;
  unsigned __int128 last() const;
};

struct PortRange {
  uint16_t lo = 0;
  uint16_t hi = 65535;
  auto operator<=>(const PortRange&) const = default;
  bool contains(uint16_t p) const { return p >= lo && p <= hi; }
};

std::optional<Addr> parse_addr(std::string_view s);
// "a.b.c.d/len", "x::/len" or a bare address (full-length prefix). When the
// text has host bits set, `host_bits` is set and the returned CIDR is masked.
std::optional<Cidr> parse_cidr(std::string_view s, bool* host_bits = nullptr);
// The same text without masking: the address exactly as written.
std::optional<Cidr> parse_prefix(std::string_view s);
std::string format(const Addr& a);
std::string format(const Cidr& c);  // bare address when the prefix is full length
std::string format(const PortRange& r);  // "80" or "8000..8099"

}  // namespace sentinel::pir
