#include "compiler/lower/plan/cls_match.h"

namespace sentinel::lower {

std::vector<std::pair<uint8_t, uint8_t>> cls_protos(const pir::Match& m, pir::Family) {
  if (m.proto == pir::Proto::Any) return {{0, 0}};
  return {{static_cast<uint8_t>(m.proto), 0xff}};
}

sn_cls_extra cls_extra(const pir::Match&, pir::Family) { return sn_cls_extra{}; }

}  // namespace sentinel::lower
