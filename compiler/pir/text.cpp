#include "compiler/pir/text.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace sentinel::pir {

void text_fail(std::string what) { throw TextError{std::move(what)}; }

namespace {

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

void append_addr(std::string& out, const AddrMatch& m) {
  if (m.any) out += "any";
  if (m.negate) out += '!';
  if (!m.set.empty()) {
    out += "set:";
    append_name(out, m.set);
  }
  if (m.any && m.cidrs.empty()) return;
  out += '{';
  for (size_t i = 0; i < m.cidrs.size(); ++i) {
    if (i) out += ',';
    out += format(m.cidrs[i]);
  }
  out += '}';
}

void append_ports(std::string& out, const PortMatch& m) {
  if (m.any) out += "any";
  if (!m.set.empty()) {
    out += "set:";
    append_name(out, m.set);
  }
  if (m.any && m.ranges.empty()) return;
  out += '{';
  for (size_t i = 0; i < m.ranges.size(); ++i) {
    if (i) out += ',';
    out += format(m.ranges[i]);
  }
  out += '}';
}

// "addr[/len]" without masking: the text says exactly what the IR held.
Cidr cidr_of(std::string_view s) {
  if (auto c = parse_prefix(s)) return *c;
  if (!parse_addr(s.substr(0, s.find('/')))) text_fail("bad address `" + std::string(s) + "`");
  text_fail("bad prefix length in `" + std::string(s) + "`");
}

uint16_t port_of(std::string_view s, std::string_view whole) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v > 65535)
    text_fail("bad port `" + std::string(whole) + "`");
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

// `any`, or `[any][!][set:NAME]{ELEM,...}`; the element reader is per kind.
template <typename Elem>
void match_body(TextLine& in, bool& any, std::string& set, std::vector<Elem>& elems, bool* negate,
                Elem (*elem)(std::string_view)) {
  in.skip_spaces();
  any = in.eat("any");
  if (negate) *negate = in.eat('!');
  if (in.eat("set:")) set = in.name();
  if (!in.at('{')) {
    if (!any) text_fail("expected `{` or `any`");
    return;
  }
  in.expect('{');
  if (in.eat('}')) return;
  do {
    elems.push_back(elem(in.until(",} ")));
  } while (in.eat(','));
  in.expect('}');
}

}  // namespace

bool is_bare_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_bare_char(c)) return false;
  return true;
}

void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[5];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void append_name(std::string& out, std::string_view s) {
  // `loc` ends a list of names (set elements): a name spelled so is quoted.
  if (is_bare_name(s) && s != "loc")
    out += s;
  else
    append_quoted(out, s);
}

void append_loc(std::string& out, const Loc& loc) {
  if (loc == Loc{}) return;
  out += " loc ";
  append_quoted(out, loc.file);
  out += ':';
  out += std::to_string(loc.line);
  out += ':';
  out += std::to_string(loc.col);
}

void append_desc(std::string& out, const std::string& description) {
  if (description.empty()) return;
  out += " desc ";
  append_quoted(out, description);
}

void append_ns(std::string& out, uint64_t ns) {
  out += std::to_string(ns);
  out += "ns";
}

void append_match(std::string& out, const Match& m) {
  out += to_string(m.proto);
  out += " src ";
  append_addr(out, m.src);
  out += " dst ";
  append_addr(out, m.dst);
  out += " sport ";
  append_ports(out, m.sport);
  out += " dport ";
  append_ports(out, m.dport);
  if (m.family) out += m.family == 1 ? " family ipv4" : m.family == 2 ? " family ipv6" : " family " + std::to_string(m.family);
  if (m.tcp_mask) {
    out += " flags ";
    out += m.tcp_flags ? tcp_flags_text(m.tcp_flags) : "-";
    out += '/';
    out += tcp_flags_text(m.tcp_mask);
  }
  auto num = [&](const char* kw, int v) {
    if (v < 0) return;
    out += ' ';
    out += kw;
    out += ' ';
    out += std::to_string(v);
  };
  num("icmp-type", m.icmp_type);
  num("icmp-code", m.icmp_code);
  num("icmpv6-type", m.icmp6_type);
  num("icmpv6-code", m.icmp6_code);
  num("dscp", m.dscp);
  num("vlan", m.vlan);
  num("vlan-inner", m.vlan_inner);
  if (!m.ifaces.empty()) {
    out += m.iface_negate ? " on !" : " on ";
    for (size_t i = 0; i < m.ifaces.size(); ++i) out += (i ? "," : "") + m.ifaces[i];
  }
}

