// The fast reader against the ANTLR grammar on generated input: whatever the
// fast reader accepts, ANTLR must accept with an identical AST (spans
// included); and on well-formed policies the fast reader must not give up,
// or large policies would silently take the slow path.
#include <catch2/catch.hpp>
#include <random>

#include "parse_support.h"

using namespace sentinel;
using sentinel::test::antlr_text;
using sentinel::test::fast_text;

namespace {

const std::vector<std::string> kFragments = {
    "set", "cidr", "port", "firewall", "default", "mode", "enforce", "audit", "rule", "allow",
    "deny", "log", "tcp", "udp", "icmp", "icmpv6", "any", "from", "to", "{", "}", ",", ":", "=",
    "!", "@", "..", ".", "10.0.0.0/8", "10.1.2.3", "1.2", "1.2.3.4/", "::1", "fe80::/10",
    "2001:db8::/32", "::ffff:1.2.3.4", "ab:", "a:b", "dead:beef::", "80", "8000", "65536",
    "web", "x-1", "_y", "ab", "\"desc\"", "\"un", "\"a\\\"b\"", "# c\n", "$", "-", "/", "\xc3\xa9"};

std::string soup(std::mt19937& rng) {
  std::uniform_int_distribution<size_t> len(1, 30), pick(0, kFragments.size() - 1), sep(0, 5);
  std::string s;
  size_t n = len(rng);
  for (size_t i = 0; i < n; ++i) {
    s += kFragments[pick(rng)];
    switch (sep(rng)) {
      case 0: break;  // glued to the next fragment
      case 1: s += "\n"; break;
      case 2: s += "\t"; break;
      default: s += " "; break;
    }
  }
  return s;
}

// A well-formed policy with every construct, in random combinations.
std::string policy(std::mt19937& rng) {
  auto coin = [&](int pct) { return std::uniform_int_distribution<int>(0, 99)(rng) < pct; };
  auto num = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const std::vector<std::string> addrs = {"10.0.0.0/8", "192.168.1.1", "2001:db8::/32", "::1",
                                          "fe80::1/64", "172.16.0.0/12", "10.0.0.300"};
  const std::vector<std::string> names = {"web", "office", "any", "icmp", "a-b", "_x"};
  auto ws = [&] { return coin(30) ? std::string("\n  ") : std::string(" "); };
  std::string s;
  for (int i = num(0, 3); i > 0; --i) {
    if (coin(50)) {
      s += "set " + names[num(0, 5)] + (coin(50) ? ": cidr = {" : ":cidr={");
      for (int k = num(0, 3); k > 0; --k) s += ws() + addrs[num(0, 6)] + (k > 1 || coin(30) ? "," : "");
      s += "}\n";
    } else {
      s += "set " + names[num(0, 5)] + ": port = {";
      for (int k = num(0, 3); k > 0; --k)
        s += " " + std::to_string(num(0, 70000)) + (coin(40) ? ".." + std::to_string(num(0, 70000)) : "") +
             (k > 1 || coin(30) ? "," : "");
      s += " }\n";
    }
  }
  auto addr = [&] {
    if (coin(20)) return std::string("any");
    std::string a = coin(25) ? "!" : "";
    if (coin(30)) {
      a += "{ ";
      for (int k = num(1, 3); k > 0; --k)
        a += (coin(50) ? "@" + names[num(0, 5)] : addrs[num(0, 6)]) + (k > 1 ? ", " : coin(30) ? "," : "");
      return a + " }";
    }
    return a + (coin(50) ? "@" + names[num(0, 5)] : addrs[num(0, 6)]);
  };
  auto ports = [&] {
    auto el = [&] {
      return coin(30) ? "@" + names[num(0, 5)]
                      : std::to_string(num(0, 65535)) + (coin(30) ? ".." + std::to_string(num(0, 65535)) : "");
    };
    if (coin(30)) {
      std::string p = "{ ";
      for (int k = num(1, 3); k > 0; --k) p += el() + (k > 1 ? ", " : "");
      return p + " }";
    }
    return el();
  };
  if (coin(90)) {
    s += "firewall {\n";
    if (coin(50)) s += coin(50) ? "  default deny\n" : "  default allow\n";
    if (coin(50)) s += coin(50) ? "  mode audit\n" : "  mode enforce\n";
    const char* actions[] = {"allow", "deny", "log"};
    const char* protos[] = {"", " tcp", " udp", " icmp", " icmpv6", " any"};
    for (int i = num(0, 6); i > 0; --i) {
      s += "  rule " + names[num(0, 5)] + std::to_string(i) + " " + actions[num(0, 2)] + protos[num(0, 5)];
      if (coin(60)) s += " from " + addr() + (coin(30) ? " port " + ports() : "");
      if (coin(60)) s += " to " + addr() + (coin(40) ? " port " + ports() : "");
      if (coin(30)) s += " \"rule \\\"" + std::to_string(i) + "\\\"\"";
      if (coin(20)) s += " # note";
      s += "\n";
    }
    s += "}\n";
  }
  return s;
}

void compare(const std::string& src, bool must_accept) {
  INFO("input: " << src);
  auto fast = fast_text(src);
  auto ref = antlr_text(src);
  if (must_accept) {
    REQUIRE(ref->file);
    REQUIRE(fast);
  }
  if (fast) {
    REQUIRE(ref->file);
    REQUIRE(*fast == *ref->file);
  }
}

}  // namespace

TEST_CASE("the fast reader agrees with ANTLR on well-formed policies", "[fast]") {
  std::mt19937 rng(1234);
  for (int i = 0; i < 400; ++i) compare(policy(rng), true);
}

TEST_CASE("the fast reader never accepts what ANTLR rejects", "[fast]") {
  std::mt19937 rng(99);
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string s = soup(rng);
    compare(s, false);
    if (fast_text(s)) ++accepted;
  }
  // Some soups are valid (an empty firewall, a lone set): the comparison above
  // covered real acceptances, not only rejections.
  CHECK(accepted > 0);
}

TEST_CASE("mutated policies: deleted and duplicated characters", "[fast]") {
  std::mt19937 rng(7);
  for (int i = 0; i < 600; ++i) {
    std::string s = policy(rng);
    if (s.empty()) continue;
    std::uniform_int_distribution<size_t> at(0, s.size() - 1);
    size_t k = at(rng);
    if (i % 2) s.erase(k, 1);
    else s.insert(k, 1, s[at(rng)]);
    compare(s, false);
  }
}
