// Rate limiting, as bpf-templates/include/sentinel/abi/ratelimit.h specifies
// it: the first matching rule charges the packet to one of its buckets.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "compiler/eval/eval.h"
#include "compiler/pir/domains/ratelimit.h"

namespace sentinel::eval::ratelimit {

// Buckets outlive a generation while the rule keeps its id, algorithm and
// key kind; the evaluator names them so.
struct BucketKey {
  std::string rule;
  uint8_t algorithm = 0, key = 0;
  uint8_t family = 0;
  uint16_t port = 0;
  std::array<uint8_t, 16> addr{};
  auto operator<=>(const BucketKey&) const = default;
};

struct Buckets : DomainState {
  std::map<BucketKey, uint64_t> words;  // the 64-bit state word of each bucket
};

BucketKey bucket_of(const pir::RateRule& r, const Packet& pkt);

// Charges one packet at `now` to the bucket word (0 for a new bucket).
// Returns whether it is within the limit; the word is updated only then.
bool charge(uint64_t& word, const pir::RateRule& r, uint64_t now_ns);


}  // namespace sentinel::eval::ratelimit