bool TextLine::done() {
  skip_spaces();
  return i_ == s_.size();
}

void TextLine::skip_spaces() {
  while (i_ < s_.size() && s_[i_] == ' ') ++i_;
}

bool TextLine::eat(char c) {
  if (!at(c)) return false;
  ++i_;
  return true;
}

bool TextLine::eat(std::string_view lit) {
  if (s_.substr(i_, lit.size()) != lit) return false;
  i_ += lit.size();
  return true;
}

void TextLine::expect(char c) {
  if (!eat(c)) text_fail(std::string("expected `") + c + "`");
}

std::string_view TextLine::word() {
  skip_spaces();
  size_t b = i_;
  while (i_ < s_.size() && s_[i_] != ' ') ++i_;
  if (b == i_) text_fail("unexpected end of line");
  return s_.substr(b, i_ - b);
}

std::string_view TextLine::peek_word() {
  skip_spaces();
  size_t e = i_;
  while (e < s_.size() && s_[e] != ' ') ++e;
  return s_.substr(i_, e - i_);
}

void TextLine::keyword(std::string_view kw) {
  auto w = word();
  if (w != kw) text_fail("expected `" + std::string(kw) + "`, found `" + std::string(w) + "`");
}

std::string TextLine::name() {
  skip_spaces();
  if (at('"')) return quoted();
  size_t b = i_;
  while (i_ < s_.size() && is_bare_char(s_[i_])) ++i_;
  if (b == i_) text_fail("expected a name");
  return std::string(s_.substr(b, i_ - b));
}

std::string TextLine::quoted() {
  skip_spaces();
  expect('"');
  std::string out;
  while (true) {
    if (i_ >= s_.size()) text_fail("unterminated string");
    char c = s_[i_++];
    if (c == '"') return out;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (i_ >= s_.size()) text_fail("unterminated string");
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
        if (l < 0) text_fail("bad \\x escape");
        out += static_cast<char>(h * 16 + l);
        i_ += 2;
        break;
      }
      default: text_fail(std::string("unknown escape `\\") + e + "`");
    }
  }
}

uint64_t TextLine::number64() {
  skip_spaces();
  size_t b = i_;
  while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s_.data() + b, s_.data() + i_, v);
  if (b == i_ || ec != std::errc()) text_fail("expected a number");
  return v;
}

uint32_t TextLine::number() {
  uint64_t v = number64();
  if (v > UINT32_MAX) text_fail("number out of range");
  return static_cast<uint32_t>(v);
}

uint64_t TextLine::ns() {
  uint64_t v = number64();
  if (!eat("ns")) text_fail("expected a duration in ns");
  return v;
}

std::string_view TextLine::until(std::string_view stops) {
  size_t b = i_;
  while (i_ < s_.size() && stops.find(s_[i_]) == std::string_view::npos) ++i_;
  return s_.substr(b, i_ - b);
}

Loc TextLine::loc() {
  Loc l;
  skip_spaces();
  l.file = quoted();
  expect(':');
  l.line = number();
  expect(':');
  l.col = number();
  return l;
}

