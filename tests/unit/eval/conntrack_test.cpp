// Connection tracking as conntrack.h of the BPF ABI specifies it: the state
// the firewall sees at XDP, and the tracking at TC ingress and egress, with
// explicit times. The host is 10.0.0.2 (IPv6 2001:db8::2).
#include "eval_support.h"

using namespace sentinel;
using eval::conntrack::Entry;
using pir::CtState;
using test::kMs;
using test::kSec;

namespace {

namespace ct = eval::conntrack;

// Short timeouts, so that tests can step past each one.
const std::string kTimeouts =
    "  timeout tcp-syn 5s\n  timeout tcp-established 60s\n  timeout tcp-closing 10s\n"
    "  timeout tcp-close 2s\n  timeout udp 30s\n  timeout udp-stream 120s\n"
    "  timeout icmp 10s\n  timeout other 20s\n";

// Conntrack alone: every packet passes, every one is tracked.
std::string tracking_only() { return "conntrack {\n" + kTimeouts + "}\n"; }

// A client connecting to the host's ssh, both directions of it.
const char* kIn = "tcp 192.0.2.1:40000 -> 10.0.0.2:22";
const char* kOut = "tcp 10.0.0.2:22 -> 192.0.2.1:40000";
std::string in(const char* flags) { return std::string(kIn) + " [" + flags + "]"; }
std::string out(const char* flags) { return std::string(kOut) + " [" + flags + "]"; }

}  // namespace

TEST_CASE("the TCP life cycle across ingress and egress", "[conntrack]") {
  test::Run run(tracking_only());
  // SYN in: new, and a flow in SYN_SENT with the client as the original side.
  auto v = run.in(0, in("S"));
  CHECK(v.ct == CtState::New);
  const Entry* f = run.flow(kIn);
  REQUIRE(f);
  CHECK(f->tcp_state == ct::kSynSent);
  CHECK_FALSE(f->flags & ct::kSeenReply);
  CHECK(f->expires_ns == 5 * kSec);  // tcp-syn
  CHECK(f->created_ns == 0);

  // SYN+ACK out: SYN_RECV, a reply seen.
  run.out(10 * kMs, out("S."));
  f = run.flow(kIn);
  CHECK(f->tcp_state == ct::kSynRecv);
  CHECK(f->flags & ct::kSeenReply);
  CHECK(f->expires_ns == 10 * kMs + 5 * kSec);

  // ACK in: established.
  v = run.in(20 * kMs, in("."));
  CHECK(v.ct == CtState::Established);
  CHECK(run.flow(kIn)->tcp_state == ct::kEstablished);
  CHECK(run.flow(kIn)->expires_ns == 20 * kMs + 60 * kSec);  // tcp-established

  // Data both ways.
  CHECK(run.in(1 * kSec, in("P.")).ct == CtState::Established);
  run.out(1 * kSec, out("P."));
  CHECK(run.flow(kIn)->last_ns == 1 * kSec);

  // FIN from the client: FIN_WAIT; FIN from the host: TIME_WAIT.
  CHECK(run.in(2 * kSec, in("F.")).ct == CtState::Established);
  CHECK(run.flow(kIn)->tcp_state == ct::kFinWait);
  CHECK(run.flow(kIn)->flags & ct::kFinOrig);
  CHECK(run.flow(kIn)->expires_ns == 2 * kSec + 10 * kSec);  // tcp-closing
  run.out(2100 * kMs, out("F."));
  CHECK(run.flow(kIn)->tcp_state == ct::kTimeWait);
  CHECK(run.flow(kIn)->flags & ct::kFinReply);
  // The last ACK still belongs to the flow.
  CHECK(run.in(2200 * kMs, in(".")).ct == CtState::Established);
  CHECK(run.flow(kIn)->tcp_state == ct::kTimeWait);

  // A SYN on the TIME_WAIT flow reopens it: new, a fresh SYN_SENT flow.
  v = run.in(3 * kSec, in("S"));
  CHECK(v.ct == CtState::New);
  f = run.flow(kIn);
  CHECK(f->tcp_state == ct::kSynSent);
  CHECK(f->created_ns == 3 * kSec);
  CHECK(f->flags == ct::kOrigIsA * ((f->flags & ct::kOrigIsA) != 0));  // no reply, no FIN
  CHECK(run.flows() == 1);
}

