// The AST that parse() builds, and its syntax errors.
#include <catch2/catch.hpp>

#include "parse_support.h"

using namespace sentinel;
using sentinel::test::parse_text;

namespace {
std::string first_error(const test::Parsed& p) {
  REQUIRE(p.diags.all().size() == 1);
  const auto& d = p.diags.all()[0];
  CHECK(d.code == DiagCode::E0001);
  LineCol lc = p.sm.line_col(d.span.file, d.span.begin);
  return std::to_string(lc.line) + ":" + std::to_string(lc.col) + " " + d.message;
}
}  // namespace

TEST_CASE("a rule with every clause", "[parse]") {
  std::string src =
      "firewall {\n"
      "  default deny\n"
      "  mode audit\n"
      "  rule dns allow udp from !{ 10.0.0.0/8, @office } port 1024..65535 "
      "to 10.0.0.53 port { 53, @dnsports } \"resolver\"\n"
      "}\n";
  auto p = parse_text(src);
  REQUIRE(p->file);
  CHECK(p->diags.all().empty());
  const auto& fw = p->file->firewalls.at(0);
  REQUIRE(fw.defaults.size() == 1);
  CHECK(fw.defaults[0].action == pir::Action::Deny);
  REQUIRE(fw.modes.size() == 1);
  CHECK(fw.modes[0].mode == pir::Mode::Audit);
  const auto& r = fw.rules.at(0);
  CHECK(r.id.text == "dns");
  CHECK(r.action == pir::Action::Allow);
  CHECK(r.proto == pir::Proto::Udp);
  REQUIRE(r.from);
  CHECK_FALSE(r.from->addr.any);
  CHECK(r.from->addr.negate);
  REQUIRE(r.from->addr.elems.size() == 2);
  CHECK(std::get<ast::CidrLit>(r.from->addr.elems[0]).text == "10.0.0.0/8");
  CHECK(std::get<ast::SetRef>(r.from->addr.elems[1]).name.text == "office");
  REQUIRE(r.from->ports);
  const auto& sp = std::get<ast::PortLit>(r.from->ports->elems.at(0));
  CHECK(sp.lo.value == 1024);
  CHECK(sp.hi->value == 65535);
  REQUIRE(r.to);
  CHECK(r.to->ports->elems.size() == 2);
  CHECK(r.description == std::string("resolver"));
  // Spans point at the text they came from.
  auto text = [&](Span s) { return src.substr(s.begin, s.end - s.begin); };
  CHECK(text(r.id.span) == "dns");
  CHECK(text(r.from->addr.span) == "!{ 10.0.0.0/8, @office }");
  CHECK(text(std::get<ast::SetRef>(r.from->addr.elems[1]).span) == "@office");
  CHECK(text(sp.span) == "1024..65535");
  CHECK(text(r.to->ports->span) == "{ 53, @dnsports }");
  CHECK(text(r.span).rfind("rule dns", 0) == 0);
  CHECK(text(r.span).back() == '"');
}

TEST_CASE("a rule with nothing but an action", "[parse]") {
  auto p = parse_text("firewall { rule a deny }");
  REQUIRE(p->file);
  const auto& r = p->file->firewalls.at(0).rules.at(0);
  CHECK_FALSE(r.proto);
  CHECK_FALSE(r.from);
  CHECK_FALSE(r.to);
  CHECK_FALSE(r.description);
}

TEST_CASE("an empty file and an empty block", "[parse]") {
  auto p = parse_text("# nothing here\n");
  REQUIRE(p->file);
  CHECK(p->file->sets.empty());
  CHECK(p->file->firewalls.empty());
  auto q = parse_text("set e: port = {}\nfirewall {}");
  REQUIRE(q->file);
  CHECK(q->file->sets.at(0).ports.empty());
  CHECK(q->file->firewalls.at(0).rules.empty());
}

TEST_CASE("syntax errors are one diagnostic at the offending token", "[parse]") {
  CHECK(first_error(*parse_text("firewall {\n  rule a allow tcp\n  default deny\n}")) ==
        "3:3 expected `rule` or `}`, found `default`");
  CHECK(first_error(*parse_text("firewall {\n  rule a allow tcp to any port\n}")) ==
        "3:1 expected one of `{`, `@`, a number, found `}`");
  CHECK(first_error(*parse_text("firewall { rule a allow tcp from $x }")) ==
        "1:34 unexpected character `$`");
  CHECK(first_error(*parse_text("firewall { rule a allow \"open\n}")) == "1:25 unterminated string");
  CHECK(first_error(*parse_text("set x: cidr = { 10.0.0.0/8 ")) ==
        "1:28 expected `}` or `,`, found end of file");
  // Only the first error counts, even when more follow.
  auto p = parse_text("firewall { rule allow }\nfirewall { rule }\n");
  REQUIRE(p->diags.all().size() == 1);
  CHECK_FALSE(p->file);
}
