#include "compiler/diff/diff.h"
#include "compiler/pir/domains/firewall.h"

namespace sentinel::diff {

namespace {

std::string describe(const pir::FirewallRule& r) {
  std::string s = pir::to_string(r.action);
  std::string m = describe_match(r.match);
  if (!m.empty()) s += " " + m;
  if (r.ct) s += " ct " + pir::ct_text(r.ct);
  if (!r.description.empty()) s += " \"" + r.description + "\"";
  return s;
}

void changes(const pir::FirewallRule& o, const pir::FirewallRule& n, std::vector<std::string>& what) {
  if (o.action != n.action)
    what.push_back(std::string("action ") + pir::to_string(o.action) + " -> " + pir::to_string(n.action));
  diff_match(o.match, n.match, what);
  if (o.ct != n.ct) what.push_back("ct " + pir::ct_text(o.ct) + " -> " + pir::ct_text(n.ct));
  if (o.description != n.description)
    what.push_back("description \"" + o.description + "\" -> \"" + n.description + "\"");
}

}  // namespace

void diff_firewall(const pir::Block* live, const pir::Block* next, Plan& p) {
  const auto* a = static_cast<const pir::Firewall*>(live);
  const auto* b = static_cast<const pir::Firewall*>(next);
  static const pir::Firewall kNone;
  if (!a) {
    p.push({'+', "firewall", "block", "firewall",
            std::string("default ") + pir::to_string(b->default_action) + " mode " + pir::to_string(b->mode)});
  } else if (!b) {
    p.push({'-', "firewall", "block", "firewall", "the firewall block is removed"});
  } else {
    if (a->default_action != b->default_action)
      p.push({'~', "firewall", "setting", "default",
              std::string(pir::to_string(a->default_action)) + " -> " + pir::to_string(b->default_action)});
    if (a->mode != b->mode)
      p.push({'~', "firewall", "setting", "mode",
              std::string(pir::to_string(a->mode)) + " -> " + pir::to_string(b->mode)});
  }
  diff_rules("firewall", (a ? a : &kNone)->rules, (b ? b : &kNone)->rules, describe, changes, p);
}

}  // namespace sentinel::diff
