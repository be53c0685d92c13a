// PIR text of the firewall block:
//   firewall default deny mode enforce loc "edge.sen":4:1
//   management tcp src any dst any sport any dport {22} loc "edge.sen":5:5
//   rule ssh allow tcp src set:office{10.0.0.0/8} dst any sport any dport {22} ct {new,established} desc "admins" loc "edge.sen":7:10
// `ct` is omitted when the rule matches any state.
#include "compiler/pir/domains/firewall.h"

#include "compiler/pir/text.h"

namespace sentinel::pir {

namespace {

FirewallAction action_of(std::string_view w) {
  if (w == "allow") return FirewallAction::Allow;
  if (w == "deny") return FirewallAction::Deny;
  if (w == "log") return FirewallAction::Log;
  if (w == "reject") return FirewallAction::Reject;
  text_fail("unknown action `" + std::string(w) + "`");
}

uint8_t ct_of(TextLine& in) {
  auto state = [](std::string_view w) -> uint8_t {
    for (unsigned v = 0; v <= 4; ++v)
      if (w == to_string(static_cast<CtState>(v))) return static_cast<uint8_t>(1u << v);
    text_fail("unknown ct state `" + std::string(w) + "`");
  };
  in.skip_spaces();
  if (!in.eat('{')) return state(in.until(" "));
  uint8_t mask = 0;
  do {
    mask |= state(in.until(",}"));
  } while (in.eat(','));
  in.expect('}');
  return mask;
}

}  // namespace

const char* to_string(FirewallAction a) {
  switch (a) {
    case FirewallAction::Allow: return "allow";
    case FirewallAction::Deny: return "deny";
    case FirewallAction::Log: return "log";
    case FirewallAction::Reject: return "reject";
  }
  return "deny";
}

void Firewall::print(std::string& out) const {
  out.reserve(out.size() + rules.size() * 128);
  out += "firewall default ";
  out += to_string(default_action);
  out += " mode ";
  out += to_string(mode);
  append_loc(out, loc);
  out += '\n';
  for (const auto& m : management) {
    out += "management ";
    append_match(out, m.match);
    append_loc(out, m.loc);
    out += '\n';
  }
  for (const auto& r : rules) {
    out += "rule ";
    append_name(out, r.id);
    out += ' ';
    out += to_string(r.action);
    out += ' ';
    append_match(out, r.match);
    if (r.ct) {
      out += " ct ";
      out += ct_text(r.ct);
    }
    append_desc(out, r.description);
    append_loc(out, r.loc);
    out += '\n';
  }
}

void Firewall::parse_header(TextLine& in) {
  in.keyword("default");
  default_action = action_of(in.word());
  in.keyword("mode");
  mode = mode_of(in.word());
  in.trailer(nullptr, &loc);
}

Match default_management_match() {
  Match m;
  m.proto = Proto::Tcp;
  m.dport.any = false;
  m.dport.ranges = {{22, 22}};
  return m;
}

void Firewall::parse_item(std::string_view keyword, TextLine& in) {
  if (keyword == "management") {
    if (!rules.empty()) text_fail("management after a rule");
    FirewallManagement m;
    m.match = in.match();
    in.trailer(nullptr, &m.loc);
    management.push_back(std::move(m));
    return;
  }
  if (keyword != "rule") text_fail("unknown firewall item `" + std::string(keyword) + "`");
  FirewallRule r;
  r.id = in.name();
  r.action = action_of(in.word());
  r.match = in.match();
  if (in.peek_word() == "ct") {
    in.keyword("ct");
    r.ct = ct_of(in);
  }
  in.trailer(&r.description, &r.loc);
  rules.push_back(std::move(r));
}

std::unique_ptr<Block> make_firewall_block() { return std::make_unique<Firewall>(); }

}  // namespace sentinel::pir
