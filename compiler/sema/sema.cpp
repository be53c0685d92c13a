#include "compiler/sema/sema.h"

#include "compiler/sema/checks.h"

namespace sentinel::sema {

namespace {

using CheckFn = void (*)(const ast::Block&, Context&);
constexpr CheckFn kCheckers[] = {
#define SN_DOMAIN(name) &check_##name,
#include "compiler/domains/domains.def"
#undef SN_DOMAIN
};

// `on @group` of every block: an iface set, not empty, the same for all.
void check_scopes(const std::vector<ast::File>& files, Symbols& syms, DiagEngine& diags) {
  const ast::SetRef* first = nullptr;
  for (const auto& f : files) {
    for (const auto& b : f.blocks) {
      if (!b->scope) continue;
      const ast::SetDecl* s = resolve_set(*b->scope, pir::SetKind::Iface, syms, diags);
      // A group that did not resolve is reported already; comparing its
      // name with the others would only add noise.
      if (!s) continue;
      if (s->ifaces.empty())
        diags.report(DiagCode::E0123, b->scope->span, "interface group `" + s->name.text + "` is empty")
            .notes.push_back({s->name.span, "defined here"});
      if (!first) {
        first = &*b->scope;
      } else if (first->name.text != b->scope->name.text) {
        auto& d = diags.report(DiagCode::E0113, b->scope->span,
                               "this block runs on `@" + b->scope->name.text + "`, another on `@" +
                                   first->name.text + "`");
        d.notes.push_back({first->span, "the other block's interfaces"});
        d.help = "one policy runs on one interface group: name the same group on every block";
      }
    }
  }
}

}  // namespace

Symbols check(const std::vector<ast::File>& files, DiagEngine& diags) {
  Symbols syms;
  // Declarations first, across all files: a rule may use a set defined in a
  // file that sorts after it, and a block may ask whether another domain's
  // block exists.
  for (const auto& f : files) {
    for (const auto& s : f.sets) {
      auto [it, fresh] = syms.sets.emplace(s.name.text, &s);
      if (!fresh) {
        diags.report(DiagCode::E0109, s.name.span, "duplicate set `" + s.name.text + "`")
            .notes.push_back({it->second->name.span, "first defined here"});
      }
      for (const auto& c : s.cidrs) check_cidr(c, diags);
      for (const auto& p : s.ports) check_port(p, diags);
      for (const auto& i : s.ifaces) check_iface_name(i, diags);
    }
    for (const auto& b : f.blocks) {
      const ast::Block*& first = syms.blocks[domain_index(b->domain)];
      if (!first) {
        first = b.get();
      } else {
        std::string name(domain_name(b->domain));
        diags.report(DiagCode::E0112, b->span, "more than one " + name + " block")
            .notes.push_back({first->span, "the first " + name + " block is here"});
      }
    }
  }
  check_scopes(files, syms, diags);
  Context ctx{syms, diags};
  for (const auto& f : files)
    for (const auto& b : f.blocks) kCheckers[domain_index(b->domain)](*b, ctx);

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
