// Connection tracking, as bpf-templates/include/sentinel/abi/conntrack.h
// specifies it: the packet-state classification the firewall sees at XDP and
// the tracking the TC programs do, over a table of flows.
//
// Tracking, in short (docs/language.md has the whole of it): with no live
// flow, a plain SYN creates one in SYN_SENT, UDP, an echo request or another
// protocol creates one, a TCP packet with neither SYN nor RST is picked up
// mid-stream as ESTABLISHED, and a SYN+ACK, a RST or an echo reply creates
// nothing. On a live flow, a plain SYN is a retransmission only in SYN_SENT
// in the original direction and a reopening only in TIME_WAIT (CLOSE flows
// are not live); any other plain SYN changes nothing, not even the expiry.
// Invalid flag combinations, non-first fragments and ICMP errors are never
// tracked.
#pragma once
#include <array>
#include <cstdint>
#include <map>

#include "compiler/eval/eval.h"
#include "compiler/pir/domains/conntrack.h"

namespace sentinel::eval::conntrack {

enum TcpState : uint8_t { kNone = 0, kSynSent = 1, kSynRecv = 2, kEstablished = 3, kFinWait = 4, kTimeWait = 5, kClose = 6 };
enum Flags : uint8_t { kOrigIsA = 1, kSeenReply = 2, kPickedUp = 4, kFinOrig = 8, kFinReply = 16 };

// Both directions of a flow: endpoint a is the smaller (address bytes, port).
struct Key {
  uint8_t family = 4;
  uint8_t proto = 0;
  uint16_t port_a = 0, port_b = 0;
  std::array<uint8_t, 16> addr_a{}, addr_b{};
  auto operator<=>(const Key&) const = default;
};

struct Entry {
  uint64_t expires_ns = 0, created_ns = 0, last_ns = 0;
  uint8_t tcp_state = kNone;
  uint8_t flags = 0;
};

struct Table : DomainState {
  std::map<Key, Entry> flows;
};

// The flow key of a packet and whether the packet goes from a to b; nullopt
// for packets that are not tracked (non-first fragments, ICMP other than echo).
struct Keyed {
  Key key;
  bool from_a = true;
};
std::optional<Keyed> key_of(const Packet& pkt);

pir::CtState classify(const Table& t, const Packet& pkt, uint64_t now_ns);
// Returns whether a flow was created.
bool track(Table& t, const pir::Conntrack& cfg, const Packet& pkt, uint64_t now_ns);

const char* tcp_state_name(uint8_t s);

}  // namespace sentinel::eval::conntrack
