#include "tests/diff/packet_gen.h"

#include <type_traits>

#include "compiler/eval/packet.h"
#include "compiler/pir/domains/conntrack.h"
#include "compiler/pir/domains/firewall.h"
#include "compiler/pir/domains/ratelimit.h"

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

// Every match of every domain that matches packets.
std::vector<const pir::Match*> matches(const pir::Policy& p) {
  std::vector<const pir::Match*> out;
  if (const auto* fw = p.get<pir::Firewall>())
    for (const auto& r : fw->rules) out.push_back(&r.match);
  if (const auto* rl = p.get<pir::RateLimit>())
    for (const auto& r : rl->rules) out.push_back(&r.match);
  return out;
}

// Invalid and odd flag combinations beside the ones conversations use.
constexpr uint8_t kOddFlags[] = {
    eval::kSyn,
    eval::kSyn | eval::kAck,
    eval::kAck,
    eval::kPsh | eval::kAck,
    eval::kFin | eval::kAck,
    eval::kRst,
    eval::kRst | eval::kAck,
    eval::kFin,
    eval::kSyn | eval::kFin,
    eval::kSyn | eval::kRst,
    eval::kFin | eval::kRst | eval::kAck,
    0,
    eval::kUrg,
    eval::kPsh,
    eval::kUrg | eval::kAck,
    eval::kSyn | eval::kPsh,
    eval::kSyn | eval::kUrg,
};

}  // namespace

