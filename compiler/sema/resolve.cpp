// Set references: lookup, kind check and "did you mean" suggestions.
#include <algorithm>

#include "compiler/sema/checks.h"

namespace sentinel::sema {

namespace {
const char* kind_name(pir::SetKind k) {
  return k == pir::SetKind::Cidr ? "cidr" : k == pir::SetKind::Port ? "port" : "iface";
}

const char* article(pir::SetKind k) { return k == pir::SetKind::Iface ? "an " : "a "; }

// Optimal string alignment distance: transpositions are common typos.
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}
}  // namespace

std::vector<std::string> close_names(const std::string& name,
                                     const std::vector<std::string>& candidates) {
  size_t limit = std::max<size_t>(1, name.size() / 3);
  std::vector<std::pair<size_t, std::string>> hits;
  for (const auto& c : candidates) {
    size_t d = edit_distance(name, c);
    if (d <= limit) hits.emplace_back(d, c);
  }
  std::sort(hits.begin(), hits.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < hits.size() && i < 3; ++i) out.push_back(hits[i].second);
  return out;
}

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
  auto close = close_names(name, candidates);
  if (close.empty()) return {};
  std::string list;
  for (size_t i = 0; i < close.size(); ++i) list += (i ? ", `" : "`") + close[i] + "`";
  return (close.size() == 1 ? "did you mean " : "did you mean one of ") + list;
}

const ast::SetDecl* resolve_set(const ast::SetRef& ref, pir::SetKind want, Symbols& syms,
                                DiagEngine& diags) {
  auto it = syms.sets.find(ref.name.text);
  if (it == syms.sets.end()) {
    auto& d = diags.report(DiagCode::E0101, ref.span, "unknown set `" + ref.name.text + "`");
    std::vector<std::string> same_kind;
    for (const auto& [n, decl] : syms.sets)
      if (decl->kind == want) same_kind.push_back(n);
    auto hint = did_you_mean(ref.name.text, same_kind);
    if (!hint.empty()) d.notes.push_back({Span{}, hint});
    return nullptr;
  }
  const ast::SetDecl* s = it->second;
  syms.used_sets.insert(s->name.text);
  if (s->kind != want) {
    diags
        .report(DiagCode::E0108, ref.span,
                "set `" + ref.name.text + "` is " + article(s->kind) + kind_name(s->kind) + " set, expected " +
                    article(want) + kind_name(want) + " set")
        .notes.push_back({s->name.span, "defined here"});
    return nullptr;
  }
  return s;
}

}  // namespace sentinel::sema
