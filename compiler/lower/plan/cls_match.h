// What the classifier takes from a rule's pir::Match beyond addresses and
// ports: the protocols it matches in a family, and the extra fields a leaf
// checks record by record (sentinel/abi/cls_extra.h).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "compiler/pir/pir.h"

extern "C" {
#include "sentinel/abi/cls_extra.h"
}

namespace sentinel::lower {

// (value, mask) alternatives of the IP protocol in family `f`; mask 0 is any.
std::vector<std::pair<uint8_t, uint8_t>> cls_protos(const pir::Match& m, pir::Family f);

// The extra fields of `m` in family `f`; has == 0 when it constrains none.
sn_cls_extra cls_extra(const pir::Match& m, pir::Family f);

}  // namespace sentinel::lower
