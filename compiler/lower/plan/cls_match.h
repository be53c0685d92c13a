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
// `ifaces` numbers the interfaces rules name (sorted; slot i is bit i).
sn_cls_extra cls_extra(const pir::Match& m, pir::Family f, const std::vector<std::string>& ifaces = {});

// The interfaces that the rules' matches name, sorted: their slots.
std::vector<std::string> cls_iface_slots(const std::vector<const pir::Match*>& matches);

}  // namespace sentinel::lower
