#include "compiler/parse/lexer.h"

#include <array>
#include <cstdio>
#include <string>
#include <vector>

namespace sentinel::parse {

namespace {

struct Fixed {
  std::string_view text;
  Tok kind;
  bool keyword;
  const char* group;
  const char* shown;  // "`text`"
};

constexpr Fixed kFixed[] = {
#define SN_KEYWORD(name, text, group) {text, Tok::name, true, #group, "`" text "`"},
#define SN_PUNCT(name, text) {text, Tok::name, false, "", "`" text "`"},
#include "tokens.inc"
#undef SN_KEYWORD
#undef SN_PUNCT
};
constexpr size_t kFixedCount = sizeof kFixed / sizeof kFixed[0];

bool digit(char c) { return c >= '0' && c <= '9'; }
bool hex(char c) { return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool id_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool id_char(char c) { return id_start(c) || digit(c) || c == '-'; }

// Each lexer rule as a longest-match function: the length of the longest
// prefix of s[i..] it accepts, 0 when none.
size_t digits(std::string_view s, size_t i) {
  size_t j = i;
  while (j < s.size() && digit(s[j])) ++j;
  return j - i;
}

size_t prefix_len(std::string_view s, size_t i) {  // ('/' DIGIT+)?
  if (i < s.size() && s[i] == '/') {
    size_t d = digits(s, i + 1);
    if (d) return d + 1;
  }
  return 0;
}

size_t match_ipv4(std::string_view s, size_t i) {  // DIGIT+ ('.' DIGIT+)+ PREFIXLEN?
  size_t j = i + digits(s, i);
  if (j == i) return 0;
  int groups = 0;
  while (j + 1 < s.size() && s[j] == '.' && digit(s[j + 1])) {
    j += 1 + digits(s, j + 1);
    ++groups;
  }
  if (groups == 0) return 0;
  return j + prefix_len(s, j) - i;
}

size_t match_ipv6(std::string_view s, size_t i) {  // HEX* ':' HEX* ':' [0-9a-fA-F:.]* PREFIXLEN?
  size_t j = i;
  while (j < s.size() && hex(s[j])) ++j;
  if (j >= s.size() || s[j] != ':') return 0;
  ++j;
  while (j < s.size() && hex(s[j])) ++j;
  if (j >= s.size() || s[j] != ':') return 0;
  ++j;
  while (j < s.size() && (hex(s[j]) || s[j] == ':' || s[j] == '.')) ++j;
  return j + prefix_len(s, j) - i;
}

size_t match_rate(std::string_view s, size_t i) {  // DIGIT+ '/' [smh]
  size_t d = digits(s, i);
  if (!d || i + d + 1 >= s.size() || s[i + d] != '/') return 0;
  char u = s[i + d + 1];
  return u == 's' || u == 'm' || u == 'h' ? d + 2 : 0;
}

size_t match_duration(std::string_view s, size_t i) {  // DIGIT+ ('ms'|'s'|'m'|'h'|'d')
  size_t d = digits(s, i);
  if (!d || i + d >= s.size()) return 0;
  char u = s[i + d];
  if (u == 'm' && i + d + 1 < s.size() && s[i + d + 1] == 's') return d + 2;
  return u == 's' || u == 'm' || u == 'h' || u == 'd' ? d + 1 : 0;
}

// STRING: '"' (~["\\\r\n] | '\\' ~[\r\n])* '"'; 0 when unterminated.
size_t match_string(std::string_view s, size_t i) {
  size_t j = i + 1;
  while (j < s.size() && s[j] != '"') {
    if (s[j] == '\r' || s[j] == '\n') return 0;
    if (s[j] == '\\') {
      if (j + 1 >= s.size() || s[j + 1] == '\r' || s[j + 1] == '\n') return 0;
      ++j;
    }
    ++j;
  }
  return j < s.size() ? j + 1 - i : 0;
}

// Lookup tables built once: keywords by their text, punctuation by its
// first character. A linear scan of every fixed token per token costs more
// than the rest of lexing.
struct Tables {
  std::array<std::vector<const Fixed*>, 256> keywords, punct;
  Tables() {
    for (const auto& f : kFixed)
      (f.keyword ? keywords : punct)[static_cast<unsigned char>(f.text[0])].push_back(&f);
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

}  // namespace

bool is_keyword(Tok t) {
  auto i = static_cast<size_t>(t);
  return i < kFixedCount && kFixed[i].keyword;
}

const char* keyword_group(Tok t) {
  auto i = static_cast<size_t>(t);
  return i < kFixedCount ? kFixed[i].group : "";
}

const char* describe(Tok t) {
  auto i = static_cast<size_t>(t);
  if (i < kFixedCount) return kFixed[i].shown;
  switch (t) {
    case Tok::IPV4: return "an IPv4 address";
    case Tok::IPV6: return "an IPv6 address";
    case Tok::RATE_LIT: return "a rate like `100/s`";
    case Tok::DURATION: return "a duration like `30s`";
    case Tok::NUMBER: return "a number";
    case Tok::ID: return "a name";
    case Tok::STRING: return "a string";
    case Tok::END: return "end of file";
    default: return "a token";
  }
}

std::vector<Token> lex(std::string_view s, uint32_t file, DiagEngine& diags, std::vector<uint32_t>* skipped) {
  const Tables& tab = tables();
  std::vector<Token> out;
  out.reserve(s.size() / 4 + 1);
  size_t i = 0, n = s.size();
  while (i < n) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
      continue;
    }
    if (c == '#') {
      while (i < n && s[i] != '\r' && s[i] != '\n') ++i;
      continue;
    }
    auto u = static_cast<uint32_t>(i);
    if (c == '"') {
      size_t len = match_string(s, i);
      if (len) {
        out.push_back({Tok::STRING, u, static_cast<uint32_t>(i + len)});
        i += len;
        continue;
      }
      diags.report(DiagCode::E0001, Span{file, u, u + 1}, "unterminated string");
      if (skipped) skipped->push_back(u);
      while (i < n && s[i] != '\r' && s[i] != '\n') ++i;
      continue;
    }
    // Longest match; on equal length the earlier rule wins, which is the
    // order of the candidates below.
    size_t best = 0;
    Tok kind = Tok::END;
    auto consider = [&](size_t len, Tok k) {
      if (len > best) best = len, kind = k;
    };
    size_t word = 0;
    if (id_start(c)) {
      word = 1;
      while (i + word < n && id_char(s[i + word])) ++word;
      // A keyword can only tie with ID (keywords are words), never beat it.
      std::string_view w = s.substr(i, word);
      for (const Fixed* f : tab.keywords[static_cast<unsigned char>(c)])
        if (f->text.size() == word && f->text == w) consider(word, f->kind);
    }
    for (const Fixed* f : tab.punct[static_cast<unsigned char>(c)])
      if (s.substr(i, f->text.size()) == f->text) consider(f->text.size(), f->kind);
    if (digit(c) || hex(c) || c == ':') {
      if (digit(c)) consider(match_ipv4(s, i), Tok::IPV4);
      consider(match_ipv6(s, i), Tok::IPV6);
      if (digit(c)) {
        consider(match_rate(s, i), Tok::RATE_LIT);
        consider(match_duration(s, i), Tok::DURATION);
        consider(digits(s, i), Tok::NUMBER);
      }
    }
    consider(word, Tok::ID);
    if (best == 0) {
      unsigned char b = static_cast<unsigned char>(c);
      char buf[48];
      if (b < 0x20 || b >= 0x7f)
        std::snprintf(buf, sizeof buf, "unexpected byte 0x%02x", b);
      else
        std::snprintf(buf, sizeof buf, "unexpected character `%c`", c);
      diags.report(DiagCode::E0001, Span{file, u, u + 1}, buf);
      if (skipped) skipped->push_back(u);
      ++i;
      continue;
    }
    out.push_back({kind, u, static_cast<uint32_t>(i + best)});
    i += best;
  }
  out.push_back({Tok::END, static_cast<uint32_t>(n), static_cast<uint32_t>(n)});
  return out;
}

}  // namespace sentinel::parse
