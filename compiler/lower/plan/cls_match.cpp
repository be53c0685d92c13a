#include "compiler/lower/plan/cls_match.h"

namespace sentinel::lower {

std::vector<std::pair<uint8_t, uint8_t>> cls_protos(const pir::Match& m, pir::Family f) {
  if (m.proto == pir::Proto::Any) return {{0, 0}};
  return {{pir::proto_in(m.proto, f), 0xff}};
}

sn_cls_extra cls_extra(const pir::Match& m, pir::Family f) {
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
  return x;
}

}  // namespace sentinel::lower
