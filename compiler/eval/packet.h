// The packet model shared by the reference evaluator, `sentinelc explain`,
// packet tests and differential tests, with its text form and its bytes.
//
// Text form:  PROTO SRC[:PORT] -> DST[:PORT] [OPTION]...
//   tcp 10.0.0.1:1234 -> 10.0.0.2:22          (a SYN)
//   tcp 10.0.0.1:1234 -> 10.0.0.2:22 [S.]     (TCP flags as tcpdump prints them:
//                                              S SYN, F FIN, R RST, P PSH, U URG, . ACK,
//                                              E ECE, W CWR)
//   udp [2001:db8::1]:53 -> [2001:db8::2]:5353
//   icmp 10.0.0.1 -> 10.0.0.2                 (echo request, id 1)
//   icmp 10.0.0.2 -> 10.0.0.1 type 0 id 7     (echo reply)
//   icmp 10.0.0.9 -> 10.0.0.1 type 3 code 3 inner udp 10.0.0.1:5000 -> 10.0.0.2:53
//                                             (an ICMP error quoting that packet;
//                                              `inner proto 47 ...` for others)
//   proto 47 10.0.0.1 -> 10.0.0.2             (any other IP protocol by number)
//   tcp 10.0.0.1:1 -> 10.0.0.2:2 frag         (a non-first fragment: carries no ports)
// Other options: `vlan N` (up to two), `len N` (payload bytes), `dscp N`,
// `on IFACE` (the interface it arrives on; none given: one no rule names).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/pir/addr.h"

namespace sentinel::eval {

// TCP flag bits as on the wire.
enum TcpFlag : uint8_t {
  kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10, kUrg = 0x20, kEce = 0x40, kCwr = 0x80
};

// The packet an ICMP error quotes: its IP header and first 8 L4 bytes.
struct Inner {
  uint8_t proto = 17;
  pir::Addr src, dst;
  uint16_t sport = 0, dport = 0;
  bool operator==(const Inner&) const = default;
};

struct Packet {
  pir::Family family = pir::Family::V4;
  uint8_t proto = 6;  // IP protocol number
  pir::Addr src, dst;
  uint16_t sport = 0, dport = 0;
  bool fragment = false;  // non-first fragment: no L4 header
  std::vector<uint16_t> vlans;  // outer first; 802.1ad for the outer of two
  uint32_t payload = 0;         // L4 payload bytes
  uint8_t tcp_flags = kSyn;     // TCP only
  uint8_t icmp_type = 8;        // ICMP/ICMPv6 only; 8 (v6: 128) is an echo request
  uint8_t icmp_code = 0;
  uint16_t icmp_id = 1;         // echo request/reply identifier
  uint8_t dscp = 0;             // DSCP of the IPv4 TOS / IPv6 traffic class
  std::string iface;            // arrival interface; empty: unnamed
  std::optional<Inner> inner;   // ICMP errors
  bool is_icmp() const { return proto == 1 || proto == 58; }
  // True when the packet carries L4 ports the firewall can match on.
  bool has_ports() const { return !fragment && (proto == 6 || proto == 17); }
};

std::optional<Packet> parse_packet(std::string_view text, std::string* error);
std::string format(const Packet& p);

// An Ethernet frame for the packet: VLAN tags, IPv4 (with a valid checksum)
// or IPv6 (with a fragment header when `fragment`), then the L4 header.
std::vector<uint8_t> build_frame(const Packet& p);

// A packet at a time, going in or out: `[@TIME] [in|out] PACKET`, TIME in
// seconds (`@1.5`) or with a unit (`@250ms`, `@2s`, `@5m`, `@2h`, `@5d`; also
// ns and us), as long as the conntrack timeouts it is meant to cross;
// default `@0 in`.
// For sequences through stateful domains (tests, explain).
struct TimedPacket {
  uint64_t time_ns = 0;
  bool egress = false;
  Packet pkt;
};
std::optional<TimedPacket> parse_timed_packet(std::string_view text, std::string* error);

// ICMP errors (v4: 3, 4, 5, 11, 12; v6: 1, 2, 3, 4) and echo (v4: 8, 0; v6: 128, 129).
bool is_icmp_error(const Packet& p);
bool is_echo_request(const Packet& p);
bool is_echo_reply(const Packet& p);

}  // namespace sentinel::eval
