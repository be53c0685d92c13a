// Rate limiting in the PIR: ordered rules; the first rule a packet matches
// charges it to one of that rule's buckets. Everything is resolved: defaults
// are filled in by lowering, so the PIR says exactly what the kernel does.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/pir/pir.h"

namespace sentinel::pir {

enum class RateAction : uint8_t { Drop = 1, Log = 2 };
enum class RateAlgorithm : uint8_t { TokenBucket = 1, LeakyBucket = 2, FixedWindow = 3, SlidingWindow = 4 };
enum class RateKey : uint8_t { Source = 1, Cidr = 2, Port = 3, Global = 4 };

const char* to_string(RateAction a);
const char* to_string(RateAlgorithm a);  // "token-bucket", ...
std::optional<RateAlgorithm> algorithm_by_name(std::string_view name);
inline bool is_window(RateAlgorithm a) {
  return a == RateAlgorithm::FixedWindow || a == RateAlgorithm::SlidingWindow;
}

// The most packets a window can count: the kernel packs a window's counts
// into one 64-bit word (SN_RL_FIXED_MAX_LIMIT, SN_RL_SLIDING_MAX_LIMIT; the
// backend asserts they agree).
inline constexpr uint64_t max_window_limit(RateAlgorithm a) {
  return a == RateAlgorithm::FixedWindow ? (1u << 24) - 1 : (1u << 18) - 1;
}

// `100/s`: count packets per unit.
struct Rate {
  uint64_t count = 1;
  char unit = 's';  // 's', 'm', 'h'
  bool operator==(const Rate&) const = default;
  uint64_t unit_ns() const;
};

struct RateRule {
  std::string id;
  RateAction action = RateAction::Drop;
  Match match;
  Rate rate;
  RateAlgorithm algorithm = RateAlgorithm::TokenBucket;
  uint64_t burst = 0;      // buckets: packets at once; 0 for windows
  uint64_t window_ns = 0;  // windows: the window's length; 0 for buckets
  RateKey key = RateKey::Source;
  uint8_t v4_len = 32, v6_len = 128;  // RateKey::Cidr
  std::string description;
  Loc loc;
  bool operator==(const RateRule&) const = default;
  // Windows: packets allowed per window (rate scaled to the window).
  uint64_t window_limit() const;
};

struct RateLimit : BlockOf<RateLimit> {
  static constexpr DomainId kDomain = DomainId::ratelimit;
  Mode mode = Mode::Enforce;
  std::vector<RateRule> rules;
  bool operator==(const RateLimit&) const = default;

  void print(std::string& out) const override;
  void parse_header(TextLine& in) override;
  void parse_item(std::string_view keyword, TextLine& in) override;
};

// The kernel's parameters of a rule (sentinel/abi/ratelimit.h): for the
// buckets the GCRA interval and tolerance in 1/64 ns, for the windows the
// window length in ns and its packet limit. One definition, shared by the
// evaluator and the lowering.
struct RateWords {
  uint64_t interval = 0, tolerance = 0;
};
RateWords kernel_params(const RateRule& r);

// "per source", "per source /24 /64", "per port", "global": as users write it.
std::string key_text(const RateRule& r);

}  // namespace sentinel::pir