PacketGenerator::PacketGenerator(const pir::Policy& policy, uint64_t seed) : rng_(seed) {
  for (const pir::Match* m : matches(policy)) {
    for (const auto* a : {&m->src, &m->dst})
      for (const auto& c : a->cidrs) add_cidr_edges(c, c.addr.family == pir::Family::V4 ? v4_ : v6_);
    for (const auto& pr : m->sport.ranges) add_range_edges(pr, ports_);
    for (const auto& pr : m->dport.ranges) add_range_edges(pr, ports_);
    if (m->dscp >= 0) dscps_.push_back(static_cast<uint8_t>(m->dscp));
    ifaces_.insert(ifaces_.end(), m->ifaces.begin(), m->ifaces.end());
    for (int v : {m->vlan, m->vlan_inner})
      if (v >= 0) vlans_.push_back(static_cast<uint16_t>(v));
    if (m->icmp_type >= 0) icmp4_types_.push_back(static_cast<uint8_t>(m->icmp_type));
    if (m->icmp6_type >= 0) icmp6_types_.push_back(static_cast<uint8_t>(m->icmp6_type));
    for (int c : {m->icmp_code, m->icmp6_code})
      if (c >= 0) icmp_codes_.push_back(static_cast<uint8_t>(c));
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

void PacketGenerator::options(eval::Packet& p) {
  auto from = [&](const auto& pool, auto fallback) {
    using T = typename std::decay_t<decltype(pool)>::value_type;
    if (!pool.empty() && rng_() % 2) return static_cast<T>(pool[rng_() % pool.size()] + (rng_() % 8 == 0));
    return static_cast<T>(fallback);
  };
  if (rng_() % 3 == 0) p.dscp = from(dscps_, rng_() % 64) & 63;
  // An interface a rule names, or one none names.
  if (!ifaces_.empty() && rng_() % 3) p.iface = ifaces_[rng_() % ifaces_.size()];
  if (p.is_icmp() && !p.inner && rng_() % 3 == 0) {
    // Types that are neither errors nor echo keep the packet simple to
    // build; errors need the packet they quote.
    uint8_t t = from(p.proto == 1 ? icmp4_types_ : icmp6_types_, rng_() % 256);
    bool error = p.proto == 1 ? (t == 3 || t == 4 || t == 5 || t == 11 || t == 12) : (t >= 1 && t <= 4);
    if (!error) {
      p.icmp_type = t;
      p.icmp_code = from(icmp_codes_, rng_() % 16);
    }
  }
  unsigned tags = rng_() % 6;
  auto id = [&] { return static_cast<uint16_t>(from(vlans_, rng_() % 4096) & 0xfff); };
  if (tags == 0) p.vlans = {id()};
  if (tags == 1) p.vlans = {id(), id()};
}

uint16_t PacketGenerator::port() {
  if (rng_() % 4 != 0) return ports_[rng_() % ports_.size()];
  return static_cast<uint16_t>(rng_());
}

eval::Packet PacketGenerator::next() {
  eval::Packet p;
  p.family = rng_() % 3 == 0 ? pir::Family::V6 : pir::Family::V4;
  static const uint8_t kProtos[] = {6, 6, 6, 17, 17, 17, 1, 58, 47, 50, 51, 132};
  do {
    p.proto = kProtos[rng_() % std::size(kProtos)];
  } while ((p.proto == 1 && p.family == pir::Family::V6) || (p.proto == 58 && p.family == pir::Family::V4) ||
           (p.proto == 51 && p.family == pir::Family::V6));  // AH: an IPv6 extension header
  p.src = addr(p.family);
  p.dst = addr(p.family);
  if (p.proto == 6 || p.proto == 17) {
    p.sport = port();
    p.dport = port();
  }
  if (p.proto == 6) p.tcp_flags = kOddFlags[rng_() % std::size(kOddFlags)];
  if (p.is_icmp()) {
    // Echo, and types that are neither echo nor errors.
    static const uint8_t k4[] = {8, 0, 13, 9}, k6[] = {128, 129, 135, 134};
    p.icmp_type = p.proto == 1 ? k4[rng_() % 4] : k6[rng_() % 4];
    p.icmp_id = rng_() % 2 ? 1 : static_cast<uint16_t>(rng_());
  }
  p.fragment = rng_() % 20 == 0;
  options(p);
  p.payload = static_cast<uint32_t>(rng_() % 64);
  return p;
}

TrafficGenerator::TrafficGenerator(const pir::Policy& policy, uint64_t seed, uint64_t start_ns)
    : single_(policy, seed), rng_(single_.rng()), now_(start_ns) {
  if (const auto* fw = policy.get<pir::Firewall>())
    for (const auto& r : fw->rules) judged_.push_back(r.match);
  if (const auto* ct = policy.get<pir::Conntrack>())
    for (size_t i = 0; i < pir::kCtTimeouts; ++i) durations_.push_back(ct->timeout(static_cast<pir::CtTimeout>(i)));
  if (const auto* rl = policy.get<pir::RateLimit>())
    for (const auto& r : rl->rules) {
      durations_.push_back(r.rate.unit_ns() / r.rate.count);  // one packet's worth
      durations_.push_back(r.rate.unit_ns());
      if (r.window_ns) durations_.push_back(r.window_ns);
      limited_.push_back(r.match);
      uint64_t limit = pir::is_window(r.algorithm) ? r.window_limit() : r.burst;
      flood_ = std::max<uint64_t>(flood_, std::min<uint64_t>(limit * 2 + 10, 400));
    }
}

void TrafficGenerator::advance_clock() {
  unsigned r = rng_() % 100;
  if (r < 40) return;  // at once
  if (r < 80) {
    now_ += 1000 + rng_() % 10'000'000;  // 1 us .. 10 ms
  } else if (r < 95) {
    now_ += 10'000'000 + rng_() % 2'000'000'000;  // 10 ms .. 2 s
  } else if (!durations_.empty()) {
    // Just before, at, or just after a timeout or an interval.
    uint64_t d = durations_[rng_() % durations_.size()];
    static const int64_t kNudge[] = {-1, 0, 1, -1000, 1000};
    now_ += d + kNudge[rng_() % std::size(kNudge)];
  } else {
    now_ += rng_() % 600'000'000'000ull;
  }
}

eval::TimedPacket TrafficGenerator::packet_of(const Conversation& c, bool from_local, uint8_t flags) {
  eval::TimedPacket tp;
  tp.time_ns = now_;
  // Now and then a packet turns up at the other hook than its source would
  // use: conntrack keys both directions alike, whichever way it is seen.
  tp.egress = rng_() % 50 == 0 ? !from_local : from_local;
  eval::Packet& p = tp.pkt;
  p.family = c.family;
  p.proto = c.proto;
  p.src = from_local ? c.local : c.remote;
  p.dst = from_local ? c.remote : c.local;
  if (c.proto == 6 || c.proto == 17) {
    p.sport = from_local ? c.lport : c.rport;
    p.dport = from_local ? c.rport : c.lport;
  }
  if (c.proto == 6) p.tcp_flags = flags;
  if (p.is_icmp()) {
    bool opener = from_local == c.local_opens;
    bool request = rng_() % 8 == 0 ? !opener : opener;
    p.icmp_type = c.proto == 1 ? (request ? 8 : 0) : (request ? 128 : 129);
    p.icmp_id = c.icmp_id;
  }
  p.payload = static_cast<uint32_t>(rng_() % 100);
  if (rng_() % 100 == 0) p.fragment = true;
  if (rng_() % 2 == 0) {
    // The options of the conversation's packets vary packet by packet; ICMP
    // keeps its echo types, which the conversation is about.
    uint8_t type = p.icmp_type, code = p.icmp_code;
    single_.options(p);
    if (rng_() % 4) p.icmp_type = type, p.icmp_code = code;
  }
  return tp;
}

eval::TimedPacket TrafficGenerator::open() {
  // Half the conversations are aimed at a firewall rule: with hundreds of
  // rules that each name both ends, random ends would meet none of them.
  if (!judged_.empty() && rng_() % 2) {
    Conversation c = aimed_at(judged_[rng_() % judged_.size()]);
    c.local_opens = rng_() % 4 == 0;
    c.step = 0;
    if (talks_.size() >= 64) talks_.pop_front();
    talks_.push_back(c);
    return carry_on(talks_.back());
  }
  Conversation c;
  c.family = rng_() % 3 == 0 ? pir::Family::V6 : pir::Family::V4;
  static const uint8_t kProtos[] = {6, 6, 6, 6, 17, 17, 17, 1, 47, 50};
  c.proto = kProtos[rng_() % std::size(kProtos)];
  if (c.proto == 1 && c.family == pir::Family::V6) c.proto = 58;
  c.local = single_.addr(c.family);
  c.remote = single_.addr(c.family);
  c.lport = rng_() % 2 ? single_.port() : static_cast<uint16_t>(32768 + rng_() % 28000);
  c.rport = single_.port();
  // ICMP errors quote an echo with identifier 1 (build_frame).
  c.icmp_id = rng_() % 2 ? 1 : static_cast<uint16_t>(rng_());
  c.local_opens = rng_() % 2;
  if (talks_.size() >= 64) talks_.pop_front();
  talks_.push_back(c);
  return carry_on(talks_.back());
}

// The next packet of a conversation: TCP follows its handshake, data and
// close, with one packet in seven off the script.
eval::TimedPacket TrafficGenerator::carry_on(Conversation& c) {
  bool opener = c.local_opens;
  if (c.proto != 6) {
    bool from_opener = c.step++ == 0 || rng_() % 2;
    return packet_of(c, from_opener ? opener : !opener, 0);
  }
  if (rng_() % 7 == 0) return packet_of(c, rng_() % 2, kOddFlags[rng_() % std::size(kOddFlags)]);
  int s = c.step++;
  switch (s) {
    case 0: return packet_of(c, opener, eval::kSyn);
    case 1: return packet_of(c, !opener, eval::kSyn | eval::kAck);
    case 2: return packet_of(c, opener, eval::kAck);
    default: break;
  }
  unsigned r = rng_() % 20;
  bool side = rng_() % 2 ? opener : !opener;
  if (r == 0) return packet_of(c, side, eval::kRst | eval::kAck);
  if (r < 3) return packet_of(c, side, eval::kFin | eval::kAck);
  if (r == 3) {
    c.step = 0;  // starts over: a reopening on the same ports
    return packet_of(c, side, eval::kSyn);
  }
  return packet_of(c, side, rng_() % 2 ? (eval::kPsh | eval::kAck) : eval::kAck);
}

// An ICMP error from a router about a conversation (either way round), or
// about nothing, to either side.
eval::TimedPacket TrafficGenerator::icmp_error() {
  const Conversation* c = talks_.empty() ? nullptr : &talks_[rng_() % talks_.size()];
  pir::Family fam = c ? c->family : (rng_() % 2 ? pir::Family::V6 : pir::Family::V4);
  eval::TimedPacket tp;
  tp.time_ns = now_;
  tp.egress = rng_() % 4 == 0;
  eval::Packet& p = tp.pkt;
  p.family = fam;
  p.proto = fam == pir::Family::V4 ? 1 : 58;
  static const uint8_t k4[] = {3, 4, 5, 11, 12}, k6[] = {1, 2, 3, 4};
  p.icmp_type = fam == pir::Family::V4 ? k4[rng_() % 5] : k6[rng_() % 4];
  p.icmp_code = static_cast<uint8_t>(rng_() % 4);
  eval::Inner in;
  if (c && rng_() % 5 != 0) {
    bool from_local = rng_() % 2;
    in.proto = c->proto;
    in.src = from_local ? c->local : c->remote;
    in.dst = from_local ? c->remote : c->local;
    in.sport = from_local ? c->lport : c->rport;
    in.dport = from_local ? c->rport : c->lport;
    if (c->proto != 6 && c->proto != 17) in.sport = in.dport = 0;
    p.dst = from_local ? c->local : c->remote;
  } else {
    static const uint8_t kInner[] = {6, 17, 0, 47};
    in.proto = kInner[rng_() % std::size(kInner)];
    if (in.proto == 0) in.proto = p.proto;
    in.src = single_.addr(fam);
    in.dst = single_.addr(fam);
    if (in.proto == 6 || in.proto == 17) in.sport = single_.port(), in.dport = single_.port();
    p.dst = in.src;
  }
  p.inner = in;
  p.src = single_.addr(fam);
  return tp;
}

eval::TimedPacket TrafficGenerator::stray() {
  eval::TimedPacket tp;
  tp.time_ns = now_;
  tp.egress = rng_() % 3 == 0;
  tp.pkt = single_.next();
  if (tp.pkt.proto == 6 && rng_() % 2) tp.pkt.tcp_flags = eval::kSyn;
  return tp;
}

pir::Addr TrafficGenerator::addr_in(const pir::AddrMatch& m, pir::Family f) {
  std::vector<const pir::Cidr*> in;
  if (!m.any && !m.negate)
    for (const auto& c : m.cidrs)
      if (c.addr.family == f) in.push_back(&c);
  if (in.empty()) return single_.addr(f);
  const pir::Cidr& c = *in[rng_() % in.size()];
  unsigned __int128 span = c.last() - c.first();
  unsigned __int128 r = (static_cast<unsigned __int128>(rng_()) << 64) | rng_();
  return pir::Addr::from_value(f, c.first() + (span == ~static_cast<unsigned __int128>(0) ? r : r % (span + 1)));
}

uint16_t TrafficGenerator::port_in(const pir::PortMatch& m) {
  if (m.any || m.ranges.empty()) return single_.port();
  const auto& r = m.ranges[rng_() % m.ranges.size()];
  return static_cast<uint16_t>(r.lo + rng_() % (r.hi - r.lo + 1u));
}

// A conversation whose packets in (remote to local) match `m`.
TrafficGenerator::Conversation TrafficGenerator::aimed_at(const pir::Match& m) {
  unsigned fams = m.families();
  Conversation c;
  c.family = fams == 2 || (fams == 3 && rng_() % 3 == 0) ? pir::Family::V6 : pir::Family::V4;
  switch (m.proto) {
    case pir::Proto::Any: {
      static const uint8_t kProtos[] = {6, 6, 17, 1, 47};
      c.proto = kProtos[rng_() % std::size(kProtos)];
      if (c.proto == 1 && c.family == pir::Family::V6) c.proto = 58;
      break;
    }
    default: c.proto = pir::proto_in(m.proto, c.family);
  }
  c.remote = addr_in(m.src, c.family);
  c.local = addr_in(m.dst, c.family);
  c.rport = port_in(m.sport);
  c.lport = port_in(m.dport);
  c.icmp_id = 1;
  return c;
}

// A conversation a rate-limit rule matches, opened from outside and
// answered, then its opener floods: past the limit, on a flow the firewall
// may well pass as established.
void TrafficGenerator::flood() {
  Conversation c = aimed_at(limited_[rng_() % limited_.size()]);
  c.local_opens = false;
  c.step = 3;
  if (talks_.size() >= 64) talks_.pop_front();
  talks_.push_back(c);
  auto add = [&](bool from_local, uint8_t flags) {
    eval::TimedPacket tp = packet_of(c, from_local, flags);
    tp.egress = from_local;
    tp.pkt.fragment = false;
    if (tp.pkt.is_icmp()) tp.pkt.icmp_type = c.proto == 1 ? (from_local ? 0 : 8) : (from_local ? 129 : 128);
    burst_.push_back(tp);
  };
  add(false, eval::kSyn);
  add(true, eval::kSyn | eval::kAck);
  add(false, eval::kAck);
  for (size_t i = 0, n = 2 + rng_() % flood_; i < n; ++i) add(false, eval::kPsh | eval::kAck);
}

eval::TimedPacket TrafficGenerator::next() {
  if (burst_.empty() && !limited_.empty() && rng_() % 150 == 0) {
    advance_clock();
    flood();
  }
  if (!burst_.empty()) {
    eval::TimedPacket tp = burst_.front();
    burst_.pop_front();
    if (rng_() % 4 == 0) now_ += rng_() % 1'000'000;  // up to 1 ms apart
    tp.time_ns = now_;
    return tp;
  }
  advance_clock();
  unsigned r = rng_() % 100;
  eval::TimedPacket tp;
  if (r < 25 || talks_.empty())
    tp = open();
  else if (r < 75)
    tp = carry_on(talks_[rng_() % talks_.size()]);
  else if (r < 83)
    tp = icmp_error();
  else
    tp = stray();
  // Bursts: the same packet again and again, often from a remote end of a
  // conversation the firewall lets through, past the policy's limits.
  if (rng_() % 60 == 0) {
    if (!talks_.empty() && rng_() % 2) {
      Conversation& c = talks_[rng_() % talks_.size()];
      uint8_t flags = c.step >= 3 ? (eval::kPsh | eval::kAck) : eval::kSyn;
      tp = packet_of(c, false, flags);
      tp.egress = false;
    }
    burst_.assign(1 + rng_() % flood_, tp);
  }
  return tp;
}

}  // namespace sentinel::testing