TEST_CASE("RST closes a flow; a SYN reopens it", "[conntrack]") {
  test::Run run(tracking_only());
  run.in(0, in("S"));
  run.out(0, out("S."));
  run.in(0, in("."));
  // RST from the host: CLOSE, no longer live.
  run.out(1 * kSec, out("R."));
  CHECK(run.flow(kIn)->tcp_state == ct::kClose);
  CHECK(run.flow(kIn)->expires_ns == 1 * kSec + 2 * kSec);  // tcp-close
  // Another RST finds no live flow: invalid, and it changes nothing.
  CHECK(run.in(1100 * kMs, in("R")).ct == CtState::Invalid);
  CHECK(run.flow(kIn)->expires_ns == 3 * kSec);
  // A plain SYN opens a new connection.
  CHECK(run.in(1200 * kMs, in("S")).ct == CtState::New);
  CHECK(run.flow(kIn)->tcp_state == ct::kSynSent);
  CHECK(run.flow(kIn)->created_ns == 1200 * kMs);
  // RST from the original side in SYN_SENT closes too.
  run.in(1300 * kMs, in("R"));
  CHECK(run.flow(kIn)->tcp_state == ct::kClose);
  // An ACK after the close is invalid to the firewall; with nothing to drop
  // it, tracking picks it up as a connection older than the table.
  CHECK(run.in(1400 * kMs, in(".")).ct == CtState::Invalid);
  CHECK(run.flow(kIn)->tcp_state == ct::kEstablished);
  CHECK(run.flow(kIn)->flags & ct::kPickedUp);
}

TEST_CASE("a connection the host opens", "[conntrack]") {
  test::Run run(tracking_only());
  const char* o = "tcp 10.0.0.2:50000 -> 198.51.100.7:443";
  const char* i = "tcp 198.51.100.7:443 -> 10.0.0.2:50000";
  run.out(0, std::string(o) + " [S]");
  // The answer is a reply: established at once.
  CHECK(run.in(30 * kMs, std::string(i) + " [S.]").ct == CtState::Established);
  CHECK(run.flow(o)->tcp_state == ct::kSynRecv);
  run.out(40 * kMs, std::string(o) + " [.]");
  CHECK(run.flow(o)->tcp_state == ct::kEstablished);
  // IPv6 the same way.
  const char* o6 = "tcp [2001:db8::2]:50000 -> [2001:db8:ff::1]:443";
  run.out(0, std::string(o6) + " [S]");
  CHECK(run.in(1 * kMs, "tcp [2001:db8:ff::1]:443 -> [2001:db8::2]:50000 [S.]").ct == CtState::Established);
  CHECK(run.flow(o6)->tcp_state == ct::kSynRecv);
}

TEST_CASE("a SYN+ACK, a RST or an echo reply with no flow creates nothing", "[conntrack]") {
  test::Run run(tracking_only());
  CHECK(run.in(0, in("S.")).ct == CtState::Invalid);
  run.out(0, out("S."));
  CHECK(run.in(0, in("R")).ct == CtState::Invalid);
  run.out(0, out("R."));
  CHECK(run.flows() == 0);
  CHECK(run.in(0, "icmp 192.0.2.1 -> 10.0.0.2 type 0 id 3").ct == CtState::Invalid);
  run.out(0, "icmp 10.0.0.2 -> 192.0.2.1 type 0 id 3");
  CHECK(run.flows() == 0);
}

