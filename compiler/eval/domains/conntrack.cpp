#include "compiler/eval/domains/conntrack.h"

#include <cstring>

namespace sentinel::eval {

namespace conntrack {

namespace {

constexpr uint8_t kFlagsMask = kFin | kSyn | kRst | kPsh | kAck | kUrg;

bool bad_flags(uint8_t f) {
  if ((f & kSyn) && (f & kFin)) return true;
  if ((f & kSyn) && (f & kRst)) return true;
  if ((f & kFin) && (f & kRst)) return true;
  if ((f & kFlagsMask) == 0) return true;
  if ((f & (kFin | kPsh | kUrg)) && !(f & kAck)) return true;
  return false;
}

bool syn_only(uint8_t f) { return (f & (kSyn | kAck | kRst | kFin)) == kSyn; }

Keyed make_key(pir::Family fam, uint8_t proto, const pir::Addr& src, uint16_t sport, const pir::Addr& dst,
               uint16_t dport) {
  Keyed k;
  k.key.family = static_cast<uint8_t>(fam);
  k.key.proto = proto;
  // Endpoint a is the smaller of (address bytes, port), address first.
  int c = std::memcmp(src.bytes.data(), dst.bytes.data(), 16);
  k.from_a = c < 0 || (c == 0 && sport <= dport);
  if (k.from_a) {
    k.key.addr_a = src.bytes, k.key.port_a = sport;
    k.key.addr_b = dst.bytes, k.key.port_b = dport;
  } else {
    k.key.addr_a = dst.bytes, k.key.port_a = dport;
    k.key.addr_b = src.bytes, k.key.port_b = sport;
  }
  return k;
}

const Entry* live(const Table& t, const Key& k, uint64_t now) {
  auto it = t.flows.find(k);
  if (it == t.flows.end()) return nullptr;
  const Entry& e = it->second;
  if (e.expires_ns <= now) return nullptr;
  if (k.proto == 6 && e.tcp_state == kClose) return nullptr;
  return &e;
}

bool is_orig(const Entry& e, bool from_a) { return from_a == ((e.flags & kOrigIsA) != 0); }

pir::CtState by_direction(const Entry& e, bool from_a) {
  return !is_orig(e, from_a) || (e.flags & kSeenReply) ? pir::CtState::Established : pir::CtState::New;
}

uint64_t timeout_of(const pir::Conntrack& cfg, const Key& k, const Entry& e) {
  using T = pir::CtTimeout;
  switch (k.proto) {
    case 6:
      switch (e.tcp_state) {
        case kSynSent:
        case kSynRecv: return cfg.timeout(T::TcpSyn);
        case kEstablished: return cfg.timeout(T::TcpEstablished);
        case kFinWait:
        case kTimeWait: return cfg.timeout(T::TcpClosing);
        default: return cfg.timeout(T::TcpClose);
      }
    case 17: return cfg.timeout(e.flags & kSeenReply ? T::UdpStream : T::Udp);
    case 1:
    case 58: return cfg.timeout(T::Icmp);
    default: return cfg.timeout(T::Other);
  }
}

}  // namespace

std::optional<Keyed> key_of(const Packet& p) {
  if (p.fragment) return std::nullopt;
  if (p.is_icmp()) {
    if (!is_echo_request(p) && !is_echo_reply(p)) return std::nullopt;
    return make_key(p.family, p.proto, p.src, p.icmp_id, p.dst, p.icmp_id);
  }
  if (p.proto == 6 || p.proto == 17) return make_key(p.family, p.proto, p.src, p.sport, p.dst, p.dport);
  return make_key(p.family, p.proto, p.src, 0, p.dst, 0);
}

pir::CtState classify(const Table& t, const Packet& p, uint64_t now) {
  if (p.fragment) return pir::CtState::Untracked;
  if (p.is_icmp()) {
    if (is_icmp_error(p)) {
      const Inner& q = *p.inner;
      bool ports = q.proto == 6 || q.proto == 17;
      // A quoted ICMP echo is keyed by its identifier, 1 in what build_frame
      // quotes; other protocols, like their flows, by the addresses alone.
      bool echo = q.proto == (p.family == pir::Family::V4 ? 1 : 58);
      uint16_t sp = ports ? q.sport : echo ? 1 : 0, dp = ports ? q.dport : echo ? 1 : 0;
      Keyed k = make_key(p.family, q.proto, q.src, sp, q.dst, dp);
      return live(t, k.key, now) ? pir::CtState::Related : pir::CtState::Invalid;
    }
    if (!is_echo_request(p) && !is_echo_reply(p)) return pir::CtState::Untracked;
    Keyed k = *key_of(p);
    if (const Entry* e = live(t, k.key, now)) return by_direction(*e, k.from_a);
    return is_echo_request(p) ? pir::CtState::New : pir::CtState::Invalid;
  }
  Keyed k = *key_of(p);
  if (p.proto == 6) {
    uint8_t f = p.tcp_flags;
    if (bad_flags(f)) return pir::CtState::Invalid;
    auto it = t.flows.find(k.key);
    const Entry* any = it == t.flows.end() ? nullptr : &it->second;
    if (syn_only(f)) {
      if (!any || any->expires_ns <= now || any->tcp_state == kTimeWait || any->tcp_state == kClose)
        return pir::CtState::New;
      // A retransmission: its state is the flow's, like any packet's on a
      // live flow (established once a reply was seen, even a bare ACK).
      if (any->tcp_state == kSynSent && is_orig(*any, k.from_a)) return by_direction(*any, k.from_a);
      return pir::CtState::Invalid;
    }
    if (const Entry* e = live(t, k.key, now)) return by_direction(*e, k.from_a);
    return pir::CtState::Invalid;
  }
  if (const Entry* e = live(t, k.key, now)) return by_direction(*e, k.from_a);
  return pir::CtState::New;
}

bool track(Table& t, const pir::Conntrack& cfg, const Packet& p, uint64_t now) {
  if (p.fragment) return false;
  if (p.proto == 6 && bad_flags(p.tcp_flags)) return false;
  auto k = key_of(p);
  if (!k) return false;
  Entry* e = nullptr;
  if (auto it = t.flows.find(k->key); it != t.flows.end()) e = &it->second;
  bool is_live = e && live(t, k->key, now);
  bool created = false;
  auto create = [&](uint8_t state, uint8_t extra) {
    Entry& n = t.flows[k->key];
    n = Entry{};
    n.created_ns = now;
    n.tcp_state = state;
    n.flags = static_cast<uint8_t>((k->from_a ? kOrigIsA : 0) | extra);
    e = &n;
    created = true;
  };
  if (p.proto == 6) {
    uint8_t f = p.tcp_flags;
    bool syn = syn_only(f);
    // A CLOSE flow is not live, so a plain SYN on one lands here too.
    if (!is_live || (syn && e->tcp_state == kTimeWait)) {
      if (syn)
        create(kSynSent, 0);
      else if (f & (kSyn | kRst))
        return false;  // a SYN+ACK or RST opens nothing
      else
        create(kEstablished, kPickedUp);  // a connection older than the table
    } else {
      bool reply = !is_orig(*e, k->from_a);
      // A SYN the firewall calls invalid for this flow (not a retransmission
      // in SYN_SENT) changes nothing: a stray packet must not refresh or
      // close a connection it does not belong to.
      if (syn && (e->tcp_state != kSynSent || reply)) return false;
      if (reply) e->flags |= kSeenReply;
      if (f & kRst) {
        e->tcp_state = kClose;
      } else {
        if (e->tcp_state == kSynSent && reply && (f & kSyn) && (f & kAck))
          e->tcp_state = kSynRecv;
        else if (e->tcp_state == kSynRecv && !reply && (f & kAck) && !(f & kSyn))
          e->tcp_state = kEstablished;
        if (f & kFin) {
          e->flags |= reply ? kFinReply : kFinOrig;
          if ((e->flags & (kFinOrig | kFinReply)) == (kFinOrig | kFinReply))
            e->tcp_state = kTimeWait;
          else
            e->tcp_state = kFinWait;
        }
      }
    }
  } else if (!is_live) {
    if (is_echo_reply(p)) return false;
    create(kNone, 0);
  } else if (!is_orig(*e, k->from_a)) {
    e->flags |= kSeenReply;
  }
  e->last_ns = now;
  e->expires_ns = now + timeout_of(cfg, k->key, *e);
  return created;
}

const char* tcp_state_name(uint8_t s) {
  static const char* names[] = {"-", "syn-sent", "syn-recv", "established", "fin-wait", "time-wait", "close"};
  return s < 7 ? names[s] : "?";
}

}  // namespace conntrack

namespace {

void classify_stage(StageCtx& c) {
  const auto& table = static_cast<const conntrack::Table&>(*c.state);
  c.verdict.ct = conntrack::classify(table, c.pkt, c.now_ns);
  DomainResult r;
  r.domain = DomainId::conntrack;
  r.action = "classify";
  r.note = std::string("connection state ") + pir::to_string(c.verdict.ct);
  c.verdict.results.push_back(std::move(r));
}

void track_stage(StageCtx& c) {
  auto& table = static_cast<conntrack::Table&>(*c.state);
  const auto& cfg = static_cast<const pir::Conntrack&>(c.block);
  bool created = conntrack::track(table, cfg, c.pkt, c.now_ns);
  std::string note;
  auto k = conntrack::key_of(c.pkt);
  auto it = k ? table.flows.find(k->key) : table.flows.end();
  if (it == table.flows.end()) {
    note = "not tracked";
  } else {
    note = created ? "flow created" : "flow updated";
    if (c.pkt.proto == 6) note += std::string(", tcp ") + conntrack::tcp_state_name(it->second.tcp_state);
  }
  // On the way in, the state the firewall saw is already reported: one
  // result for the domain, with both halves.
  for (auto& r : c.verdict.results) {
    if (r.domain == DomainId::conntrack) {
      r.action = "track";
      r.note += "; " + note;
      if (created) r.counted.push_back("created");
      return;
    }
  }
  DomainResult r;
  r.domain = DomainId::conntrack;
  r.action = "track";
  r.note = note;
  if (created) r.counted.push_back("created");
  c.verdict.results.push_back(std::move(r));
}

std::unique_ptr<DomainState> make_table() { return std::make_unique<conntrack::Table>(); }

}  // namespace

const DomainEval conntrack_eval = {
    {{Hook::Xdp, 0, &classify_stage}, {Hook::TcIngress, 0, &track_stage}, {Hook::TcEgress, 0, &track_stage}},
    &make_table};

}  // namespace sentinel::eval
