// The AST is plain data; this file gives the library an object so that it
// links like the other stages.
#include "compiler/ast/ast.h"

#include "compiler/support/diag.h"

namespace sentinel::ast {

namespace {

bool report(DiagEngine* diags, DiagCode code, Span span, std::string msg, std::string help = {}) {
  if (diags) {
    auto& d = diags->report(code, span, std::move(msg));
    d.help = std::move(help);
  }
  return false;
}

template <class T>
bool once(const std::vector<T>& v, const char* what, DiagEngine* diags) {
  if (v.size() < 2) return true;
  if (diags) {
    for (size_t i = 1; i < v.size(); ++i)
      diags->report(DiagCode::E0111, v[i].span, std::string("`") + what + "` written twice in one rule")
          .notes.push_back({v[0].span, "first written here"});
  }
  return false;
}

// An ICMP type or code of family `f`: a name of that family, or a number.
std::optional<uint8_t> icmp_value(const NameOrNumber& v, pir::Family f, bool type, DiagEngine* diags) {
  const char* what = type ? "type" : "code";
  if (v.number) {
    if (v.number->value > 255) {
      report(diags, DiagCode::E0128, v.span, std::string("ICMP ") + what + " " + std::to_string(v.number->value) + " out of range",
             "ICMP types and codes are 0..255");
      return std::nullopt;
    }
    return static_cast<uint8_t>(v.number->value);
  }
  auto r = type ? pir::icmp_type_by_name(v.text, f) : pir::icmp_code_by_name(v.text, f);
  if (!r)
    report(diags, DiagCode::E0128, v.span,
           std::string("unknown ") + (f == pir::Family::V4 ? "ICMP " : "ICMPv6 ") + what + " `" + v.text + "`",
           type ? "write a number, or a name such as `echo-request`, `destination-unreachable`, `time-exceeded`"
                : "write a number, or a name such as `port-unreachable`, `admin-prohibited`");
  return r;
}

}  // namespace

std::optional<pir::Proto> resolve_proto(const Match& m, DiagEngine* diags) {
  if (!m.proto_lit) return m.proto.value_or(pir::Proto::Any);
  const NameOrNumber& l = *m.proto_lit;
  if (l.number) {
    if (l.number->value >= 1 && l.number->value <= 255) return pir::proto_number(static_cast<uint8_t>(l.number->value));
    report(diags, DiagCode::E0125, l.span, "IP protocol " + std::to_string(l.number->value) + " out of range",
           "IP protocol numbers are 1..255");
    return std::nullopt;
  }
  if (auto p = pir::proto_by_name(l.text)) return p;
  report(diags, DiagCode::E0125, l.span, "unknown IP protocol `" + l.text + "`",
         "write its number (`proto 47`) or a name such as `gre`, `esp`, `ah`, `sctp`, `icmp-any`");
  return std::nullopt;
}

bool resolve_match_options(const Match& m, pir::Match& out, DiagEngine* diags) {
  bool ok = true;
  if (m.family) out.family = *m.family;
  ok &= once(m.flags, "flags", diags);
  ok &= once(m.icmp, "type", diags);
  ok &= once(m.dscp, "dscp", diags);
  ok &= once(m.vlan, "vlan", diags);
  ok &= once(m.iface, "on", diags);
  auto needs = [&](Span span, const char* option, const char* protos) {
    std::string msg = std::string("`") + option + "` needs protocol " + protos;
    std::string help = std::string("write ") + protos + " after the action";
    if (diags) {
      auto& d = diags->report(DiagCode::E0126, span, msg);
      if (m.proto || m.proto_lit) {
        d.notes.push_back({m.proto_span, std::string("the protocol is `") + pir::to_string(out.proto) + "`"});
      } else {
        d.help = help;
      }
    }
    ok = false;
  };
  if (!m.flags.empty()) {
    const auto& f = m.flags[0];
    if (out.proto != pir::Proto::Tcp) {
      needs(f.span, "flags", "`tcp`");
    } else {
      auto set = pir::tcp_flags_of(f.set.text);
      auto mask = f.mask ? pir::tcp_flags_of(f.mask->text) : set;
      const char* help = "flags are letters: F FIN, S SYN, R RST, P PSH, A ACK, U URG, E ECE, C CWR";
      if (!set) {
        ok = report(diags, DiagCode::E0127, f.set.span, "invalid TCP flags `" + f.set.text + "`", help);
      } else if (!mask) {
        ok = report(diags, DiagCode::E0127, f.mask->span, "invalid TCP flags `" + f.mask->text + "`", help);
      } else if ((*set & ~*mask) != 0) {
        ok = report(diags, DiagCode::E0127, f.span,
                    "flags `" + pir::tcp_flags_text(*set & ~*mask) + "` are required set but not in the mask `" +
                        f.mask->text + "`",
                    "`flags S/SA` means: of SYN and ACK, only SYN is set");
      } else {
        out.tcp_flags = *set;
        out.tcp_mask = *mask;
      }
    }
  }
  if (!m.icmp.empty()) {
    const auto& i = m.icmp[0];
    const char* opt = i.type ? "type" : "code";
    bool v4 = out.proto == pir::Proto::Icmp || out.proto == pir::Proto::IcmpAny;
    bool v6 = out.proto == pir::Proto::Icmpv6 || out.proto == pir::Proto::IcmpAny;
    if (!v4 && !v6) {
      needs(i.span, opt, "`icmp`, `icmpv6` or `proto icmp-any`");
    } else {
      // ICMP of both families: numbers mean different things in each, so
      // only names, which say the same thing in both, are accepted.
      for (const auto* v : {i.type ? &*i.type : nullptr, i.code ? &*i.code : nullptr}) {
        if (v && v->number && v4 && v6) {
          ok = report(diags, DiagCode::E0128, v->span,
                      std::string("a numeric ICMP ") + (v == &*i.type ? "type" : "code") +
                          " is ambiguous in a rule for both ICMP and ICMPv6",
                      "write a name, such as `echo-request`, which each family numbers its own way");
        }
      }
      if (ok) {
        if (v4) {
          if (i.type) {
            if (auto t = icmp_value(*i.type, pir::Family::V4, true, diags)) out.icmp_type = *t; else ok = false;
          }
          if (ok && i.code) {
            if (auto c = icmp_value(*i.code, pir::Family::V4, false, diags)) out.icmp_code = *c; else ok = false;
          }
        }
        if (v6 && ok) {
          if (i.type) {
            if (auto t = icmp_value(*i.type, pir::Family::V6, true, diags)) out.icmp6_type = *t; else ok = false;
          }
          if (ok && i.code) {
            if (auto c = icmp_value(*i.code, pir::Family::V6, false, diags)) out.icmp6_code = *c; else ok = false;
          }
        }
      }
    }
  }
  if (!m.dscp.empty()) {
    const auto& d = m.dscp[0];
    if (d.number) {
      if (d.number->value > 63)
        ok = report(diags, DiagCode::E0129, d.span, "DSCP " + std::to_string(d.number->value) + " out of range",
                    "DSCP values are 0..63");
      else
        out.dscp = static_cast<int8_t>(d.number->value);
    } else if (auto v = pir::dscp_by_name(d.text)) {
      out.dscp = static_cast<int8_t>(*v);
    } else {
      ok = report(diags, DiagCode::E0129, d.span, "unknown DSCP `" + d.text + "`",
                  "write 0..63 or a name: `ef`, `va`, `cs0`..`cs7`, `af11`..`af43`");
    }
  }
  if (!m.vlan.empty()) {
    const auto& v = m.vlan[0];
    for (const auto* n : {&v.id, v.inner ? &*v.inner : nullptr}) {
      if (n && n->value > 4095) {
        ok = report(diags, DiagCode::E0130, n->span, "VLAN id " + std::to_string(n->value) + " out of range",
                    "VLAN ids are 0..4095");
      }
    }
    if (ok) {
      out.vlan = static_cast<int16_t>(v.id.value);
      if (v.inner) out.vlan_inner = static_cast<int16_t>(v.inner->value);
    }
  }
  return ok;
}

}  // namespace sentinel::ast