TEST_CASE("other TCP packets with no flow are picked up mid-stream", "[conntrack]") {
  test::Run run(tracking_only());
  // No flow: invalid to the firewall, but with nothing to drop it, TC
  // ingress picks the connection up as established.
  CHECK(run.in(0, in("P.")).ct == CtState::Invalid);
  const Entry* f = run.flow(kIn);
  REQUIRE(f);
  CHECK(f->tcp_state == ct::kEstablished);
  CHECK(f->flags & ct::kPickedUp);
  CHECK_FALSE(f->flags & ct::kSeenReply);
  CHECK(f->expires_ns == 60 * kSec);
  // The packet's sender is the original side: its next packet is new until
  // a reply is seen; the reply makes it established.
  CHECK(run.in(1 * kMs, in(".")).ct == CtState::New);
  run.out(2 * kMs, out("."));
  CHECK(run.in(3 * kMs, in(".")).ct == CtState::Established);
  // A host's packet picks up a flow too (egress sees no firewall); the
  // packet that creates a flow is not also a transition: a FIN creates an
  // ESTABLISHED flow, and the next FIN starts the close.
  run.out(0, "tcp 10.0.0.2:3306 -> 192.0.2.9:41000 [F.]");
  const char* db = "tcp 10.0.0.2:3306 -> 192.0.2.9:41000";
  CHECK(run.flow(db)->flags & ct::kPickedUp);
  CHECK(run.flow(db)->tcp_state == ct::kEstablished);
  run.in(1 * kMs, "tcp 192.0.2.9:41000 -> 10.0.0.2:3306 [F.]");
  CHECK(run.flow(db)->tcp_state == ct::kFinWait);
}

TEST_CASE("a SYN on a live flow that is no retransmission changes nothing", "[conntrack]") {
  test::Run run(tracking_only());
  run.in(0, in("S"));
  run.out(0, out("S."));
  run.in(0, in("."));
  Entry before = *run.flow(kIn);
  // A SYN on the established flow: invalid, and no refresh, no state change.
  CHECK(run.in(50 * kSec, in("S")).ct == CtState::Invalid);
  const Entry* f = run.flow(kIn);
  CHECK(f->tcp_state == ct::kEstablished);
  CHECK(f->expires_ns == before.expires_ns);
  CHECK(f->last_ns == before.last_ns);
  run.out(50 * kSec, out("S"));  // nor from the other side
  CHECK(run.flow(kIn)->expires_ns == before.expires_ns);
  // So the flow expires when it would have: 60 s after the last real packet.
  CHECK(run.in(61 * kSec, in(".")).ct == CtState::Invalid);

  // In SYN_SENT, a SYN from the reply side (a simultaneous open) changes
  // nothing either, while a retransmission from the original side refreshes.
  test::Run syn(tracking_only());
  syn.in(0, in("S"));
  CHECK(syn.in(1 * kSec, out("S")).ct == CtState::Invalid);
  CHECK_FALSE(syn.flow(kIn)->flags & ct::kSeenReply);
  CHECK(syn.flow(kIn)->expires_ns == 5 * kSec);
  CHECK(syn.in(4 * kSec, in("S")).ct == CtState::New);
  CHECK(syn.flow(kIn)->expires_ns == 9 * kSec);
  CHECK(syn.flow(kIn)->created_ns == 0);  // the same flow
  syn.out(8 * kSec, out("S."));
  CHECK(syn.flow(kIn)->tcp_state == ct::kSynRecv);
}

TEST_CASE("impossible TCP flag combinations are invalid and never tracked", "[conntrack]") {
  test::Run run(tracking_only());
  for (const char* flags : {"SF", "SR", "FR", "", "F", "P", "U", "SF.", "FR."}) {
    INFO("flags [" << flags << "]");
    CHECK(run.in(0, in(flags)).ct == CtState::Invalid);
    run.out(0, out(flags));
    CHECK(run.flows() == 0);
  }
  // On a live flow too: the flow is neither refreshed nor closed.
  run.in(0, in("S"));
  run.out(0, out("S."));
  run.in(0, in("."));
  uint64_t expires = run.flow(kIn)->expires_ns;
  CHECK(run.in(10 * kSec, in("FR.")).ct == CtState::Invalid);
  CHECK(run.flow(kIn)->tcp_state == ct::kEstablished);
  CHECK(run.flow(kIn)->expires_ns == expires);
}

