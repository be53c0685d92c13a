// The parser that runs against the grammar: on generated policies of every
// domain, on random token soup and on mutated policies, the hand-written
// parser and the ANTLR-generated one must build the same parse tree or
// reject at the same token. The per-domain corpora in tests/parse/ are the
// other half (ctest -R parse.conformance).
#include <catch2/catch.hpp>
#include <chrono>
#include <random>

#include "parse_support.h"

using namespace sentinel;
using sentinel::test::disagreement;

namespace {

const std::vector<std::string> kFragments = {
    "set", "cidr", "port", "iface", "on", "firewall", "ratelimit", "conntrack", "default", "mode",
    "enforce", "audit", "rule", "allow", "deny", "drop", "log", "tcp", "udp", "icmp", "icmpv6", "any",
    "from", "to", "ct", "new", "established", "related", "invalid", "rate", "burst", "per", "source",
    "global", "algorithm", "window", "timeout", "rules", "{", "}", ",", ":", "=", "!", "@", "..", "/",
    ".", "10.0.0.0/8", "10.1.2.3", "1.2", "1.2.3.4/", "::1", "fe80::/10", "2001:db8::/32",
    "::ffff:1.2.3.4", "ab:", "a:b", "dead:beef::", "80", "8000", "65536", "100/s", "5/m", "30s",
    "500ms", "2h", "7d", "5m", "web", "x-1", "_y", "ab", "tcp-syn", "token-bucket", "\"desc\"", "\"un",
    "\"a\\\"b\"", "# c\n", "$", "-", "\xc3\xa9",
    // Whole declarations, so that some soups are valid.
    "firewall { }", "conntrack { }", "ratelimit { }", "set e: port = { }", "rule a allow"};

std::string soup(std::mt19937& rng) {
  std::uniform_int_distribution<size_t> len(1, 30), pick(0, kFragments.size() - 1), sep(0, 5);
  std::string s;
  for (size_t i = len(rng); i > 0; --i) {
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

struct Gen {
  std::mt19937& rng;
  bool coin(int pct) { return std::uniform_int_distribution<int>(0, 99)(rng) < pct; }
  int num(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  template <size_t N>
  std::string pick(const char* const (&a)[N]) {
    return a[num(0, N - 1)];
  }
  std::string ws() { return coin(30) ? "\n  " : " "; }
  std::string name() {
    const char* names[] = {"web", "office", "any", "icmp", "a-b", "_x", "rate", "new", "rules"};
    return pick(names);
  }
  std::string cidr() {
    const char* a[] = {"10.0.0.0/8", "192.168.1.1", "2001:db8::/32", "::1", "fe80::1/64", "10.0.0.300"};
    return pick(a);
  }
  std::string addr() {
    if (coin(20)) return "any";
    std::string a = coin(25) ? "!" : "";
    if (coin(30)) {
      a += "{ ";
      for (int k = num(1, 3); k > 0; --k) a += (coin(50) ? "@" + name() : cidr()) + (k > 1 ? ", " : coin(30) ? "," : "");
      return a + " }";
    }
    return a + (coin(50) ? "@" + name() : cidr());
  }
  std::string port_elem() {
    return coin(30) ? "@" + name() : std::to_string(num(0, 65535)) + (coin(30) ? ".." + std::to_string(num(0, 65535)) : "");
  }
  std::string ports() {
    if (!coin(30)) return port_elem();
    std::string p = "{ ";
    for (int k = num(1, 3); k > 0; --k) p += port_elem() + (k > 1 ? ", " : "");
    return p + " }";
  }
  std::string match() {
    const char* protos[] = {"", " tcp", " udp", " icmp", " icmpv6", " any"};
    std::string s = pick(protos);
    if (coin(60)) s += " from " + addr() + (coin(30) ? " port " + ports() : "");
    if (coin(60)) s += " to " + addr() + (coin(40) ? " port " + ports() : "");
    return s;
  }
  std::string scope() { return coin(20) ? " on @" + name() : ""; }
  std::string desc() { return coin(30) ? " \"say \\\"" + std::to_string(num(0, 9)) + "\\\"\"" : ""; }

  std::string sets() {
    std::string s;
    for (int i = num(0, 3); i > 0; --i) {
      int kind = num(0, 2);
      if (kind == 0) {
        s += "set " + name() + (coin(50) ? ": cidr = {" : ":cidr={");
        for (int k = num(0, 3); k > 0; --k) s += ws() + cidr() + (k > 1 || coin(30) ? "," : "");
      } else if (kind == 1) {
        s += "set " + name() + ": port = {";
        for (int k = num(0, 3); k > 0; --k) s += " " + std::to_string(num(0, 65535)) + (k > 1 || coin(30) ? "," : "");
      } else {
        s += "set " + name() + ": iface = {";
        for (int k = num(0, 3); k > 0; --k) s += std::string(" ") + (coin(70) ? name() : "\"eth0.10\"") + (k > 1 ? "," : "");
      }
      s += " }\n";
    }
    return s;
  }
  std::string firewall() {
    std::string s = "firewall" + scope() + " {\n";
    if (coin(50)) s += coin(50) ? "  default deny\n" : "  default allow\n";
    if (coin(50)) s += coin(50) ? "  mode audit\n" : "  mode enforce\n";
    const char* actions[] = {"allow", "deny", "log"};
    const char* states[] = {"new", "established", "related", "invalid"};
    for (int i = num(0, 5); i > 0; --i) {
      s += "  rule " + name() + std::to_string(i) + " " + pick(actions) + match();
      if (coin(25)) {
        if (coin(50)) s += std::string(" ct ") + pick(states);
        else s += std::string(" ct { ") + pick(states) + ", " + pick(states) + (coin(30) ? ", }" : " }");
      }
      s += desc() + (coin(20) ? " # note" : "") + "\n";
    }
    return s + "}\n";
  }
  std::string ratelimit() {
    std::string s = "ratelimit" + scope() + " {\n";
    if (coin(40)) s += "  mode audit\n";
    const char* rates[] = {"100/s", "5/m", "1/h", "0/s"};
    const char* algs[] = {"token-bucket", "leaky-bucket", "fixed-window", "sliding-window", "bogus"};
    const char* durs[] = {"1s", "500ms", "10m", "2h", "1d"};
    for (int i = num(0, 4); i > 0; --i) {
      s += "  rule " + name() + std::to_string(i) + (coin(50) ? " drop" : " log") + match() + " rate " + pick(rates);
      for (int k = num(0, 3); k > 0; --k) {
        switch (num(0, 5)) {
          case 0: s += " burst " + std::to_string(num(0, 500)); break;
          case 1: s += " per source"; break;
          case 2: s += " per source /" + std::to_string(num(0, 40)) + (coin(50) ? " /" + std::to_string(num(0, 130)) : ""); break;
          case 3: s += coin(50) ? " per port" : " global"; break;
          case 4: s += std::string(" algorithm ") + pick(algs); break;
          default: s += std::string(" window ") + pick(durs);
        }
      }
      s += desc() + "\n";
    }
    return s + "}\n";
  }
  std::string conntrack() {
    std::string s = "conntrack" + scope() + " {\n";
    const char* names[] = {"tcp-syn", "tcp-established", "udp", "icmp", "other", "tcp"};
    const char* durs[] = {"30s", "500ms", "10m", "2h", "1d"};
    for (int i = num(0, 4); i > 0; --i) {
      if (coin(30)) s += coin(50) ? "  established allow\n" : "  established rules\n";
      else s += std::string("  timeout ") + pick(names) + " " + pick(durs) + "\n";
    }
    return s + "}\n";
  }
  std::string policy() {
    std::string s = sets();
    if (coin(80)) s += firewall();
    if (coin(50)) s += ratelimit();
    if (coin(40)) s += conntrack();
    return s;
  }
};

}  // namespace

TEST_CASE("the two parsers agree on well-formed policies of every domain", "[conformance]") {
  std::mt19937 rng(1234);
  Gen g{rng};
  for (int i = 0; i < 600; ++i) {
    std::string src = g.policy();
    INFO("input:\n" << src);
    auto why = disagreement(src);
    INFO(why);
    REQUIRE(why.empty());
    REQUIRE(test::parse_text(src)->file);
  }
}

TEST_CASE("the two parsers agree on token soup", "[conformance]") {
  std::mt19937 rng(99);
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string src = soup(rng);
    INFO("input: " << src);
    auto why = disagreement(src);
    INFO(why);
    REQUIRE(why.empty());
    if (test::parse_text(src)->file) ++accepted;
  }
  // Some soups are valid (an empty block, a lone set): the comparison above
  // covered real acceptances, not only rejections.
  CHECK(accepted > 0);
}

TEST_CASE("the two parsers agree on mutated policies", "[conformance]") {
  std::mt19937 rng(7);
  Gen g{rng};
  for (int i = 0; i < 1500; ++i) {
    std::string s = g.policy();
    if (s.empty()) continue;
    std::uniform_int_distribution<size_t> at(0, s.size() - 1);
    size_t k = at(rng);
    switch (i % 3) {
      case 0: s.erase(k, 1); break;
      case 1: s.insert(k, 1, s[at(rng)]); break;
      default: s.insert(k, kFragments[rng() % kFragments.size()] + " ");
    }
    INFO("input:\n" << s);
    auto why = disagreement(s);
    INFO(why);
    REQUIRE(why.empty());
  }
}

TEST_CASE("parsing 100,000 rules", "[perf]") {
  std::string src = "firewall {\n  default deny\n";
  for (int i = 0; i < 100000; ++i)
    src += "  rule r" + std::to_string(i) + " allow tcp from 10." + std::to_string(i / 65536 % 256) + "." +
           std::to_string(i / 256 % 256) + "." + std::to_string(i % 256) + " to any port " +
           std::to_string(1 + i % 60000) + " \"rule " + std::to_string(i) + "\"\n";
  src += "}\n";
  SourceManager sm;
  DiagEngine diags(sm);
  uint32_t id = sm.add("big.sen", src);
  auto t0 = std::chrono::steady_clock::now();
  auto f = parse::parse(sm, id, diags);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  WARN("parsed 100000 rules (" << src.size() << " bytes) in " << ms << " ms");
  REQUIRE(f);
  CHECK(f->blocks.size() == 1);
}
