#include "compiler/parse/fast_parser.h"

#include <string_view>
#include <vector>

#include "compiler/parse/literals.h"

namespace sentinel::parse {

namespace {

// Token kinds of grammar/SentinelLexer.g4, keywords first in the same order.
enum class T : uint8_t {
  Set, CidrT, Port, Firewall, Default, Mode, Enforce, Audit, Rule, Allow, Deny, Log, Tcp, Udp,
  Icmp, Icmpv6, Any, From, To,
  LBrace, RBrace, Comma, Colon, Equals, Bang, At, DotDot,
  Ipv4, Ipv6, Number, Id, String, Eof
};

struct Keyword {
  std::string_view text;
  T kind;
};
constexpr Keyword kKeywords[] = {
    {"set", T::Set},         {"cidr", T::CidrT},     {"port", T::Port},     {"firewall", T::Firewall},
    {"default", T::Default}, {"mode", T::Mode},      {"enforce", T::Enforce}, {"audit", T::Audit},
    {"rule", T::Rule},       {"allow", T::Allow},    {"deny", T::Deny},     {"log", T::Log},
    {"tcp", T::Tcp},         {"udp", T::Udp},        {"icmp", T::Icmp},     {"icmpv6", T::Icmpv6},
    {"any", T::Any},         {"from", T::From},      {"to", T::To},
};

bool is_keyword(T t) { return t <= T::To; }

struct Tok {
  T kind;
  uint32_t begin, end;
};

bool digit(char c) { return c >= '0' && c <= '9'; }
bool hex(char c) { return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool id_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool id_char(char c) { return id_start(c) || digit(c) || c == '-'; }

// The lexer rules as longest-match functions: each returns the length of the
// longest prefix of s[i..] its rule accepts, 0 when none.
size_t prefix_len(std::string_view s, size_t i) {  // ('/' DIGIT+)?
  if (i < s.size() && s[i] == '/' && i + 1 < s.size() && digit(s[i + 1])) {
    size_t j = i + 1;
    while (j < s.size() && digit(s[j])) ++j;
    return j - i;
  }
  return 0;
}

size_t match_ipv4(std::string_view s, size_t i) {  // DIGIT+ ('.' DIGIT+)+ PREFIXLEN?
  size_t j = i;
  while (j < s.size() && digit(s[j])) ++j;
  if (j == i) return 0;
  int groups = 0;
  while (j + 1 < s.size() && s[j] == '.' && digit(s[j + 1])) {
    j += 1;
    while (j < s.size() && digit(s[j])) ++j;
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

// Tokens of the whole file; false on anything the lexer grammar would
// reject (the ANTLR lexer then reports it).
bool lex(std::string_view s, std::vector<Tok>& out) {
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
    auto single = [&](T k) {
      out.push_back({k, u, u + 1});
      ++i;
    };
    switch (c) {
      case '{': single(T::LBrace); continue;
      case '}': single(T::RBrace); continue;
      case ',': single(T::Comma); continue;
      case '=': single(T::Equals); continue;
      case '!': single(T::Bang); continue;
      case '@': single(T::At); continue;
      case '.':
        if (i + 1 < n && s[i + 1] == '.') {
          out.push_back({T::DotDot, u, u + 2});
          i += 2;
          continue;
        }
        return false;
      case '"': {
        size_t j = i + 1;
        while (j < n && s[j] != '"') {
          if (s[j] == '\r' || s[j] == '\n') return false;
          if (s[j] == '\\') {
            if (j + 1 >= n || s[j + 1] == '\r' || s[j + 1] == '\n') return false;
            ++j;
          }
          ++j;
        }
        if (j >= n) return false;
        out.push_back({T::String, u, static_cast<uint32_t>(j + 1)});
        i = j + 1;
        continue;
      }
      default: break;
    }
    // Longest match over the remaining rules; on equal length the rule
    // listed first in the grammar wins (keywords, IPV4, IPV6, NUMBER, ID).
    size_t best = 0;
    T kind = T::Eof;
    auto consider = [&](size_t len, T k) {
      if (len > best) best = len, kind = k;
    };
    if (c == ':') consider(1, T::Colon);
    if (id_start(c)) {
      size_t j = i + 1;
      while (j < n && id_char(s[j])) ++j;
      std::string_view word = s.substr(i, j - i);
      T k = T::Id;
      for (const auto& kw : kKeywords)
        if (kw.text == word) k = kw.kind;
      // A keyword is listed before IPV6 and beats it on equal length; ID is
      // listed after and loses.
      if (is_keyword(k)) consider(j - i, k);
      consider(match_ipv6(s, i), T::Ipv6);
      consider(j - i, T::Id);
    } else if (digit(c)) {
      consider(match_ipv4(s, i), T::Ipv4);
      consider(match_ipv6(s, i), T::Ipv6);
      size_t j = i;
      while (j < n && digit(s[j])) ++j;
      consider(j - i, T::Number);
    } else if (c == ':') {
      consider(match_ipv6(s, i), T::Ipv6);
    }
    if (best == 0) return false;
    out.push_back({kind, u, static_cast<uint32_t>(i + best)});
    i += best;
  }
  out.push_back({T::Eof, static_cast<uint32_t>(n), static_cast<uint32_t>(n)});
  return true;
}

// Thrown-free recursive descent: every function returns false when the input
// leaves the grammar, and the caller unwinds.
class Reader {
 public:
  Reader(std::string_view text, uint32_t file, const std::vector<Tok>& toks)
      : text_(text), file_(file), toks_(toks) {
    // Rules are large; growing the vector would move each one ~twice.
    for (const auto& t : toks_) rule_tokens_ += t.kind == T::Rule;
  }

  bool file(ast::File& out) {
    out.file = file_;
    while (peek() != T::Eof) {
      if (peek() == T::Set) {
        out.sets.emplace_back();
        if (!set_decl(out.sets.back())) return false;
      } else if (peek() == T::Firewall) {
        out.firewalls.emplace_back();
        if (!firewall(out.firewalls.back())) return false;
      } else {
        return false;
      }
    }
    return true;
  }

 private:
  T peek(size_t k = 0) const { return toks_[pos_ + k].kind; }
  const Tok& cur() const { return toks_[pos_]; }
  Span span(const Tok& t) const { return Span{file_, t.begin, t.end}; }
  Span span_from(size_t first) const {  // tokens first .. pos_-1
    return Span{file_, toks_[first].begin, toks_[pos_ - 1].end};
  }
  std::string_view text(const Tok& t) const { return text_.substr(t.begin, t.end - t.begin); }
  bool accept(T k) {
    if (peek() != k) return false;
    ++pos_;
    return true;
  }

  bool name(ast::Name& out) {
    T k = peek();
    if (k != T::Id && !is_keyword(k)) return false;
    out.span = span(cur());
    out.text = std::string(text(cur()));
    ++pos_;
    return true;
  }

  bool cidr(ast::CidrLit& out) {
    if (peek() != T::Ipv4 && peek() != T::Ipv6) return false;
    out.span = span(cur());
    out.text = std::string(text(cur()));
    out.value = pir::parse_cidr(out.text, &out.host_bits);
    ++pos_;
    return true;
  }

  bool number(ast::Number& out) {
    if (peek() != T::Number) return false;
    out.span = span(cur());
    out.value = parse_decimal(text(cur()));
    ++pos_;
    return true;
  }

  bool port(ast::PortLit& out) {
    size_t first = pos_;
    if (!number(out.lo)) return false;
    if (accept(T::DotDot)) {
      out.hi.emplace();
      if (!number(*out.hi)) return false;
    }
    out.span = span_from(first);
    return true;
  }

  bool set_ref(ast::SetRef& out) {
    size_t first = pos_;
    if (!accept(T::At) || !name(out.name)) return false;
    out.span = span_from(first);
    return true;
  }

  bool set_decl(ast::SetDecl& out) {
    size_t first = pos_;
    if (!accept(T::Set) || !name(out.name) || !accept(T::Colon)) return false;
    if (accept(T::CidrT)) out.kind = pir::SetKind::Cidr;
    else if (accept(T::Port)) out.kind = pir::SetKind::Port;
    else return false;
    if (!accept(T::Equals) || !accept(T::LBrace)) return false;
    bool is_cidr = out.kind == pir::SetKind::Cidr;
    if (peek() != T::RBrace) {
      while (true) {
        if (is_cidr) {
          out.cidrs.emplace_back();
          if (!cidr(out.cidrs.back())) return false;
        } else {
          out.ports.emplace_back();
          if (!port(out.ports.back())) return false;
        }
        if (!accept(T::Comma)) break;
        if (peek() == T::RBrace) break;  // trailing comma
      }
    }
    if (!accept(T::RBrace)) return false;
    out.span = span_from(first);
    return true;
  }

  bool firewall(ast::Firewall& out) {
    out.span = span(cur());
    if (!accept(T::Firewall) || !accept(T::LBrace)) return false;
    while (peek() == T::Default || peek() == T::Mode) {
      size_t first = pos_;
      if (accept(T::Default)) {
        ast::DefaultSetting d;
        if (accept(T::Allow)) d.action = pir::Action::Allow;
        else if (accept(T::Deny)) d.action = pir::Action::Deny;
        else return false;
        d.span = span_from(first);
        out.defaults.push_back(d);
      } else {
        ++pos_;
        ast::ModeSetting m;
        if (accept(T::Enforce)) m.mode = pir::Mode::Enforce;
        else if (accept(T::Audit)) m.mode = pir::Mode::Audit;
        else return false;
        m.span = span_from(first);
        out.modes.push_back(m);
      }
    }
    out.rules.reserve(rule_tokens_);
    while (peek() == T::Rule) {
      out.rules.emplace_back();
      if (!rule(out.rules.back())) return false;
    }
    return accept(T::RBrace);
  }

  bool rule(ast::Rule& out) {
    size_t first = pos_;
    if (!accept(T::Rule) || !name(out.id)) return false;
    out.action_span = span(cur());
    if (accept(T::Allow)) out.action = pir::Action::Allow;
    else if (accept(T::Deny)) out.action = pir::Action::Deny;
    else if (accept(T::Log)) out.action = pir::Action::Log;
    else return false;
    switch (peek()) {
      case T::Tcp: out.proto = pir::Proto::Tcp; break;
      case T::Udp: out.proto = pir::Proto::Udp; break;
      case T::Icmp: out.proto = pir::Proto::Icmp; break;
      case T::Icmpv6: out.proto = pir::Proto::Icmpv6; break;
      case T::Any: out.proto = pir::Proto::Any; break;
      default: break;
    }
    if (out.proto) {
      out.proto_span = span(cur());
      ++pos_;
    }
    if (peek() == T::From) {
      out.from.emplace();
      if (!endpoint(*out.from)) return false;
    }
    if (peek() == T::To) {
      out.to.emplace();
      if (!endpoint(*out.to)) return false;
    }
    if (peek() == T::String) {
      out.description_span = span(cur());
      out.description = unquote(text(cur()));
      ++pos_;
    }
    out.span = span_from(first);
    return true;
  }

  bool endpoint(ast::Endpoint& out) {
    size_t first = pos_;
    ++pos_;  // `from` or `to`
    if (!addr(out.addr)) return false;
    if (accept(T::Port)) {
      out.ports.emplace();
      if (!ports(*out.ports)) return false;
    }
    out.span = span_from(first);
    return true;
  }

  bool addr_elem(std::vector<ast::AddrElem>& elems) {
    if (peek() == T::At) {
      ast::SetRef r;
      if (!set_ref(r)) return false;
      elems.emplace_back(std::move(r));
      return true;
    }
    ast::CidrLit c;
    if (!cidr(c)) return false;
    elems.emplace_back(std::move(c));
    return true;
  }

  bool addr(ast::AddrExpr& out) {
    size_t first = pos_;
    if (accept(T::Any)) {
      out.span = span_from(first);
      return true;
    }
    out.any = false;
    out.negate = accept(T::Bang);
    if (accept(T::LBrace)) {
      if (!list(out.elems, &Reader::addr_elem)) return false;
    } else if (!addr_elem(out.elems)) {
      return false;
    }
    out.span = span_from(first);
    return true;
  }

  bool port_elem(std::vector<ast::PortElem>& elems) {
    if (peek() == T::At) {
      ast::SetRef r;
      if (!set_ref(r)) return false;
      elems.emplace_back(std::move(r));
      return true;
    }
    ast::PortLit p;
    if (!port(p)) return false;
    elems.emplace_back(std::move(p));
    return true;
  }

  bool ports(ast::PortExpr& out) {
    size_t first = pos_;
    if (accept(T::LBrace)) {
      if (!list(out.elems, &Reader::port_elem)) return false;
    } else if (!port_elem(out.elems)) {
      return false;
    }
    out.span = span_from(first);
    return true;
  }

  // `elem (, elem)* ,? }` after the opening brace: at least one element.
  template <class Elems>
  bool list(Elems& elems, bool (Reader::*elem)(Elems&)) {
    if (!(this->*elem)(elems)) return false;
    while (accept(T::Comma)) {
      if (peek() == T::RBrace) break;
      if (!(this->*elem)(elems)) return false;
    }
    return accept(T::RBrace);
  }

  std::string_view text_;
  uint32_t file_;
  const std::vector<Tok>& toks_;
  size_t pos_ = 0;
  size_t rule_tokens_ = 0;
};

}  // namespace

std::optional<ast::File> fast_parse(const SourceManager& sm, uint32_t file) {
  std::string_view text = sm.text(file);
  std::vector<Tok> toks;
  toks.reserve(text.size() / 4 + 1);
  if (!lex(text, toks)) return std::nullopt;
  ast::File out;
  if (!Reader(text, file, toks).file(out)) return std::nullopt;
  return out;
}

}  // namespace sentinel::parse