Match TextLine::match() {
  Match m;
  m.proto = proto_of(word());
  keyword("src");
  match_body<Cidr>(*this, m.src.any, m.src.set, m.src.cidrs, &m.src.negate, cidr_of);
  keyword("dst");
  match_body<Cidr>(*this, m.dst.any, m.dst.set, m.dst.cidrs, &m.dst.negate, cidr_of);
  keyword("sport");
  match_body<PortRange>(*this, m.sport.any, m.sport.set, m.sport.ranges, nullptr, range_of);
  keyword("dport");
  match_body<PortRange>(*this, m.dport.any, m.dport.set, m.dport.ranges, nullptr, range_of);
  auto bounded = [&](uint32_t max) {
    uint32_t v = number();
    if (v > max) text_fail("value " + std::to_string(v) + " out of range");
    return v;
  };
  for (;;) {
    auto w = peek_word();
    if (w == "family") {
      keyword("family");
      auto f = word();
      if (f == "ipv4") m.family = 1;
      else if (f == "ipv6") m.family = 2;
      else text_fail("unknown family `" + std::string(f) + "`");
    } else if (w == "flags") {
      keyword("flags");
      skip_spaces();
      auto set = until("/");
      expect('/');
      auto mask = until(" ");
      auto fs = set == "-" ? std::optional<uint8_t>(0) : tcp_flags_of(set);
      auto fm = tcp_flags_of(mask);
      if (!fs || !fm) text_fail("bad tcp flags");
      m.tcp_flags = *fs;
      m.tcp_mask = *fm;
    } else if (w == "icmp-type") {
      keyword(w);
      m.icmp_type = static_cast<int16_t>(bounded(255));
    } else if (w == "icmpv6-type") {
      keyword(w);
      m.icmp6_type = static_cast<int16_t>(bounded(255));
    } else if (w == "icmp-code") {
      keyword(w);
      m.icmp_code = static_cast<int16_t>(bounded(255));
    } else if (w == "icmpv6-code") {
      keyword(w);
      m.icmp6_code = static_cast<int16_t>(bounded(255));
    } else if (w == "dscp") {
      keyword(w);
      m.dscp = static_cast<int8_t>(bounded(63));
    } else if (w == "vlan") {
      keyword(w);
      m.vlan = static_cast<int16_t>(bounded(4095));
    } else if (w == "vlan-inner") {
      keyword(w);
      m.vlan_inner = static_cast<int16_t>(bounded(4095));
    } else if (w == "on") {
      keyword(w);
      skip_spaces();
      m.iface_negate = eat('!');
      std::string_view list = until(" ");
      while (!list.empty()) {
        auto comma = list.find(',');
        std::string name(list.substr(0, comma));
        if (!valid_iface_name(name)) text_fail("bad interface name `" + name + "`");
        m.ifaces.push_back(std::move(name));
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
      }
      if (m.ifaces.empty() || !std::is_sorted(m.ifaces.begin(), m.ifaces.end()) ||
          std::adjacent_find(m.ifaces.begin(), m.ifaces.end()) != m.ifaces.end())
        text_fail("interfaces must be a sorted list of distinct names");
    } else {
      break;
    }
  }
  return m;
}

void TextLine::trailer(std::string* description, Loc* loc_out) {
  if (done()) return;
  auto w = word();
  if (w == "desc" && description) {
    *description = quoted();
    if (done()) return;
    w = word();
  }
  if (w != "loc") text_fail("expected `desc` or `loc`, found `" + std::string(w) + "`");
  *loc_out = loc();
}

Proto proto_of(std::string_view w) {
  if (auto p = proto_by_name(w)) return *p;
  unsigned v = 0;
  auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
  if (!w.empty() && ec == std::errc() && end == w.data() + w.size() && v >= 1 && v <= 255 &&
      w == to_string(static_cast<Proto>(v)))
    return static_cast<Proto>(v);
  text_fail("unknown protocol `" + std::string(w) + "`");
}

Mode mode_of(std::string_view w) {
  if (w == "enforce") return Mode::Enforce;
  if (w == "audit") return Mode::Audit;
  text_fail("unknown mode `" + std::string(w) + "`");
}

}  // namespace sentinel::pir
