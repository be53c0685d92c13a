// The PIR parser on arbitrary text: it accepts or refuses with a message,
// and whatever it accepts prints to a text that parses to the same print.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/pir/pir.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string err;
  auto p = sentinel::pir::parse(text, &err);
  if (!p) {
    if (err.empty()) __builtin_trap();  // a refusal always says why
    return 0;
  }
  std::string printed = sentinel::pir::print(*p);
  auto back = sentinel::pir::parse(printed, &err);
  if (!back || sentinel::pir::print(*back) != printed) __builtin_trap();
  return 0;
}
