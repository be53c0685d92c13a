// The AST that parse() builds, and its syntax errors.
#include <catch2/catch.hpp>

#include "compiler/ast/domains/conntrack.h"
#include "compiler/ast/domains/firewall.h"
#include "compiler/ast/domains/ratelimit.h"
#include "parse_support.h"

using namespace sentinel;
using sentinel::test::parse_text;

namespace {

std::vector<std::string> errors(const test::Parsed& p) {
  std::vector<std::string> out;
  for (const auto& d : p.diags.all()) {
    CHECK(d.code == DiagCode::E0001);
    LineCol lc = p.sm.line_col(d.span.file, d.span.begin);
    out.push_back(std::to_string(lc.line) + ":" + std::to_string(lc.col) + " " + d.message);
  }
  return out;
}

template <class T>
const T& block(const test::Parsed& p, size_t i = 0) {
  REQUIRE(p.file);
  REQUIRE(p.file->blocks.size() > i);
  const T* b = ast::as<T>(*p.file->blocks[i]);
  REQUIRE(b);
  return *b;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("a firewall rule with every clause", "[parse]") {
  std::string src =
      "firewall on @edge {\n"
      "  default deny\n"
      "  mode audit\n"
      "  rule dns allow udp from !{ 10.0.0.0/8, @office } port 1024..65535 "
      "to 10.0.0.53 port { 53, @dnsports } ct { new, established } \"resolver\"\n"
      "}\n";
  auto p = parse_text(src);
  CHECK(p->diags.all().empty());
  const auto& fw = block<ast::FirewallBlock>(*p);
  REQUIRE(fw.scope);
  CHECK(fw.scope->name.text == "edge");
  REQUIRE(fw.defaults.size() == 1);
  CHECK(fw.defaults[0].action == pir::FirewallAction::Deny);
  REQUIRE(fw.modes.size() == 1);
  CHECK(fw.modes[0].mode == pir::Mode::Audit);
  const auto& r = fw.rules.at(0);
  CHECK(r.id.text == "dns");
  CHECK(r.action == pir::FirewallAction::Allow);
  CHECK(r.match.proto == pir::Proto::Udp);
  REQUIRE(r.match.from);
  CHECK(r.match.from->addr.negate);
  REQUIRE(r.match.from->addr.elems.size() == 2);
  CHECK(std::get<ast::CidrLit>(r.match.from->addr.elems[0]).text == "10.0.0.0/8");
  CHECK(std::get<ast::SetRef>(r.match.from->addr.elems[1]).name.text == "office");
  const auto& sp = std::get<ast::PortLit>(r.match.from->ports->elems.at(0));
  CHECK(sp.lo.value == 1024);
  CHECK(sp.hi->value == 65535);
  CHECK(r.match.to->ports->elems.size() == 2);
  REQUIRE(r.ct.size() == 2);
  CHECK(r.ct[1].state == pir::CtState::Established);
  CHECK(r.description == std::string("resolver"));
  // Spans point at the text they came from.
  auto text = [&](Span s) { return src.substr(s.begin, s.end - s.begin); };
  CHECK(text(r.id.span) == "dns");
  CHECK(text(r.match.from->addr.span) == "!{ 10.0.0.0/8, @office }");
  CHECK(text(sp.span) == "1024..65535");
  CHECK(text(r.match.to->ports->span) == "{ 53, @dnsports }");
  CHECK(text(r.ct_span) == "ct { new, established }");
  CHECK(text(r.span).rfind("rule dns", 0) == 0);
  CHECK(text(r.span).back() == '"');
}

TEST_CASE("a rate-limit rule with every option, in any order", "[parse]") {
  std::string src =
      "ratelimit {\n"
      "  mode enforce\n"
      "  rule api drop tcp to any port 443 rate 100/s window 10s algorithm fixed-window per source /24 /64 "
      "burst 5 \"api\"\n"
      "  rule all log rate 6000/m global\n"
      "  rule p drop udp rate 1/h per port\n"
      "}\n";
  auto p = parse_text(src);
  CHECK(p->diags.all().empty());
  const auto& rl = block<ast::RateLimitBlock>(*p);
  REQUIRE(rl.rules.size() == 3);
  const auto& r = rl.rules[0];
  CHECK(r.action == pir::RateAction::Drop);
  CHECK(r.rate.count == 100);
  CHECK(r.windows.at(0).ns == 10000000000ull);
  CHECK(r.algorithms.at(0).text == "fixed-window");
  CHECK(r.keys.at(0).kind == pir::RateKey::Cidr);
  CHECK(r.keys[0].lens.at(1).value == 64);
  CHECK(r.bursts.at(0).value == 5);
  CHECK(rl.rules[1].keys.at(0).kind == pir::RateKey::Global);
  CHECK(rl.rules[1].rate.unit == 'm');
  CHECK(rl.rules[2].keys.at(0).kind == pir::RateKey::Port);
}

TEST_CASE("the conntrack block", "[parse]") {
  auto p = parse_text("conntrack { established rules timeout tcp-established 2h timeout udp 45s }");
  CHECK(p->diags.all().empty());
  const auto& ct = block<ast::ConntrackBlock>(*p);
  REQUIRE(ct.established.size() == 1);
  CHECK_FALSE(ct.established[0].accept);
  REQUIRE(ct.timeouts.size() == 2);
  CHECK(ct.timeouts[0].name.text == "tcp-established");
  CHECK(ct.timeouts[1].value.ns == 45000000000ull);
}

TEST_CASE("a rule with nothing but an action; empty file and blocks", "[parse]") {
  const auto& r = block<ast::FirewallBlock>(*parse_text("firewall { rule a deny }")).rules.at(0);
  CHECK_FALSE(r.match.proto);
  CHECK_FALSE(r.match.from);
  CHECK_FALSE(r.description);
  auto p = parse_text("# nothing here\n");
  REQUIRE(p->file);
  CHECK(p->file->blocks.empty());
  auto q = parse_text("set e: port = {}\nfirewall {}\nratelimit {}\nconntrack {}");
  REQUIRE(q->file);
  CHECK(q->file->sets.at(0).ports.empty());
  CHECK(q->file->blocks.size() == 3);
}

TEST_CASE("syntax errors at the offending token", "[parse]") {
  CHECK(errors(*parse_text("firewall {\n  rule a allow tcp to any port\n}")) ==
        Lines{"3:1 expected one of `{`, `@`, a number, found `}`"});
  CHECK(errors(*parse_text("firewall { rule a allow tcp from $x }")) == Lines{"1:34 unexpected character `$`"});
  CHECK(errors(*parse_text("firewall { rule a allow \"open\n}")) == Lines{"1:25 unterminated string"});
  CHECK(errors(*parse_text("set x: cidr = { 10.0.0.0/8 ")) ==
        Lines{"1:28 expected `}` or `,`, found end of file"});
  CHECK(errors(*parse_text("ratelimit { rule r drop tcp }")) ==
        Lines{"1:29 expected one of `on`, `from`, `to`, `flags`, `type`, `code`, `dscp`, `vlan`, `rate`, found `}`"});
  CHECK(errors(*parse_text("conntrack { timeout udp 30 }")) ==
        Lines{"1:25 expected a duration like `30s`, found `30`"});
}

TEST_CASE("every independent syntax error is reported, once", "[parse]") {
  auto p = parse_text(
      "firewall {\n"
      "  rule a allow tcp to any port\n"    // 1: missing ports
      "  rule b allow udp\n"
      "  default deny\n"                    // 2: a setting after the rules
      "  rule c drop tcp\n"                 // 3: `drop` is no firewall action
      "}\n"
      "set s: cidr = { 10.0.0.0/8 10.1.0.0/16 }\n"  // 4: missing comma
      "ratelimit { rule r drop rate fast }\n"      // 5: not a rate
      "conntrack { established maybe }\n");        // 6
  auto e = errors(*p);
  CHECK_FALSE(p->file);
  CHECK(e == Lines{"3:3 expected one of `{`, `@`, a number, found `rule`",
                   "4:3 expected one of `on`, `rule`, `from`, `to`, `flags`, `type`, `code`, `dscp`, `vlan`, `ct`, `}`, a string, found `default`",
                   "5:10 expected one of `allow`, `deny`, `log`, `reject`, found `drop`",
                   "7:28 expected `}` or `,`, found `10.1.0.0/16`",
                   "8:30 expected a rate like `100/s`, found `fast`",
                   "9:25 expected `allow` or `rules`, found `maybe`"});
  // The misplaced setting says why.
  CHECK(p->diags.all()[1].help == "settings come before the first rule of the block");
}

TEST_CASE("a missing closing brace is one error, and the next block still parses", "[parse]") {
  auto p = parse_text("firewall {\n  rule a allow\nset s: port = { 1 }\nratelimit { rule r log tcp rate 5/s bogus }\n");
  CHECK(errors(*p) == Lines{"3:1 expected one of `on`, `rule`, `tcp`, `udp`, `icmp`, `icmpv6`, `any`, `from`, `to`, "
                            "`ipv4`, `ipv6`, `proto`, `flags`, `type`, `code`, `dscp`, `vlan`, "
                            "`ct`, `}`, a string, found `set`",
                            "4:37 expected one of `rule`, `burst`, `per`, `global`, `algorithm`, `window`, `}`, "
                            "a string, found `bogus`"});
}
