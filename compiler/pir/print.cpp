// The canonical PIR text. One item per line, fields in a fixed order, so that
// the same policy always prints the same bytes and a diff of two dumps reads
// like a diff of the policies. parse.cpp reads it back: parse(print(p)) == p.
//
//   pir 2
//   set trusted cidr 10.0.0.0/8 2001:db8::/32 loc "policies/edge.sen":1:5
//   set web port 80 443 8000..8099
//   set edge iface eth0 "eth0.100"
//   interfaces edge {eth0,"eth0.100"}
//   firewall default deny mode enforce loc "policies/edge.sen":4:1
//   rule ssh allow tcp src set:trusted{10.0.0.0/8,2001:db8::/32} dst any sport any dport {22} desc "admins" loc "policies/edge.sen":7:10
//   ratelimit mode enforce
//   rule api drop tcp src any dst any sport any dport {443} rate 100/s burst 100 per source/32/128 algorithm token-bucket window 1000000000ns
//   conntrack established allow timeout tcp-syn 60000000000ns ...
//
// - `pir 2` is the format version and always comes first.
// - `set NAME KIND ELEM...`: the elements in stored order.
// - `interfaces` when the policy names where it runs.
// - Then each domain's block in registry order: a header line that starts
//   with the domain's name, then its item lines (each domain's
//   pir/domains/<domain>.cpp describes its own lines). Item lines belong to
//   the header above them.
// - An address or port match is `any`, or `[!][set:NAME]{ELEM,...}`: the
//   elements are the resolved ones, the set name is kept for printing and
//   explain. Out-of-invariant states still print ("any" followed by the rest)
//   so that the text never loses information.
// - Names print bare when they consist of [A-Za-z0-9_.-]+, otherwise as
//   quoted strings: `\\`, `\"`, `\n`, `\r`, `\t` and `\xHH` for other control
//   bytes. Durations print as integer nanoseconds: `1500ns`.
// - `desc` is omitted for an empty description and `loc` for an empty Loc.
#include "compiler/pir/pir.h"
#include "compiler/pir/text.h"

namespace sentinel::pir {

namespace {

void append_set(std::string& out, const Set& s) {
  out += "set ";
  append_name(out, s.name);
  out += s.kind == SetKind::Cidr ? " cidr" : s.kind == SetKind::Port ? " port" : " iface";
  for (const auto& c : s.cidrs) {
    out += ' ';
    out += format(c);
  }
  for (const auto& r : s.ports) {
    out += ' ';
    out += format(r);
  }
  for (const auto& i : s.ifaces) {
    out += ' ';
    append_name(out, i);
  }
  append_loc(out, s.loc);
  out += '\n';
}

}  // namespace

std::string print(const Policy& p) {
  std::string out;
  // About 100 bytes per rule: one allocation even for big generated policies.
  out.reserve(4096);
  out += "pir 2\n";
  for (const auto& s : p.sets) append_set(out, s);
  if (!p.interfaces.empty() || !p.interface_set.empty()) {
    out += "interfaces ";
    append_name(out, p.interface_set);
    out += " {";
    for (size_t i = 0; i < p.interfaces.size(); ++i) {
      if (i) out += ',';
      append_name(out, p.interfaces[i]);
    }
    out += "}\n";
  }
  for (const auto& b : p.blocks) b->print(out);
  return out;
}

}  // namespace sentinel::pir