TEST_CASE("UDP: a flow on the first packet, the stream timeout after a reply", "[conntrack]") {
  test::Run run(tracking_only());
  const char* q = "udp 10.0.0.2:5353 -> 198.51.100.53:53";
  const char* a = "udp 198.51.100.53:53 -> 10.0.0.2:5353";
  run.out(0, q);
  CHECK(run.flow(q)->expires_ns == 30 * kSec);  // udp
  CHECK(run.in(10 * kSec, a).ct == CtState::Established);
  CHECK(run.flow(q)->flags & ct::kSeenReply);
  CHECK(run.flow(q)->expires_ns == 130 * kSec);  // udp-stream
  CHECK(run.in(129 * kSec, a).ct == CtState::Established);
  // 120 s of silence after that: gone; the next packet is new again.
  CHECK(run.in(249 * kSec, a).ct == CtState::New);

  // Without a reply the flow lives 30 s, and its own side stays new.
  test::Run once(tracking_only());
  CHECK(once.in(0, "udp 192.0.2.1:9999 -> 10.0.0.2:514").ct == CtState::New);
  CHECK(once.in(29 * kSec, "udp 192.0.2.1:9999 -> 10.0.0.2:514").ct == CtState::New);
  CHECK(once.flow("udp 192.0.2.1:9999 -> 10.0.0.2:514")->expires_ns == 59 * kSec);
  CHECK(once.in(58 * kSec, "udp 10.0.0.2:514 -> 192.0.2.1:9999").ct == CtState::Established);
  CHECK(once.in(59 * kSec, "udp [2001:db8::1]:1 -> [2001:db8::2]:514").ct == CtState::New);
}

TEST_CASE("ICMP echo: the identifier is the flow's port", "[conntrack]") {
  test::Run run(tracking_only());
  run.out(0, "icmp 10.0.0.2 -> 198.51.100.1 id 7");
  CHECK(run.in(1 * kSec, "icmp 198.51.100.1 -> 10.0.0.2 type 0 id 7").ct == CtState::Established);
  CHECK(run.in(1 * kSec, "icmp 198.51.100.1 -> 10.0.0.2 type 0 id 8").ct == CtState::Invalid);
  // icmp timeout 10 s after the last packet.
  CHECK(run.in(11 * kSec, "icmp 198.51.100.1 -> 10.0.0.2 type 0 id 7").ct == CtState::Invalid);
  // An incoming echo request is new; ICMPv6 echo (128/129) the same way.
  CHECK(run.in(0, "icmp 192.0.2.1 -> 10.0.0.2 id 1").ct == CtState::New);
  run.out(0, "icmpv6 2001:db8::2 -> 2001:db8:ff::1 type 128 id 9");
  CHECK(run.in(1 * kMs, "icmpv6 2001:db8:ff::1 -> 2001:db8::2 type 129 id 9").ct == CtState::Established);
  // Other ICMP (a router advertisement, a timestamp) is untracked.
  CHECK(run.in(0, "icmp 192.0.2.1 -> 10.0.0.2 type 13").ct == CtState::Untracked);
  CHECK(run.in(0, "icmpv6 fe80::1 -> ff02::1 type 134").ct == CtState::Untracked);
}

