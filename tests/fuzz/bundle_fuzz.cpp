// The bundle reader and verifier on arbitrary bytes: the container, the
// manifest, the signature check and the cross-check of every part against
// the policy must refuse bad input with a message, never crash or allocate
// what the input merely claims.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "compiler/backend/bundle_format.h"
#include "compiler/backend/verify.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string err;
  if (auto parts = sentinel::bundle::read_bundle(bytes, &err)) (void)sentinel::bundle::verify_manifest(*parts, &err);
  try {
    (void)sentinel::bundle::verify_bundle(bytes);
  } catch (const sentinel::bundle::VerifyError& e) {
    if (std::string_view(e.what()).empty()) __builtin_trap();
  }
  return 0;
}
