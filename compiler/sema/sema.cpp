#include "compiler/sema/sema.h"

#include "compiler/sema/checks.h"

namespace sentinel::sema {

Symbols check(const std::vector<ast::File>& files, DiagEngine& diags) {
  Symbols syms;
  // Declarations first, across all files: a rule may use a set defined in a
  // file that sorts after it.
  for (const auto& f : files) {
    for (const auto& s : f.sets) {
      auto [it, fresh] = syms.sets.emplace(s.name.text, &s);
      if (!fresh) {
        diags.report(DiagCode::E0109, s.name.span, "duplicate set `" + s.name.text + "`")
            .notes.push_back({it->second->name.span, "first defined here"});
      }
      for (const auto& c : s.cidrs) check_cidr(c, diags);
      for (const auto& p : s.ports) check_port(p, diags);
    }
    for (const auto& fw : f.firewalls) {
      if (!syms.firewall) {
        syms.firewall = &fw;
      } else {
        diags.report(DiagCode::E0112, fw.span, "more than one firewall block")
            .notes.push_back({syms.firewall->span, "the first firewall block is here"});
      }
    }
  }
  for (const auto& f : files)
    for (const auto& fw : f.firewalls) domains::check_firewall(fw, syms, diags);

  // A set nobody refers to is usually a typo on the other side.
  for (const auto& f : files) {
    for (const auto& s : f.sets) {
      if (syms.sets.at(s.name.text) != &s) continue;  // duplicates are reported already
      if (!syms.used_sets.count(s.name.text))
        diags.report(DiagCode::W0202, s.name.span, "set `" + s.name.text + "` is never used");
    }
  }
  return syms;
}

}  // namespace sentinel::sema