TEST_CASE("ICMP errors about a live flow are related, others invalid", "[conntrack]") {
  test::Run run(tracking_only());
  run.out(0, "udp 10.0.0.2:5353 -> 198.51.100.53:53");
  auto v = run.in(1 * kSec, "icmp 198.51.100.53 -> 10.0.0.2 type 3 code 3 inner udp 10.0.0.2:5353 -> 198.51.100.53:53");
  CHECK(v.ct == CtState::Related);
  // From a router on the way, about the same flow: related too.
  CHECK(run.in(1 * kSec, "icmp 203.0.113.1 -> 10.0.0.2 type 11 inner udp 10.0.0.2:5353 -> 198.51.100.53:53").ct ==
        CtState::Related);
  // About a flow the table does not have.
  CHECK(run.in(1 * kSec, "icmp 198.51.100.53 -> 10.0.0.2 type 3 code 3 inner udp 10.0.0.2:5354 -> 198.51.100.53:53")
            .ct == CtState::Invalid);
  // Errors are never tracked: the flow keeps its expiry, no flow is created.
  CHECK(run.flows() == 1);
  CHECK(run.flow("udp 10.0.0.2:5353 -> 198.51.100.53:53")->expires_ns == 30 * kSec);
  // About a TCP flow, and after the flow expired.
  run.in(0, in("S"));
  CHECK(run.in(1 * kSec, "icmp 192.0.2.1 -> 10.0.0.2 type 3 code 1 inner tcp 10.0.0.2:22 -> 192.0.2.1:40000").ct ==
        CtState::Related);
  CHECK(run.in(6 * kSec, "icmp 192.0.2.1 -> 10.0.0.2 type 3 code 1 inner tcp 10.0.0.2:22 -> 192.0.2.1:40000").ct ==
        CtState::Invalid);
  // ICMPv6 errors (type 1, destination unreachable).
  run.out(0, "udp [2001:db8::2]:7000 -> [2001:db8:ff::1]:53");
  CHECK(run.in(1 * kSec, "icmpv6 2001:db8:ff::1 -> 2001:db8::2 type 1 code 4 inner udp [2001:db8::2]:7000 -> "
                         "[2001:db8:ff::1]:53")
            .ct == CtState::Related);
}

TEST_CASE("other protocols and fragments", "[conntrack]") {
  test::Run run(tracking_only());
  CHECK(run.in(0, "proto 47 192.0.2.1 -> 10.0.0.2").ct == CtState::New);
  CHECK(run.flow("proto 47 192.0.2.1 -> 10.0.0.2")->expires_ns == 20 * kSec);  // other
  CHECK(run.in(1 * kSec, "proto 47 10.0.0.2 -> 192.0.2.1").ct == CtState::Established);
  CHECK(run.in(1 * kSec, "udp 192.0.2.1:1 -> 10.0.0.2:2 frag").ct == CtState::Untracked);
  CHECK(run.flows() == 1);
}

TEST_CASE("the default timeouts", "[conntrack]") {
  test::Run run("conntrack { }\n");
  const auto* cfg = run.fe->policy->get<pir::Conntrack>();
  CHECK(cfg->accept_established);
  CHECK(cfg->timeout(pir::CtTimeout::TcpSyn) == 60 * kSec);
  CHECK(cfg->timeout(pir::CtTimeout::TcpEstablished) == 5 * 86400 * kSec);
  CHECK(cfg->timeout(pir::CtTimeout::TcpClosing) == 120 * kSec);
  CHECK(cfg->timeout(pir::CtTimeout::TcpClose) == 10 * kSec);
  CHECK(cfg->timeout(pir::CtTimeout::Udp) == 30 * kSec);
  CHECK(cfg->timeout(pir::CtTimeout::UdpStream) == 180 * kSec);
  CHECK(cfg->timeout(pir::CtTimeout::Icmp) == 30 * kSec);
  CHECK(cfg->timeout(pir::CtTimeout::Other) == 600 * kSec);
  run.in(0, in("S"));
  CHECK(run.flow(kIn)->expires_ns == 60 * kSec);
}

