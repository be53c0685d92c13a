// Generated traffic for differential testing.
//
// PacketGenerator: single packets drawn mostly from the edges of what the
// policy mentions (first and last address of every prefix, one outside each
// end, range boundaries and their neighbours), the rest random, so that every
// rule and every boundary is exercised.
//
// TrafficGenerator: a sequence of timed packets, in and out, the way hosts
// talk: conversations that open, answer, carry data and close (TCP
// handshakes and FINs, UDP exchanges, ICMP echo, other protocols), with the
// mistakes real traffic has (stray SYNs, impossible flags, resets, packets
// of no conversation, ICMP errors about live and dead flows), bursts that
// exceed the rate limits, and a clock that mostly creeps and sometimes jumps
// to just before, at or just after a timeout or a rate's interval.
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <random>
#include <vector>

#include "compiler/eval/packet.h"
#include "compiler/pir/pir.h"

namespace sentinel::testing {

class PacketGenerator {
 public:
  PacketGenerator(const pir::Policy& policy, uint64_t seed);
  eval::Packet next();
  pir::Addr addr(pir::Family f);
  uint16_t port();
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
  std::vector<pir::Addr> v4_, v6_;
  std::vector<uint16_t> ports_;
  // What the policy's match options name, so that packets meet them (and
  // their neighbours) often: DSCPs, VLAN ids, ICMP and ICMPv6 types and codes.
  std::vector<uint8_t> dscps_, icmp4_types_, icmp6_types_, icmp_codes_;
  std::vector<uint16_t> vlans_;
  std::vector<std::string> ifaces_;

 public:
  // Match options for `p`: TCP flags, ICMP type and code, DSCP, VLAN tags.
  void options(eval::Packet& p);

 private:
};

class TrafficGenerator {
 public:
  TrafficGenerator(const pir::Policy& policy, uint64_t seed, uint64_t start_ns = 0);
  eval::TimedPacket next();

 private:
  struct Conversation {
    pir::Family family = pir::Family::V4;
    uint8_t proto = 6;
    pir::Addr local, remote;
    uint16_t lport = 0, rport = 0;
    uint16_t icmp_id = 1;
    bool local_opens = true;
    int step = 0;  // TCP: how far the script has gone
  };

  void advance_clock();
  eval::TimedPacket packet_of(const Conversation& c, bool from_local, uint8_t flags);
  eval::TimedPacket open();
  eval::TimedPacket carry_on(Conversation& c);
  eval::TimedPacket icmp_error();
  eval::TimedPacket stray();
  void flood();
  Conversation aimed_at(const pir::Match& m);
  pir::Addr addr_in(const pir::AddrMatch& m, pir::Family f);
  uint16_t port_in(const pir::PortMatch& m);

  PacketGenerator single_;
  std::mt19937_64& rng_;
  uint64_t now_;
  std::vector<uint64_t> durations_;  // timeouts and rate intervals of the policy
  uint64_t flood_ = 60;              // how many packets at once exceed the policy's limits
  std::deque<Conversation> talks_;
  std::vector<pir::Match> limited_;  // what the rate limits match
  std::vector<pir::Match> judged_;   // what the firewall's rules match
  std::deque<eval::TimedPacket> burst_;  // packets still to send at once, in order
};

}  // namespace sentinel::testing
