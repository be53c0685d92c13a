// The structural difference of two policies: what applying `next` over
// `live` adds, changes and removes, per domain. Rules are matched by id, set
// elements by value; a rule that references a set is compared by the set's
// name, so a set edit shows once, as element lines. Used by the enforcer's
// plan (live = the policy the kernel runs) and by `sentinelc diff`.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "compiler/pir/pir.h"

namespace sentinel::diff {

struct Item {
  char op = '+';        // '+', '-', '~'
  std::string domain;   // "firewall", ...; "" for sets and interfaces
  std::string kind;     // "rule", "set", "block", "setting", "interfaces"
  std::string id;       // rule id, set name, setting name, or the domain for a block
  std::string detail;   // the rule text, the element, or what changed
};

struct Plan {
  std::optional<uint64_t> live_generation;
  int add = 0, change = 0, remove = 0;
  std::vector<Item> items;  // interfaces, sets, then each domain in registry order
  bool empty() const { return add + change + remove == 0; }
  void push(Item i);  // counts it
};

// `live` is nullopt when nothing runs.
Plan diff_policies(const std::optional<pir::Policy>& live, const pir::Policy& next);

// "plan: 2 to add, 1 to change, 1 to remove (firewall, ratelimit)" or
// "plan: no changes", then one line per item.
std::string render_text(const Plan& p);
nlohmann::json render_json(const Plan& p);

// --- for the domains' diff files ---------------------------------------------

// A rule's match as users write it: "tcp from @trusted to any port 22".
std::string describe_match(const pir::Match& m);
// "from @a -> @b; to port 22 -> 2222": the fields of two matches that differ
// (set references compared by name).
void diff_match(const pir::Match& a, const pir::Match& b, std::vector<std::string>& what);

// Rules matched by id: removed, added, changed (described by `changes`) and
// moved relative to each other (first match depends on that order).
template <class Rule, class Describe, class Changes>
void diff_rules(const std::string& domain, const std::vector<Rule>& live, const std::vector<Rule>& next,
                Describe describe, Changes changes, Plan& p);

#define SN_DOMAIN(name) void diff_##name(const pir::Block* live, const pir::Block* next, Plan& p);
#include "compiler/domains/domains.def"
#undef SN_DOMAIN

}  // namespace sentinel::diff

#include <map>

namespace sentinel::diff {

template <class Rule, class Describe, class Changes>
void diff_rules(const std::string& domain, const std::vector<Rule>& live, const std::vector<Rule>& next,
                Describe describe, Changes changes, Plan& p) {
  std::map<std::string, size_t> a, b;
  for (size_t i = 0; i < live.size(); ++i) a[live[i].id] = i;
  for (size_t i = 0; i < next.size(); ++i) b[next[i].id] = i;
  // Order among the rules both sides have: only a relative move changes
  // first-match results, an insertion above does not move a rule.
  std::map<std::string, size_t> rank_old, rank_new;
  for (const auto& r : live)
    if (b.count(r.id)) rank_old.emplace(r.id, rank_old.size());
  for (const auto& r : next)
    if (a.count(r.id)) rank_new.emplace(r.id, rank_new.size());

  for (const auto& r : live)
    if (!b.count(r.id)) p.push({'-', domain, "rule", r.id, describe(r)});
  for (size_t i = 0; i < next.size(); ++i) {
    const Rule& n = next[i];
    auto it = a.find(n.id);
    if (it == a.end()) {
      p.push({'+', domain, "rule", n.id, describe(n)});
      continue;
    }
    const Rule& o = live[it->second];
    std::vector<std::string> what;
    changes(o, n, what);
    if (rank_old[n.id] != rank_new[n.id])
      what.push_back("moved: position " + std::to_string(it->second + 1) + " -> " + std::to_string(i + 1));
    if (what.empty()) continue;
    std::string d;
    for (size_t k = 0; k < what.size(); ++k) d += (k ? "; " : "") + what[k];
    p.push({'~', domain, "rule", n.id, d});
  }
}

}  // namespace sentinel::diff
