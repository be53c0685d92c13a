// Reads the canonical PIR text described at the top of print.cpp. Strict on
// purpose: the text is machine-written, so anything unexpected is an error
// naming the line, never a guess. Blank lines and lines starting with `#` are
// skipped so that hand-edited test inputs may carry comments.
#include <algorithm>

#include "compiler/pir/pir.h"
#include "compiler/pir/text.h"

namespace sentinel::pir {

// Each domain's block factory, in its pir/domains/<domain>.cpp.
#define SN_DOMAIN(name) std::unique_ptr<Block> make_##name##_block();
#include "compiler/domains/domains.def"
#undef SN_DOMAIN

namespace {

using Factory = std::unique_ptr<Block> (*)();
constexpr Factory kFactories[] = {
#define SN_DOMAIN(name) &make_##name##_block,
#include "compiler/domains/domains.def"
#undef SN_DOMAIN
};

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

Set set_line(TextLine& in) {
  Set s;
  s.name = in.name();
  auto kind = in.word();
  if (kind == "cidr")
    s.kind = SetKind::Cidr;
  else if (kind == "port")
    s.kind = SetKind::Port;
  else if (kind == "iface")
    s.kind = SetKind::Iface;
  else
    text_fail("unknown set kind `" + std::string(kind) + "`");
  while (!in.done()) {
    if (in.peek_word() == "loc") {
      in.keyword("loc");
      s.loc = in.loc();
      break;
    }
    if (s.kind == SetKind::Iface) {
      s.ifaces.push_back(in.name());
      continue;
    }
    // Elements go by their shape, not by the set's kind, so nothing is lost.
    auto w = in.word();
    if (looks_like_port(w)) {
      TextLine elem(w);
      auto dots = w.find("..");
      uint32_t lo = elem.number();
      uint32_t hi = lo;
      if (dots != std::string_view::npos) {
        elem.eat("..");
        hi = elem.number();
      }
      if (lo > 65535 || hi > 65535) text_fail("bad port `" + std::string(w) + "`");
      s.ports.push_back({static_cast<uint16_t>(lo), static_cast<uint16_t>(hi)});
    } else {
      auto c = parse_prefix(w);
      if (!c) text_fail("bad address `" + std::string(w) + "`");
      s.cidrs.push_back(*c);
    }
  }
  return s;
}

void interfaces_line(TextLine& in, Policy& p) {
  p.interface_set = in.name();
  in.skip_spaces();
  in.expect('{');
  if (in.eat('}')) return;
  do {
    p.interfaces.push_back(in.name());
  } while (in.eat(','));
  in.expect('}');
}

}  // namespace

std::optional<Policy> parse(std::string_view text, std::string* error) {
  Policy p;
  size_t lineno = 0;
  bool header = false, interfaces = false;
  Block* current = nullptr;
  try {
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view raw = text.substr(pos, nl - pos);
      pos = nl + 1;
      ++lineno;
      TextLine in(raw);
      if (in.done() || raw.front() == '#') continue;
      auto kw = in.word();
      if (!header) {
        if (kw != "pir") text_fail("expected `pir 2` first");
        auto v = in.word();
        if (v != "2") text_fail("PIR version " + std::string(v) + "; this build reads version 2");
        header = true;
      } else if (kw == "set") {
        if (interfaces || current) text_fail("sets come before interfaces and blocks");
        p.sets.push_back(set_line(in));
      } else if (kw == "interfaces") {
        if (interfaces || current) text_fail("a second interfaces line, or one after a block");
        interfaces_line(in, p);
        interfaces = true;
      } else if (auto d = domain_by_name(kw)) {
        if (p.block(*d)) text_fail("a second " + std::string(kw) + " block");
        if (!p.blocks.empty() && p.blocks.back()->domain() > *d)
          text_fail("block " + std::string(kw) + " out of order");
        auto b = kFactories[domain_index(*d)]();
        b->parse_header(in);
        current = b.get();
        p.blocks.emplace_back(std::move(b));
      } else {
        if (!current) text_fail("unknown item `" + std::string(kw) + "`");
        current->parse_item(kw, in);
      }
      if (!in.done()) text_fail("trailing text");
    }
    if (!header) {
      lineno = 0;
      text_fail("empty input, expected `pir 2`");
    }
  } catch (const TextError& e) {
    if (error) *error = "line " + std::to_string(lineno) + ": " + e.what;
    return std::nullopt;
  }
  return p;
}

}  // namespace sentinel::pir
