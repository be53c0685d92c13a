// The policy front end on arbitrary text: parse (with recovery), checks,
// lowering and analyses must never crash, hang or read out of bounds, and
// every diagnostic must render in every format.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/passes/pipeline.h"
#include "compiler/pir/pir.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto fe = sentinel::passes::run_frontend_texts({{"fuzz.sen", std::move(text)}});
  (void)fe->diags.render_text();
  (void)fe->diags.render_json();
  (void)fe->diags.render_sarif();
  (void)fe->diags.render_github();
  if (fe->policy) {
    // What lowering produced prints and parses back to itself.
    std::string printed = sentinel::pir::print(*fe->policy);
    std::string err;
    auto back = sentinel::pir::parse(printed, &err);
    if (!back || sentinel::pir::print(*back) != printed) __builtin_trap();
  }
  return 0;
}
