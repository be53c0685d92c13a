#include <cctype>

#include "compiler/pir/pir.h"

namespace sentinel::pir {

namespace {
template <typename T>
std::string braced(const std::vector<T>& items) {
  if (items.size() == 1) return format(items[0]);
  std::string s = "{";
  for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + format(items[i]);
  return s + "}";
}

// An interface name as the language writes it: bare when it lexes as a
// name, quoted otherwise (`"eth0.100"`); names never hold `"` or `\`.
std::string quote_iface(const std::string& n) {
  bool bare = !n.empty() && (std::isalpha(static_cast<unsigned char>(n[0])) || n[0] == '_');
  for (char c : n) bare = bare && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
  return bare ? n : "\"" + n + "\"";
}
}  // namespace

std::string source_text(const AddrMatch& m) {
  if (m.any && m.set.empty() && m.cidrs.empty()) return "any";
  std::string s = m.negate ? "!" : "";
  if (!m.set.empty()) return s + "@" + m.set;
  return s + braced(m.cidrs);
}

std::string source_text(const PortMatch& m) {
  if (m.any && m.set.empty() && m.ranges.empty()) return "any";
  if (!m.set.empty()) return "@" + m.set;
  return braced(m.ranges);
}

std::string source_text(const Match& m) {
  std::string s;
  auto add = [&](const std::string& part) { s += (s.empty() ? "" : " ") + part; };
  if (m.family) add(m.family == 1 ? "ipv4" : "ipv6");
  if (m.proto == Proto::Tcp || m.proto == Proto::Udp || m.proto == Proto::Icmp || m.proto == Proto::Icmpv6)
    add(to_string(m.proto));
  else if (m.proto != Proto::Any)
    add(std::string("proto ") + to_string(m.proto));
  bool src = !m.src.any || !m.sport.any, dst = !m.dst.any || !m.dport.any;
  if (src) {
    add("from " + source_text(m.src));
    if (!m.sport.any) add("port " + source_text(m.sport));
  }
  if (dst) {
    add("to " + source_text(m.dst));
    if (!m.dport.any) add("port " + source_text(m.dport));
  }
  if (m.tcp_mask) {
    std::string f = "flags " + (m.tcp_flags ? tcp_flags_text(m.tcp_flags) : std::string("-"));
    if (m.tcp_mask != m.tcp_flags) f += "/" + tcp_flags_text(m.tcp_mask);
    add(f);
  }
  auto icmp = [&](int type, int code) {
    if (type >= 0) add("type " + std::to_string(type));
    if (code >= 0) add("code " + std::to_string(code));
  };
  if (m.proto == Proto::IcmpAny && (m.icmp_type >= 0 || m.icmp_code >= 0)) {
    add("(v4");
    icmp(m.icmp_type, m.icmp_code);
    s += ", v6";
    icmp(m.icmp6_type, m.icmp6_code);
    s += ")";
  } else {
    icmp(m.icmp_type, m.icmp_code);
    icmp(m.icmp6_type, m.icmp6_code);
  }
  if (m.dscp >= 0) add("dscp " + std::to_string(m.dscp));
  if (m.vlan >= 0) add("vlan " + std::to_string(m.vlan) + (m.vlan_inner >= 0 ? ":" + std::to_string(m.vlan_inner) : ""));
  if (!m.ifaces.empty()) {
    std::string on = m.iface_negate ? "on !" : "on ";
    if (m.ifaces.size() > 1) on += "{";
    for (size_t i = 0; i < m.ifaces.size(); ++i) on += (i ? ", " : "") + quote_iface(m.ifaces[i]);
    if (m.ifaces.size() > 1) on += "}";
    add(on);
  }
  return s;
}

}  // namespace sentinel::pir
