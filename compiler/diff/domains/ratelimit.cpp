#include "compiler/diff/diff.h"
#include "compiler/pir/domains/ratelimit.h"

namespace sentinel::diff {

namespace {

std::string rate(const pir::RateRule& r) {
  std::string s = "rate " + std::to_string(r.rate.count) + "/" + r.rate.unit + " " + pir::to_string(r.algorithm);
  if (pir::is_window(r.algorithm))
    s += " window " + std::to_string(r.window_ns / 1000000) + "ms";
  else
    s += " burst " + std::to_string(r.burst);
  return s + " " + pir::key_text(r);
}

std::string describe(const pir::RateRule& r) {
  std::string s = pir::to_string(r.action);
  std::string m = describe_match(r.match);
  if (!m.empty()) s += " " + m;
  s += " " + rate(r);
  if (!r.description.empty()) s += " \"" + r.description + "\"";
  return s;
}

void changes(const pir::RateRule& o, const pir::RateRule& n, std::vector<std::string>& what) {
  if (o.action != n.action)
    what.push_back(std::string("action ") + pir::to_string(o.action) + " -> " + pir::to_string(n.action));
  diff_match(o.match, n.match, what);
  if (rate(o) != rate(n)) what.push_back(rate(o) + " -> " + rate(n));
  if (o.description != n.description)
    what.push_back("description \"" + o.description + "\" -> \"" + n.description + "\"");
}

}  // namespace

void diff_ratelimit(const pir::Block* live, const pir::Block* next, Plan& p) {
  const auto* a = static_cast<const pir::RateLimit*>(live);
  const auto* b = static_cast<const pir::RateLimit*>(next);
  static const pir::RateLimit kNone;
  if (!a)
    p.push({'+', "ratelimit", "block", "ratelimit", std::string("mode ") + pir::to_string(b->mode)});
  else if (!b)
    p.push({'-', "ratelimit", "block", "ratelimit", "the ratelimit block is removed"});
  else if (a->mode != b->mode)
    p.push({'~', "ratelimit", "setting", "mode",
            std::string(pir::to_string(a->mode)) + " -> " + pir::to_string(b->mode)});
  diff_rules("ratelimit", (a ? a : &kNone)->rules, (b ? b : &kNone)->rules, describe, changes, p);
}

}  // namespace sentinel::diff
