// Literal checks: the parser decoded the values, sema decides whether they
// are acceptable.
#include "compiler/pir/addr.h"
#include "compiler/pir/pir.h"
#include "compiler/sema/checks.h"

namespace sentinel::sema {

bool check_cidr(const ast::CidrLit& c, DiagEngine& diags) {
  if (!c.value) {
    diags.report(DiagCode::E0102, c.span, "invalid CIDR or address `" + c.text + "`");
    return false;
  }
  if (c.host_bits) {
    diags.report(DiagCode::W0103, c.span, "CIDR `" + c.text + "` has host bits set").help =
        "did you mean `" + pir::format(*c.value) + "`";
  }
  return true;
}

bool check_port(const ast::PortLit& p, DiagEngine& diags) {
  bool ok = true;
  for (const ast::Number* n : {&p.lo, p.hi ? &*p.hi : nullptr}) {
    if (n && n->value > 65535) {
      std::string shown = n->value == UINT64_MAX ? "number" : std::to_string(n->value);
      diags.report(DiagCode::E0104, n->span, "port " + shown + " is out of range (0..65535)");
      ok = false;
    }
  }
  if (ok && p.hi && p.hi->value < p.lo.value) {
    std::string lo = std::to_string(p.lo.value), hi = std::to_string(p.hi->value);
    diags.report(DiagCode::E0105, p.span, "inverted port range `" + lo + ".." + hi + "`").help =
        "did you mean `" + hi + ".." + lo + "`";
    ok = false;
  }
  return ok;
}

bool check_iface_name(const ast::IfaceName& n, DiagEngine& diags) {
  if (pir::valid_iface_name(n.text)) return true;
  diags.report(DiagCode::E0133, n.span, "invalid interface name `" + n.text + "`").help =
      "interface names are 1 to 15 bytes, without `/`, `:`, `,`, `\"`, backslashes or spaces";
  return false;
}

}  // namespace sentinel::sema
