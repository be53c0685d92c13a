#include "compiler/lower/plan/cls_match.h"

#include <algorithm>
#include <stdexcept>

namespace sentinel::lower {

std::vector<std::pair<uint8_t, uint8_t>> cls_protos(const pir::Match& m, pir::Family f) {
  if (m.proto == pir::Proto::Any) return {{0, 0}};
  return {{pir::proto_in(m.proto, f), 0xff}};
}

std::vector<std::string> cls_iface_slots(const std::vector<const pir::Match*>& matches) {
  std::vector<std::string> out;
  for (const pir::Match* m : matches) out.insert(out.end(), m->ifaces.begin(), m->ifaces.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

sn_cls_extra cls_extra(const pir::Match& m, pir::Family f, const std::vector<std::string>& ifaces) {
  sn_cls_extra x{};
  if (m.tcp_mask) {
    x.has |= SN_CX_TCP_FLAGS;
    x.tcp_flags = m.tcp_flags;
    x.tcp_mask = m.tcp_mask;
  }
  bool v4 = f == pir::Family::V4;
  int type = v4 ? m.icmp_type : m.icmp6_type, code = v4 ? m.icmp_code : m.icmp6_code;
  if (type >= 0) {
    x.has |= SN_CX_ICMP_TYPE;
    x.icmp_type = static_cast<uint8_t>(type);
  }
  if (code >= 0) {
    x.has |= SN_CX_ICMP_CODE;
    x.icmp_code = static_cast<uint8_t>(code);
  }
  if (m.dscp >= 0) {
    x.has |= SN_CX_DSCP;
    x.dscp = static_cast<uint8_t>(m.dscp);
  }
  if (m.vlan >= 0) {
    x.has |= SN_CX_VLAN;
    x.vlan = static_cast<uint16_t>(m.vlan);
  }
  if (m.vlan_inner >= 0) {
    x.has |= SN_CX_VLAN_INNER;
    x.vlan_inner = static_cast<uint16_t>(m.vlan_inner);
  }
  if (!m.ifaces.empty()) {
    x.has |= m.iface_negate ? SN_CX_IFACE_NOT : SN_CX_IFACE;
    for (const auto& name : m.ifaces) {
      auto at = std::lower_bound(ifaces.begin(), ifaces.end(), name);
      if (at == ifaces.end() || *at != name || at - ifaces.begin() >= SN_CLS_MAX_IFACES)
        throw std::logic_error("interface `" + name + "` has no slot");
      x.ifaces = static_cast<uint16_t>(x.ifaces | (1u << (at - ifaces.begin())));
    }
  }
  return x;
}

}  // namespace sentinel::lower
