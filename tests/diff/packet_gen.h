// Generated packets for differential testing: drawn mostly from the edges of
// what the policy mentions (first and last address of every prefix, one
// outside each end, range boundaries and their neighbours), the rest random,
// so that every rule and every boundary is exercised.
#pragma once
#include <random>
#include <vector>

#include "compiler/eval/packet.h"
#include "compiler/pir/pir.h"

namespace sentinel::testing {

class PacketGenerator {
 public:
  PacketGenerator(const pir::Policy& policy, uint64_t seed);
  eval::Packet next();

 private:
  pir::Addr addr(pir::Family f);
  uint16_t port();
  std::mt19937_64 rng_;
  std::vector<pir::Addr> v4_, v6_;
  std::vector<uint16_t> ports_;
};

}  // namespace sentinel::testing
