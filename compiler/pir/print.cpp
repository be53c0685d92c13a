// The canonical PIR text. One item per line, fields in a fixed order, so that
// the same policy always prints the same bytes and a diff of two dumps reads
// like a diff of the policies. parse.cpp reads it back: parse(print(p)) == p.
//
//   pir 1
//   set trusted cidr 10.0.0.0/8 2001:db8::/32 loc "policies/edge.sen":1:5
//   set web port 80 443 8000..8099
//   firewall default deny mode enforce loc "policies/edge.sen":4:1
//   rule ssh allow tcp src set:trusted{10.0.0.0/8,2001:db8::/32} dst any sport any dport {22} desc "admins" loc "policies/edge.sen":7:10
//   rule outsiders deny any src !{10.0.0.0/8} dst any sport any dport any
//
// - `pir 1` is the format version and always comes first.
// - `set NAME KIND ELEM...`: the elements in stored order (CIDRs, then ports).
// - `firewall` carries `absent` when the policy has no firewall block; a
//   default-constructed absent firewall prints as just `firewall absent`.
//   Rules follow it in first-match order.
// - An address or port match is `any`, or `[!][set:NAME]{ELEM,...}`: the
//   elements are the resolved ones, the set name is kept for printing and
//   explain. Out-of-invariant states still print ("any" followed by the rest)
//   so that the text never loses information.
// - Names (rule ids, set names) print bare when they consist of
//   [A-Za-z0-9_.-]+, otherwise as quoted strings.
// - Strings are double-quoted; `\\`, `\"`, `\n`, `\r`, `\t` and `\xHH` for
//   other control bytes. Bytes >= 0x80 are copied as they are.
// - `desc` is omitted for an empty description and `loc` for an empty Loc.
#include <cstdio>

#include "compiler/pir/pir.h"

namespace sentinel::pir {

namespace {

// Keep in step with parse.cpp, which reads a bare name up to the first other byte.
bool is_bare_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[5];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void append_name(std::string& out, std::string_view s) {
  if (is_bare_name(s))
    out += s;
  else
    append_quoted(out, s);
}

void append_loc(std::string& out, const Loc& loc) {
  if (loc == Loc{}) return;
  out += " loc ";
  append_quoted(out, loc.file);
  out += ':';
  out += std::to_string(loc.line);
  out += ':';
  out += std::to_string(loc.col);
}

void append_addr(std::string& out, const AddrMatch& m) {
  if (m.any) out += "any";
  if (m.negate) out += '!';
  if (!m.set.empty()) {
    out += "set:";
    append_name(out, m.set);
  }
  if (m.any && m.cidrs.empty()) return;
  out += '{';
  for (size_t i = 0; i < m.cidrs.size(); ++i) {
    if (i) out += ',';
    out += format(m.cidrs[i]);
  }
  out += '}';
}

void append_ports(std::string& out, const PortMatch& m) {
  if (m.any) out += "any";
  if (!m.set.empty()) {
    out += "set:";
    append_name(out, m.set);
  }
  if (m.any && m.ranges.empty()) return;
  out += '{';
  for (size_t i = 0; i < m.ranges.size(); ++i) {
    if (i) out += ',';
    out += format(m.ranges[i]);
  }
  out += '}';
}

void append_set(std::string& out, const Set& s) {
  out += "set ";
  append_name(out, s.name);
  out += s.kind == SetKind::Cidr ? " cidr" : " port";
  for (const auto& c : s.cidrs) {
    out += ' ';
    out += format(c);
  }
  for (const auto& r : s.ports) {
    out += ' ';
    out += format(r);
  }
  append_loc(out, s.loc);
  out += '\n';
}

void append_firewall(std::string& out, const Firewall& fw) {
  out += "firewall";
  if (!fw.present) {
    out += " absent";
    if (fw == Firewall{}) {
      out += '\n';
      return;
    }
  }
  out += " default ";
  out += to_string(fw.default_action);
  out += " mode ";
  out += to_string(fw.mode);
  append_loc(out, fw.loc);
  out += '\n';
}

void append_rule(std::string& out, const Rule& r) {
  out += "rule ";
  append_name(out, r.id);
  out += ' ';
  out += to_string(r.action);
  out += ' ';
  out += to_string(r.proto);
  out += " src ";
  append_addr(out, r.src);
  out += " dst ";
  append_addr(out, r.dst);
  out += " sport ";
  append_ports(out, r.sport);
  out += " dport ";
  append_ports(out, r.dport);
  if (!r.description.empty()) {
    out += " desc ";
    append_quoted(out, r.description);
  }
  append_loc(out, r.loc);
  out += '\n';
}

}  // namespace

std::string print(const Policy& p) {
  std::string out;
  // About 100 bytes per rule: one allocation even for big generated policies.
  out.reserve(64 + p.sets.size() * 64 + p.firewall.rules.size() * 128);
  out += "pir 1\n";
  for (const auto& s : p.sets) append_set(out, s);
  append_firewall(out, p.firewall);
  for (const auto& r : p.firewall.rules) append_rule(out, r);
  return out;
}

}  // namespace sentinel::pir
