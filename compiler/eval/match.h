// Whether a packet matches a rule's match clause: the semantics every
// packet-matching domain shares (and the compiled classifier implements).
#pragma once
#include <string>

#include "compiler/eval/packet.h"
#include "compiler/pir/pir.h"

namespace sentinel::eval {

// Why `m` does not match `pkt`, the first field that fails; empty when it
// matches. A match with ports matches only TCP and UDP packets that carry
// their L4 header.
std::string mismatch(const pir::Match& m, const Packet& pkt);

}  // namespace sentinel::eval
