// Lexer corner cases, checked through both readers: the ANTLR lexer grammar
// and the fast reader must cut the text into the same tokens.
#include <catch2/catch.hpp>

#include "parse_support.h"

using namespace sentinel;
using sentinel::test::antlr_text;
using sentinel::test::fast_text;

namespace {

// The texts of the elements of the first set, from both readers, which must agree.
std::vector<std::string> set_texts(const std::string& src) {
  auto a = antlr_text(src);
  auto f = fast_text(src);
  REQUIRE(a->file);
  REQUIRE(f);
  REQUIRE(*a->file == *f);
  REQUIRE(!f->sets.empty());
  std::vector<std::string> out;
  for (const auto& c : f->sets[0].cidrs) out.push_back(c.text);
  for (const auto& p : f->sets[0].ports)
    out.push_back(std::to_string(p.lo.value) + (p.hi ? ".." + std::to_string(p.hi->value) : ""));
  return out;
}

}  // namespace

TEST_CASE("ipv6 forms lex as one address token", "[lexer]") {
  auto t = set_texts(
      "set v6: cidr = { ::, ::1, fe80::1/64, 2001:db8::/32, ::ffff:10.0.0.0/104, "
      "2001:0db8:0000:0000:0000:0000:0000:0001, fd00::abcd:1/128 }");
  CHECK(t == std::vector<std::string>{"::", "::1", "fe80::1/64", "2001:db8::/32",
                                      "::ffff:10.0.0.0/104",
                                      "2001:0db8:0000:0000:0000:0000:0000:0001",
                                      "fd00::abcd:1/128"});
  auto f = fast_text("set v6: cidr = { ::ffff:10.0.0.0/104 }");
  REQUIRE(f);
  REQUIRE(f->sets[0].cidrs[0].value);
  CHECK(f->sets[0].cidrs[0].value->addr.family == pir::Family::V6);
  CHECK(f->sets[0].cidrs[0].value->len == 104);
}

TEST_CASE("a name followed by a colon is not an address", "[lexer]") {
  // `ab` and `dead` are hex digits: with one colon they stay a name.
  for (std::string src : {"set x: cidr = { 10.0.0.1 }", "set x:cidr = { 10.0.0.1 }",
                          "set ab: cidr = { 10.0.0.1 }", "set dead:cidr={10.0.0.1}"}) {
    INFO(src);
    auto t = set_texts(src);
    CHECK(t == std::vector<std::string>{"10.0.0.1"});
  }
  auto f = fast_text("set dead:cidr={10.0.0.1}");
  REQUIRE(f);
  CHECK(f->sets[0].name.text == "dead");
}

TEST_CASE("ranges, numbers and ipv4 prefixes", "[lexer]") {
  CHECK(set_texts("set p: port = { 8000..8099, 22, 0..65535,1..2 }") ==
        std::vector<std::string>{"8000..8099", "22", "0..65535", "1..2"});
  CHECK(set_texts("set c: cidr = { 10.0.0.0/8,192.168.1.1, 10.0/8 }") ==
        std::vector<std::string>{"10.0.0.0/8", "192.168.1.1", "10.0/8"});
  // Lenient address tokens: invalid ones still lex, sema reports them.
  auto f = fast_text("set c: cidr = { 10.0.0.300, 10.0/8, 2001:db8:::1 }");
  REQUIRE(f);
  for (const auto& c : f->sets[0].cidrs) CHECK_FALSE(c.value);
}

TEST_CASE("keywords are names where a name is expected", "[lexer]") {
  auto src = "set any: cidr = { 10.0.0.0/8 }\n"
             "firewall { rule icmpv6 allow icmpv6 rule log log icmp rule rules deny from @any }";
  auto a = antlr_text(src);
  auto f = fast_text(src);
  REQUIRE(a->file);
  REQUIRE(f);
  REQUIRE(*a->file == *f);
  const auto& r = f->firewalls[0].rules;
  REQUIRE(r.size() == 3);
  CHECK(r[0].id.text == "icmpv6");
  CHECK(r[0].proto == pir::Proto::Icmpv6);
  CHECK(r[1].id.text == "log");
  CHECK(r[1].action == pir::Action::Log);
  CHECK(r[2].id.text == "rules");
}

TEST_CASE("strings, escapes and comments", "[lexer]") {
  auto src = "firewall { # a comment with \"quotes\" and { braces\n"
             "rule a allow \"say \\\"hi\\\" \\\\ done\" # trailing\n}";
  auto a = antlr_text(src);
  auto f = fast_text(src);
  REQUIRE(a->file);
  REQUIRE(f);
  REQUIRE(*a->file == *f);
  CHECK(f->firewalls[0].rules[0].description == std::string("say \"hi\" \\ done"));
}

TEST_CASE("bytes outside ASCII pass through strings and comments", "[lexer]") {
  auto src = "# caf\xc3\xa9\nfirewall { rule a allow \"\xe2\x9c\x93 \xff\" }";
  auto a = antlr_text(src);
  REQUIRE(a->file);
  auto f = fast_text(src);
  REQUIRE(f);
  CHECK(*a->file == *f);
  // Spans are byte offsets: the rule id starts after the 7-byte comment line.
  CHECK(f->firewalls[0].rules[0].id.span.begin == std::string_view(src).find(" a ") + 1);
}
