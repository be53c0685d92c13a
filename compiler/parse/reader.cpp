#include "compiler/parse/reader.h"

#include <algorithm>

#include "compiler/parse/literals.h"

namespace sentinel::parse {

// --- ParseTrace -------------------------------------------------------------

void ParseTrace::enter(const char* rule) {
  size_t n = nodes_.size();
  nodes_.push_back({rule, {}, true});
  if (open_.empty())
    roots_.push_back(n);
  else
    nodes_[open_.back()].children.push_back(n);
  open_.push_back(n);
}

void ParseTrace::leave() { open_.pop_back(); }

void ParseTrace::terminal(std::string_view text) {
  size_t n = nodes_.size();
  nodes_.push_back({std::string(text), {}, false});
  if (open_.empty())
    roots_.push_back(n);
  else
    nodes_[open_.back()].children.push_back(n);
}

void ParseTrace::render(size_t n, std::string& out) const {
  const Node& node = nodes_[n];
  if (node.children.empty()) {
    out += node.text;
    return;
  }
  out += '(';
  out += node.text;
  for (size_t c : node.children) {
    out += ' ';
    render(c, out);
  }
  out += ')';
}

std::string ParseTrace::str() const {
  std::string out;
  for (size_t i = 0; i < roots_.size(); ++i) {
    if (i) out += ' ';
    render(roots_[i], out);
  }
  return out;
}

// --- Reader -----------------------------------------------------------------

Reader::Reader(const SourceManager& sm, uint32_t file, std::vector<Token> toks, DiagEngine& diags,
               ParseTrace* trace, std::vector<uint32_t> skipped)
    : sm_(sm), file_(file), toks_(std::move(toks)), diags_(diags), trace_(trace), skipped_(std::move(skipped)) {
  for (const auto& t : toks_) rule_tokens_ += t.kind == Tok::RULE;
}

Reader::RuleScope::RuleScope(Reader& r, const char* rule) : r_(r) {
  ++r_.depth_;
  if (r_.trace_) r_.trace_->enter(rule);
}

Reader::RuleScope::~RuleScope() {
  // What this rule's decisions noted at the current token still counts: an
  // error right after a rule that ended says what could have continued it
  // (`expected one of ct, a string, rule, }`), which is what users need.
  --r_.depth_;
  if (r_.trace_) r_.trace_->leave();
}

void Reader::note(Tok k) {
  if (noted_pos_ != pos_) {
    noted_count_ = 0;
    noted_pos_ = pos_;
  }
  if (noted_count_ < noted_.size()) noted_[noted_count_++] = k;
}

bool Reader::at(Tok k) {
  if (peek() == k) return true;
  note(k);
  return false;
}

void Reader::consume() {
  if (trace_) trace_->terminal(cur().kind == Tok::END ? std::string_view("<EOF>") : text(cur()));
  if (pos_ + 1 < toks_.size()) ++pos_;
}

bool Reader::accept(Tok k) {
  if (!at(k)) return false;
  consume();
  return true;
}

bool Reader::expect(Tok k) {
  if (accept(k)) return true;
  return fail();
}

void Reader::help_last(std::string help) {
  if (last_) last_->help = std::move(help);
}

bool Reader::fail() {
  last_ = nullptr;
  if (panic_) return false;
  panic_ = true;
  // The lexer already reported what it skipped just before this token.
  uint32_t prev_end = pos_ ? toks_[pos_ - 1].end : 0;
  for (uint32_t off : skipped_)
    if (off >= prev_end && off < cur().begin) return false;
  if (++errors_ > kMaxErrors) return false;
  std::vector<Tok> want;
  if (noted_pos_ == pos_) want.assign(noted_.begin(), noted_.begin() + noted_count_);
  std::sort(want.begin(), want.end());
  want.erase(std::unique(want.begin(), want.end()), want.end());
  // Where a name is expected every keyword is too (keywords are valid
  // names); listing them would bury the useful word.
  if (std::find(want.begin(), want.end(), Tok::ID) != want.end())
    want.erase(std::remove_if(want.begin(), want.end(), is_keyword), want.end());
  std::string expected;
  if (want.empty()) {
    expected = "something else";
  } else if (want.size() == 1) {
    expected = describe(want[0]);
  } else if (want.size() == 2) {
    expected = std::string(describe(want[0])) + " or " + describe(want[1]);
  } else {
    expected = "one of ";
    for (size_t i = 0; i < want.size(); ++i) expected += (i ? ", " : "") + std::string(describe(want[i]));
  }
  std::string found;
  if (cur().kind == Tok::END) {
    found = "end of file";
  } else {
    std::string t(text(cur()));
    if (t.size() > 40) t = t.substr(0, 37) + "...";
    found = "`" + t + "`";
  }
  last_ = &diags_.report(DiagCode::E0001, span_here(), "expected " + expected + ", found " + found);
  return false;
}

Span Reader::span_from(size_t first) const {
  size_t last = pos_ > first ? pos_ - 1 : first;
  return Span{file_, toks_[first].begin, toks_[last].end};
}

std::string_view Reader::text(const Token& t) const {
  return std::string_view(sm_.text(file_)).substr(t.begin, t.end - t.begin);
}

bool Reader::is_top_start(Tok t) const {
  return std::find(top_starts_.begin(), top_starts_.end(), t) != top_starts_.end();
}

void Reader::recover(const std::vector<Tok>& sync) {
  int level = 0;
  while (peek() != Tok::END) {
    Tok t = peek();
    if (level == 0) {
      if (std::find(sync.begin(), sync.end(), t) != sync.end() || is_top_start(t)) break;
      if (t == Tok::RBRACE) break;  // closes the level recovery started in
    }
    if (t == Tok::LBRACE) ++level;
    if (t == Tok::RBRACE) --level;
    if (pos_ + 1 < toks_.size()) ++pos_;
  }
  panic_ = false;
  noted_count_ = 0;
  noted_pos_ = SIZE_MAX;
}

void Reader::recover(std::initializer_list<Tok> sync) { recover(std::vector<Tok>(sync)); }

void Reader::skip_declaration(size_t first) {
  // A declaration keyword the failed one stopped at (a block whose `}` is
  // missing) is where the next one starts.
  if (pos_ > first && is_top_start(peek())) {
    recover({});
    return;
  }
  int depth = 0;
  for (size_t i = first; i < pos_; ++i) {
    if (toks_[i].kind == Tok::LBRACE) ++depth;
    if (toks_[i].kind == Tok::RBRACE) --depth;
  }
  if (pos_ == first && pos_ + 1 < toks_.size()) ++pos_;  // never stop on the same token twice
  while (peek() != Tok::END) {
    Tok t = peek();
    if (depth <= 0 && is_top_start(t)) break;
    if (t == Tok::LBRACE) ++depth;
    if (t == Tok::RBRACE) --depth;
    ++pos_;
  }
  panic_ = false;
  noted_count_ = 0;
  noted_pos_ = SIZE_MAX;
}

// --- shared productions -------------------------------------------------------

bool Reader::name(ast::Name& out) {
  RuleScope rs(*this, "name");
  Tok k = peek();
  if (k == Tok::ID) {
    out.span = span_here();
    out.text = std::string(text(cur()));
    consume();
    return true;
  }
  if (is_keyword(k)) {
    // `name : ID | commonKeyword | firewallKeyword | ...`
    std::string rule = std::string(keyword_group(k)) + "Keyword";
    RuleScope kw(*this, rule.c_str());
    out.span = span_here();
    out.text = std::string(text(cur()));
    consume();
    return true;
  }
  note(Tok::ID);
  return fail();
}

bool Reader::cidr_lit(ast::CidrLit& out) {
  RuleScope rs(*this, "cidrLit");
  if (!at(Tok::IPV4) && !at(Tok::IPV6)) return fail();
  out.span = span_here();
  out.text = std::string(text(cur()));
  out.value = pir::parse_cidr(out.text, &out.host_bits);
  consume();
  return true;
}

bool Reader::number(ast::Number& out) {
  if (!at(Tok::NUMBER)) return fail();
  out.span = span_here();
  out.value = parse_decimal(text(cur()));
  consume();
  return true;
}

bool Reader::port_lit(ast::PortLit& out) {
  RuleScope rs(*this, "portLit");
  size_t first = pos_;
  if (!number(out.lo)) return false;
  if (accept(Tok::DOTDOT)) {
    out.hi.emplace();
    if (!number(*out.hi)) return false;
  }
  out.span = span_from(first);
  return true;
}

bool Reader::iface_name(ast::IfaceName& out) {
  RuleScope rs(*this, "ifaceName");
  if (at(Tok::STRING)) {
    out.span = span_here();
    out.text = unquote(text(cur()));
    consume();
    return true;
  }
  ast::Name n;
  if (!name(n)) return false;
  out.text = n.text;
  out.span = n.span;
  return true;
}

template <class Lit, class Elem>
bool Reader::set_ref_or(std::vector<Elem>& elems, const char* rule, bool (Reader::*literal)(Lit&)) {
  RuleScope rs(*this, rule);
  if (at(Tok::AT)) {
    ast::SetRef r;
    if (!set_ref(r)) return false;
    elems.emplace_back(std::move(r));
    return true;
  }
  Lit l;
  if (!(this->*literal)(l)) return false;
  elems.emplace_back(std::move(l));
  return true;
}

template <class Elem>
bool Reader::one_or_list(std::vector<Elem>& elems, bool (Reader::*elem)(std::vector<Elem>&)) {
  if (!accept(Tok::LBRACE)) return (this->*elem)(elems);
  if (!(this->*elem)(elems)) return false;
  while (accept(Tok::COMMA)) {
    if (accept(Tok::RBRACE)) return true;  // a trailing comma
    if (!(this->*elem)(elems)) return false;
  }
  return expect(Tok::RBRACE);
}

bool Reader::iface_elem(std::vector<ast::IfaceElem>& elems) {
  return set_ref_or(elems, "ifaceElem", &Reader::iface_name);
}

bool Reader::set_ref(ast::SetRef& out) {
  RuleScope rs(*this, "setRef");
  size_t first = pos_;
  if (!expect(Tok::AT) || !name(out.name)) return false;
  out.span = span_from(first);
  return true;
}

bool Reader::rate_lit(ast::RateLit& out) {
  if (!at(Tok::RATE_LIT)) return fail();
  std::string_view t = text(cur());
  out.span = span_here();
  out.count = parse_decimal(t.substr(0, t.find('/')));
  out.unit = t.back();
  consume();
  return true;
}

bool Reader::duration(ast::DurationLit& out) {
  if (!at(Tok::DURATION)) return fail();
  std::string_view t = text(cur());
  size_t d = 0;
  while (d < t.size() && t[d] >= '0' && t[d] <= '9') ++d;
  uint64_t v = parse_decimal(t.substr(0, d));
  std::string_view unit = t.substr(d);
  uint64_t scale = unit == "ms" ? 1000000ull
                   : unit == "s" ? 1000000000ull
                   : unit == "m" ? 60000000000ull
                   : unit == "h" ? 3600000000000ull
                                 : 86400000000000ull;
  out.ns = v > UINT64_MAX / scale ? UINT64_MAX : v * scale;
  out.span = span_here();
  consume();
  return true;
}

bool Reader::block_scope(std::optional<ast::SetRef>& out) {
  if (!at(Tok::ON)) return true;
  RuleScope rs(*this, "blockScope");
  consume();
  out.emplace();
  return set_ref(*out);
}

bool Reader::mode_setting(ast::ModeSetting& out) {
  RuleScope rs(*this, "modeSetting");
  size_t first = pos_;
  if (!expect(Tok::MODE)) return false;
  if (accept(Tok::ENFORCE))
    out.mode = pir::Mode::Enforce;
  else if (accept(Tok::AUDIT))
    out.mode = pir::Mode::Audit;
  else
    return fail();
  out.span = span_from(first);
  return true;
}

bool Reader::match_clause(ast::Match& out) {
  RuleScope rs(*this, "matchClause");
  if (at(Tok::INET4) || at(Tok::INET6)) {
    RuleScope f(*this, "family");
    out.family = at(Tok::INET4) ? 1 : 2;
    out.family_span = span_here();
    consume();
  }
  static constexpr std::pair<Tok, pir::Proto> kProtos[] = {
      {Tok::TCP, pir::Proto::Tcp},   {Tok::UDP, pir::Proto::Udp}, {Tok::ICMP, pir::Proto::Icmp},
      {Tok::ICMPV6, pir::Proto::Icmpv6}, {Tok::ANY, pir::Proto::Any}};
  bool proto_done = false;
  for (const auto& [tok, proto] : kProtos) {
    if (at(tok)) {
      RuleScope p(*this, "proto");
      out.proto = proto;
      out.proto_span = span_here();
      consume();
      proto_done = true;
      break;
    }
  }
  if (!proto_done && at(Tok::PROTO)) {
    RuleScope p(*this, "proto");
    size_t first = pos_;
    consume();
    if (!name_or_number(out.proto_lit.emplace())) return false;
    out.proto_span = span_from(first);
  }
  if (at(Tok::FROM)) {
    out.from.emplace();
    if (!endpoint(*out.from, "fromClause")) return false;
  }
  if (at(Tok::TO)) {
    out.to.emplace();
    if (!endpoint(*out.to, "toClause")) return false;
  }
  while (at(Tok::FLAGS) || at(Tok::TYPE) || at(Tok::CODE) || at(Tok::DSCP) || at(Tok::VLAN) || at(Tok::ON)) {
    RuleScope o(*this, "matchOption");
    size_t first = pos_;
    if (accept(Tok::FLAGS)) {
      auto& f = out.flags.emplace_back();
      if (!name(f.set)) return false;
      if (accept(Tok::SLASH) && !name(f.mask.emplace())) return false;
      f.span = span_from(first);
    } else if (accept(Tok::TYPE)) {
      auto& i = out.icmp.emplace_back();
      if (!name_or_number(i.type.emplace())) return false;
      if (accept(Tok::CODE) && !name_or_number(i.code.emplace())) return false;
      i.span = span_from(first);
    } else if (accept(Tok::CODE)) {
      auto& i = out.icmp.emplace_back();
      if (!name_or_number(i.code.emplace())) return false;
      i.span = span_from(first);
    } else if (accept(Tok::DSCP)) {
      if (!name_or_number(out.dscp.emplace_back())) return false;
    } else if (accept(Tok::ON)) {
      auto& i = out.iface.emplace_back();
      i.negate = accept(Tok::BANG);
      RuleScope atom(*this, "ifaceAtom");
      if (!one_or_list(i.elems, &Reader::iface_elem)) return false;
      i.span = span_from(first);
    } else {
      consume();  // `vlan`
      auto& v = out.vlan.emplace_back();
      if (!number(v.id)) return false;
      if (accept(Tok::COLON) && !number(v.inner.emplace())) return false;
      v.span = span_from(first);
    }
  }
  return true;
}

bool Reader::name_or_number(ast::NameOrNumber& out) {
  RuleScope rs(*this, "nameOrNumber");
  if (at(Tok::NUMBER)) {
    out.span = span_here();
    return number(out.number.emplace());
  }
  ast::Name n;
  if (!name(n)) return false;
  out.text = std::move(n.text);
  out.span = n.span;
  return true;
}

void Reader::description(std::optional<std::string>& out, Span& span) {
  if (!at(Tok::STRING)) return;
  span = span_here();
  out = unquote(text(cur()));
  consume();
}

bool Reader::endpoint(ast::Endpoint& out, const char* rule) {
  RuleScope rs(*this, rule);
  size_t first = pos_;
  consume();  // `from` or `to`
  if (!addr(out.addr)) return false;
  if (accept(Tok::PORT)) {
    out.ports.emplace();
    if (!ports(*out.ports)) return false;
  }
  out.span = span_from(first);
  return true;
}

bool Reader::addr_elem(std::vector<ast::AddrElem>& elems) {
  return set_ref_or(elems, "addrElem", &Reader::cidr_lit);
}

bool Reader::addr(ast::AddrExpr& out) {
  RuleScope rs(*this, "addr");
  size_t first = pos_;
  if (accept(Tok::ANY)) {
    out.span = span_from(first);
    return true;
  }
  out.any = false;
  out.negate = accept(Tok::BANG);
  RuleScope atom(*this, "addrAtom");
  if (!one_or_list(out.elems, &Reader::addr_elem)) return false;
  out.span = span_from(first);
  return true;
}

bool Reader::port_elem(std::vector<ast::PortElem>& elems) {
  return set_ref_or(elems, "portElem", &Reader::port_lit);
}

bool Reader::ports(ast::PortExpr& out) {
  RuleScope rs(*this, "ports");
  size_t first = pos_;
  if (!one_or_list(out.elems, &Reader::port_elem)) return false;
  out.span = span_from(first);
  return true;
}

}  // namespace sentinel::parse