TEST_CASE("the firewall with `established allow`", "[conntrack][firewall]") {
  test::Run run("conntrack {\n  established allow\n" + kTimeouts +
                "}\nfirewall {\n  default deny\n  rule ssh allow tcp to any port 22 ct new\n"
                "  rule bad log ct invalid\n}\n");
  auto v = run.in(0, in("S"));
  CHECK(test::rule(v, DomainId::firewall) == "ssh");
  CHECK_FALSE(v.dropped);
  run.out(0, out("S."));
  // Established packets pass before the rules, under the pseudo-rule.
  v = run.in(1 * kMs, in("."));
  CHECK(v.ct == CtState::Established);
  CHECK(test::rule(v, DomainId::firewall) == "established");
  CHECK(test::action(v, DomainId::firewall) == "allow");
  CHECK(run.flow(kIn)->tcp_state == ct::kEstablished);
  // So do related ones.
  run.out(0, "udp 10.0.0.2:5353 -> 198.51.100.53:53");
  v = run.in(0, "icmp 198.51.100.53 -> 10.0.0.2 type 3 code 3 inner udp 10.0.0.2:5353 -> 198.51.100.53:53");
  CHECK(test::rule(v, DomainId::firewall) == "established");
  // A reply to the host's query passes without a rule for it.
  v = run.in(0, "udp 198.51.100.53:53 -> 10.0.0.2:5353");
  CHECK_FALSE(v.dropped);
  // Invalid goes through the rules: logged, and tracking picks it up.
  v = run.in(0, "tcp 192.0.2.7:1 -> 10.0.0.2:80 [.]");
  CHECK(test::rule(v, DomainId::firewall) == "bad");
  CHECK_FALSE(v.dropped);
  CHECK(run.flow("tcp 192.0.2.7:1 -> 10.0.0.2:80")->flags & ct::kPickedUp);
  // A new connection to another port: the default.
  v = run.in(0, "tcp 192.0.2.1:40001 -> 10.0.0.2:80 [S]");
  CHECK(test::rule(v, DomainId::firewall) == "default");
  CHECK(v.dropped);
  // A dropped packet is never tracked.
  CHECK(run.flow("tcp 192.0.2.1:40001 -> 10.0.0.2:80") == nullptr);
}

TEST_CASE("the firewall with `established rules`", "[conntrack][firewall]") {
  test::Run run("conntrack {\n  established rules\n" + kTimeouts +
                "}\nfirewall {\n  default deny\n  rule ssh allow tcp to any port 22 ct new\n"
                "  rule back allow tcp ct established\n}\n");
  run.in(0, in("S"));
  run.out(0, out("S."));
  auto v = run.in(1 * kMs, in("."));
  CHECK(v.ct == CtState::Established);
  CHECK(test::rule(v, DomainId::firewall) == "back");
  // Related is not established: no rule takes it, the default drops it.
  run.out(0, "udp 10.0.0.2:5353 -> 198.51.100.53:53");
  v = run.in(0, "icmp 198.51.100.53 -> 10.0.0.2 type 3 code 3 inner udp 10.0.0.2:5353 -> 198.51.100.53:53");
  CHECK(v.ct == CtState::Related);
  CHECK(test::rule(v, DomainId::firewall) == "default");
  CHECK(v.dropped);
  // An established UDP reply: `back` is tcp only.
  v = run.in(0, "udp 198.51.100.53:53 -> 10.0.0.2:5353");
  CHECK(v.dropped);
  // Mid-stream TCP with no flow: invalid, denied, so never picked up.
  v = run.in(0, "tcp 192.0.2.7:1 -> 10.0.0.2:22 [.]");
  CHECK(v.ct == CtState::Invalid);
  CHECK(v.dropped);
  CHECK(run.flow("tcp 192.0.2.7:1 -> 10.0.0.2:22") == nullptr);
  // A second SYN on the established ssh flow: invalid, and `ssh` (ct new)
  // does not take it.
  v = run.in(2 * kMs, in("S"));
  CHECK(v.ct == CtState::Invalid);
  CHECK(v.dropped);
}

TEST_CASE("explain's notes name the state and the flow", "[conntrack]") {
  test::Run run(tracking_only());
  auto v = run.in(0, in("S"));
  const auto* r = v.of(DomainId::conntrack);
  REQUIRE(r);
  CHECK(r->action == "track");
  CHECK(r->note == "connection state new; flow created, tcp syn-sent");
  v = run.out(0, out("S."));
  CHECK(v.of(DomainId::conntrack)->note == "flow updated, tcp syn-recv");
  v = run.out(0, "tcp 10.0.0.2:1 -> 192.0.2.1:2 [S.]");
  CHECK(v.of(DomainId::conntrack)->note == "not tracked");
}
