// Reads the canonical PIR text described at the top of print.cpp. Strict on
// purpose: the text is machine-written, so anything unexpected is an error
// naming the line, never a guess. Blank lines and lines starting with `#` are
// skipped so that hand-edited test inputs may carry comments.
#include <algorithm>
#include <charconv>

#include "compiler/pir/pir.h"

namespace sentinel::pir {

namespace {

struct ParseError {
  std::string what;
};

[[noreturn]] void fail(std::string what) { throw ParseError{std::move(what)}; }

// Keep in step with is_bare_name in print.cpp.
bool is_bare_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '-' || c == '.';
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A cursor over one line. Every read either succeeds or throws ParseError;
// parse() turns that into "line N: ...".
class Line {
 public:
  explicit Line(std::string_view s) : s_(s) {}

  bool done() {
    skip_spaces();
    return i_ == s_.size();
  }
  void skip_spaces() {
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
  }
  bool at(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool eat(char c) {
    if (!at(c)) return false;
    ++i_;
    return true;
  }
  bool eat(std::string_view lit) {
    if (s_.substr(i_, lit.size()) != lit) return false;
    i_ += lit.size();
    return true;
  }
  void expect(char c) {
    if (!eat(c)) fail(std::string("expected `") + c + "`");
  }

  // A space-separated word: a keyword or a set element.
  std::string_view word() {
    skip_spaces();
    size_t b = i_;
    while (i_ < s_.size() && s_[i_] != ' ') ++i_;
    if (b == i_) fail("unexpected end of line");
    return s_.substr(b, i_ - b);
  }
  void keyword(std::string_view kw) {
    auto w = word();
    if (w != kw) fail("expected `" + std::string(kw) + "`, found `" + std::string(w) + "`");
  }

  std::string name() {
    if (at('"')) return quoted();
    size_t b = i_;
    while (i_ < s_.size() && is_bare_char(s_[i_])) ++i_;
    if (b == i_) fail("expected a name");
    return std::string(s_.substr(b, i_ - b));
  }

  std::string quoted() {
    expect('"');
    std::string out;
    while (true) {
      if (i_ >= s_.size()) fail("unterminated string");
      char c = s_[i_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) fail("unterminated string");
      char e = s_[i_++];
      switch (e) {
        case '\\': out += '\\'; break;
        case '"': out += '"'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'x': {
          int h = i_ + 1 < s_.size() ? hex_digit(s_[i_]) : -1;
          int l = h >= 0 ? hex_digit(s_[i_ + 1]) : -1;
          if (l < 0) fail("bad \\x escape");
          out += static_cast<char>(h * 16 + l);
          i_ += 2;
          break;
        }
        default: fail(std::string("unknown escape `\\") + e + "`");
      }
    }
  }

  uint32_t number() {
    size_t b = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(s_.data() + b, s_.data() + i_, v);
    if (b == i_ || ec != std::errc()) fail("expected a number");
    return v;
  }

  // The text up to (not including) the first of `stops`, or to the end.
  std::string_view until(std::string_view stops) {
    size_t b = i_;
    while (i_ < s_.size() && stops.find(s_[i_]) == std::string_view::npos) ++i_;
    return s_.substr(b, i_ - b);
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

// "addr[/len]" without masking: the text says exactly what the IR held.
Cidr cidr_of(std::string_view s) {
  if (auto c = parse_prefix(s)) return *c;
  if (!parse_addr(s.substr(0, s.find('/')))) fail("bad address `" + std::string(s) + "`");
  fail("bad prefix length in `" + std::string(s) + "`");
}

uint16_t port_of(std::string_view s, std::string_view whole) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v > 65535)
    fail("bad port `" + std::string(whole) + "`");
  return static_cast<uint16_t>(v);
}

// No lo <= hi check: an inverted range in the IR comes back inverted.
PortRange range_of(std::string_view s) {
  auto dots = s.find("..");
  if (dots == std::string_view::npos) {
    uint16_t p = port_of(s, s);
    return {p, p};
  }
  return {port_of(s.substr(0, dots), s), port_of(s.substr(dots + 2), s)};
}

// "80" or "8000..8099"; an IPv4 address has single dots, so it never fits.
bool looks_like_port(std::string_view s) {
  auto digits = [](std::string_view d) {
    if (d.empty()) return false;
    for (char c : d)
      if (c < '0' || c > '9') return false;
    return true;
  };
  auto dots = s.find("..");
  if (dots == std::string_view::npos) return digits(s);
  return digits(s.substr(0, dots)) && digits(s.substr(dots + 2));
}

// `any`, or `[any][!][set:NAME]{ELEM,...}`; the element reader is per kind.
template <typename Elem>
void match_body(Line& in, bool& any, std::string& set, std::vector<Elem>& elems, bool* negate,
                Elem (*elem)(std::string_view)) {
  in.skip_spaces();
  any = in.eat("any");
  if (negate) *negate = in.eat('!');
  if (in.eat("set:")) set = in.name();
  if (!in.at('{')) {
    if (!any) fail("expected `{` or `any`");
    return;
  }
  in.expect('{');
  if (in.eat('}')) return;
  do {
    elems.push_back(elem(in.until(",} ")));
  } while (in.eat(','));
  in.expect('}');
}

AddrMatch addr_match(Line& in) {
  AddrMatch m;
  match_body<Cidr>(in, m.any, m.set, m.cidrs, &m.negate, cidr_of);
  return m;
}

PortMatch port_match(Line& in) {
  PortMatch m;
  match_body<PortRange>(in, m.any, m.set, m.ranges, nullptr, range_of);
  return m;
}

Loc loc_of(Line& in) {
  Loc l;
  in.skip_spaces();
  l.file = in.quoted();
  in.expect(':');
  l.line = in.number();
  in.expect(':');
  l.col = in.number();
  return l;
}

Action action_of(std::string_view w) {
  if (w == "allow") return Action::Allow;
  if (w == "deny") return Action::Deny;
  if (w == "log") return Action::Log;
  fail("unknown action `" + std::string(w) + "`");
}

Proto proto_of(std::string_view w) {
  for (Proto p : {Proto::Any, Proto::Icmp, Proto::Tcp, Proto::Udp, Proto::Icmpv6})
    if (w == to_string(p)) return p;
  fail("unknown protocol `" + std::string(w) + "`");
}

Mode mode_of(std::string_view w) {
  if (w == "enforce") return Mode::Enforce;
  if (w == "audit") return Mode::Audit;
  fail("unknown mode `" + std::string(w) + "`");
}

Set set_line(Line& in) {
  Set s;
  in.skip_spaces();
  s.name = in.name();
  auto kind = in.word();
  if (kind == "cidr")
    s.kind = SetKind::Cidr;
  else if (kind == "port")
    s.kind = SetKind::Port;
  else
    fail("unknown set kind `" + std::string(kind) + "`");
  while (!in.done()) {
    if (in.at('l')) {
      in.keyword("loc");
      s.loc = loc_of(in);
      break;
    }
    // Elements go by their shape, not by the set's kind, so nothing is lost.
    auto w = in.word();
    if (looks_like_port(w))
      s.ports.push_back(range_of(w));
    else
      s.cidrs.push_back(cidr_of(w));
  }
  return s;
}

void firewall_line(Line& in, Firewall& fw) {
  fw.present = true;
  if (in.done()) return;
  auto w = in.word();
  if (w == "absent") {
    fw.present = false;
    if (in.done()) return;
    w = in.word();
  }
  if (w != "default") fail("expected `default`, found `" + std::string(w) + "`");
  fw.default_action = action_of(in.word());
  in.keyword("mode");
  fw.mode = mode_of(in.word());
  if (in.done()) return;
  in.keyword("loc");
  fw.loc = loc_of(in);
}

Rule rule_line(Line& in) {
  Rule r;
  in.skip_spaces();
  r.id = in.name();
  r.action = action_of(in.word());
  r.proto = proto_of(in.word());
  in.keyword("src");
  r.src = addr_match(in);
  in.keyword("dst");
  r.dst = addr_match(in);
  in.keyword("sport");
  r.sport = port_match(in);
  in.keyword("dport");
  r.dport = port_match(in);
  if (in.done()) return r;
  auto w = in.word();
  if (w == "desc") {
    in.skip_spaces();
    r.description = in.quoted();
    if (in.done()) return r;
    w = in.word();
  }
  if (w != "loc") fail("expected `desc` or `loc`, found `" + std::string(w) + "`");
  r.loc = loc_of(in);
  return r;
}

}  // namespace

std::optional<Policy> parse(std::string_view text, std::string* error) {
  Policy p;
  size_t lineno = 0;
  bool header = false, firewall = false;
  // One rule per line: reserving up front spares the regrowth of big dumps.
  p.firewall.rules.reserve(std::count(text.begin(), text.end(), '\n'));
  try {
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view raw = text.substr(pos, nl - pos);
      pos = nl + 1;
      ++lineno;
      Line in(raw);
      if (in.done() || raw.front() == '#') continue;
      auto kw = in.word();
      if (!header) {
        if (kw != "pir") fail("expected `pir 1` first");
        in.keyword("1");
        header = true;
      } else if (kw == "set") {
        if (firewall) fail("sets come before the firewall");
        p.sets.push_back(set_line(in));
      } else if (kw == "firewall") {
        if (firewall) fail("a second firewall line");
        firewall_line(in, p.firewall);
        firewall = true;
      } else if (kw == "rule") {
        if (!firewall) fail("a rule before the firewall line");
        p.firewall.rules.push_back(rule_line(in));
      } else {
        fail("unknown item `" + std::string(kw) + "`");
      }
      if (!in.done()) fail("trailing text");
    }
    if (!header) {
      lineno = 0;
      fail("empty input, expected `pir 1`");
    }
  } catch (const ParseError& e) {
    if (error) *error = "line " + std::to_string(lineno) + ": " + e.what;
    return std::nullopt;
  }
  return p;
}

}  // namespace sentinel::pir
