// Lexer corner cases: the hand-written lexer must cut the text into the
// tokens the ANTLR lexer grammar does; the parse trees of both parsers show
// each token's text, so agreement on them checks the tokens.
#include <catch2/catch.hpp>

#include "compiler/ast/domains/firewall.h"
#include "compiler/ast/domains/ratelimit.h"
#include "parse_support.h"

using namespace sentinel;
using sentinel::test::disagreement;
using sentinel::test::parse_text;

namespace {

// The texts of the elements of the first set; both parsers must agree.
std::vector<std::string> set_texts(const std::string& src) {
  INFO(src);
  REQUIRE(disagreement(src).empty());
  auto f = parse_text(src);
  REQUIRE(f->file);
  REQUIRE(!f->file->sets.empty());
  std::vector<std::string> out;
  for (const auto& c : f->file->sets[0].cidrs) out.push_back(c.text);
  for (const auto& p : f->file->sets[0].ports)
    out.push_back(std::to_string(p.lo.value) + (p.hi ? ".." + std::to_string(p.hi->value) : ""));
  for (const auto& i : f->file->sets[0].ifaces) out.push_back(i.text);
  return out;
}

const ast::FirewallBlock& firewall(const test::Parsed& p) {
  REQUIRE(p.file);
  for (const auto& b : p.file->blocks)
    if (auto* fw = ast::as<ast::FirewallBlock>(*b)) return *fw;
  FAIL("no firewall block");
  throw;
}

}  // namespace

TEST_CASE("ipv6 forms lex as one address token", "[lexer]") {
  auto t = set_texts(
      "set v6: cidr = { ::, ::1, fe80::1/64, 2001:db8::/32, ::ffff:10.0.0.0/104, "
      "2001:0db8:0000:0000:0000:0000:0000:0001, fd00::abcd:1/128 }");
  CHECK(t == std::vector<std::string>{"::", "::1", "fe80::1/64", "2001:db8::/32", "::ffff:10.0.0.0/104",
                                      "2001:0db8:0000:0000:0000:0000:0000:0001", "fd00::abcd:1/128"});
  auto f = parse_text("set v6: cidr = { ::ffff:10.0.0.0/104 }");
  REQUIRE(f->file);
  REQUIRE(f->file->sets[0].cidrs[0].value);
  CHECK(f->file->sets[0].cidrs[0].value->addr.family == pir::Family::V6);
  CHECK(f->file->sets[0].cidrs[0].value->len == 104);
}

TEST_CASE("a name followed by a colon is not an address", "[lexer]") {
  // `ab` and `dead` are hex digits: with one colon they stay a name.
  for (std::string src : {"set x: cidr = { 10.0.0.1 }", "set x:cidr = { 10.0.0.1 }", "set ab: cidr = { 10.0.0.1 }",
                          "set dead:cidr={10.0.0.1}"}) {
    INFO(src);
    CHECK(set_texts(src) == std::vector<std::string>{"10.0.0.1"});
  }
  auto f = parse_text("set dead:cidr={10.0.0.1}");
  REQUIRE(f->file);
  CHECK(f->file->sets[0].name.text == "dead");
}

TEST_CASE("ranges, numbers and ipv4 prefixes", "[lexer]") {
  CHECK(set_texts("set p: port = { 8000..8099, 22, 0..65535,1..2 }") ==
        std::vector<std::string>{"8000..8099", "22", "0..65535", "1..2"});
  CHECK(set_texts("set c: cidr = { 10.0.0.0/8,192.168.1.1, 10.0/8 }") ==
        std::vector<std::string>{"10.0.0.0/8", "192.168.1.1", "10.0/8"});
  // Lenient address tokens: invalid ones still lex, sema reports them.
  auto f = parse_text("set c: cidr = { 10.0.0.300, 10.0/8, 2001:db8:::1 }");
  REQUIRE(f->file);
  for (const auto& c : f->file->sets[0].cidrs) CHECK_FALSE(c.value);
}

TEST_CASE("interface names, rates, durations and slashes", "[lexer]") {
  CHECK(set_texts("set e: iface = { eth0, \"eth0.100\", veth-a, rule }") ==
        std::vector<std::string>{"eth0", "eth0.100", "veth-a", "rule"});
  std::string src =
      "ratelimit { rule r drop tcp rate 100/s burst 20 per source /24 /64 algorithm token-bucket window 1500ms }\n"
      "conntrack { timeout tcp-syn 30s timeout udp 5m timeout other 2h timeout icmp 1d }";
  INFO(disagreement(src));
  CHECK(disagreement(src).empty());
  auto p = parse_text(src);
  REQUIRE(p->file);
  const auto* rl = ast::as<ast::RateLimitBlock>(*p->file->blocks[0]);
  REQUIRE(rl);
  CHECK(rl->rules[0].rate.count == 100);
  CHECK(rl->rules[0].rate.unit == 's');
  CHECK(rl->rules[0].windows[0].ns == 1500000000ull);
  CHECK(rl->rules[0].keys[0].lens.size() == 2);
  // `5m` is a duration, `5` then `m` is not: longest match.
  CHECK(disagreement("conntrack { timeout udp 5 m }").empty());
  CHECK_FALSE(parse_text("conntrack { timeout udp 5 m }")->file);
}

TEST_CASE("keywords are names where a name is expected", "[lexer]") {
  auto src = "set any: cidr = { 10.0.0.0/8 }\n"
             "firewall { rule icmpv6 allow icmpv6 rule log log icmp rule rules deny from @any rule rate allow }";
  REQUIRE(disagreement(src).empty());
  auto p = parse_text(src);
  const auto& r = firewall(*p).rules;
  REQUIRE(r.size() == 4);
  CHECK(r[0].id.text == "icmpv6");
  CHECK(r[0].match.proto == pir::Proto::Icmpv6);
  CHECK(r[1].id.text == "log");
  CHECK(r[1].action == pir::FirewallAction::Log);
  CHECK(r[2].id.text == "rules");
  CHECK(r[3].id.text == "rate");
}

TEST_CASE("strings, escapes and comments", "[lexer]") {
  auto src = "firewall { # a comment with \"quotes\" and { braces\n"
             "rule a allow \"say \\\"hi\\\" \\\\ done\" # trailing\n}";
  REQUIRE(disagreement(src).empty());
  CHECK(firewall(*parse_text(src)).rules[0].description == std::string("say \"hi\" \\ done"));
}

TEST_CASE("bytes outside ASCII pass through strings and comments", "[lexer]") {
  auto src = "# caf\xc3\xa9\nfirewall { rule a allow \"\xe2\x9c\x93 \xff\" }";
  REQUIRE(disagreement(src).empty());
  auto p = parse_text(src);
  // Spans are byte offsets: the rule id starts after the 7-byte comment line.
  CHECK(firewall(*p).rules[0].id.span.begin == std::string_view(src).find(" a ") + 1);
}
