// The packet model shared by the reference evaluator, `sentinelc explain`,
// packet tests and differential tests, with its text form and its bytes.
//
// Text form:  PROTO SRC[:PORT] -> DST[:PORT] [frag] [vlan N]...
//   tcp 10.0.0.1:1234 -> 10.0.0.2:22
//   udp [2001:db8::1]:53 -> [2001:db8::2]:5353
//   icmp 10.0.0.1 -> 10.0.0.2
//   proto 47 10.0.0.1 -> 10.0.0.2        (any other IP protocol by number)
//   tcp 10.0.0.1:1 -> 10.0.0.2:2 frag    (a non-first fragment: carries no ports)
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/pir/addr.h"

namespace sentinel::eval {

struct Packet {
  pir::Family family = pir::Family::V4;
  uint8_t proto = 6;  // IP protocol number
  pir::Addr src, dst;
  uint16_t sport = 0, dport = 0;
  bool fragment = false;  // non-first fragment: no L4 header
  std::vector<uint16_t> vlans;  // outer first; 802.1ad for the outer of two
  uint32_t payload = 0;         // L4 payload bytes
  // True when the packet carries L4 ports the firewall can match on.
  bool has_ports() const { return !fragment && (proto == 6 || proto == 17); }
};

std::optional<Packet> parse_packet(std::string_view text, std::string* error);
std::string format(const Packet& p);

// An Ethernet frame for the packet: VLAN tags, IPv4 (with a valid checksum)
// or IPv6 (with a fragment header when `fragment`), then the L4 header.
std::vector<uint8_t> build_frame(const Packet& p);

}  // namespace sentinel::eval
