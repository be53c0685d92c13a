// A record's address words (sentinel/abi/classify.h) and the address as one
// value: the one conversion the classifier's builder, its trees and its
// printing share.
#include "compiler/dplan/classifier.h"

namespace sentinel::dplan {

unsigned __int128 rec_addr_value(const uint32_t words[4], uint8_t family) {
  if (family != 6) return words[0];
  unsigned __int128 v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 32) | words[i];
  return v;
}

void rec_addr_words(unsigned __int128 v, uint8_t family, uint32_t out[4]) {
  out[0] = out[1] = out[2] = out[3] = 0;
  if (family != 6) {
    out[0] = static_cast<uint32_t>(v);
    return;
  }
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint32_t>(v >> (96 - 32 * i));
}

}  // namespace sentinel::dplan
