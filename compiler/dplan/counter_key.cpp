#include <cstdint>

#include "compiler/dplan/classifier.h"

namespace sentinel::dplan {

// FNV-1a: tiny, stable across compilers and releases, and good enough to keep
// a few thousand "<domain>/<id>" strings apart in a 64-bit space. Counters
// outlive generations through this key, so the function must never change.
uint64_t counter_key(std::string_view domain, std::string_view rule_id) {
  uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ull;
    }
  };
  mix(domain);
  mix("/");
  mix(rule_id);
  return h;
}

}  // namespace sentinel::dplan
