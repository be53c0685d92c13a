// Kernel tests skip with exit code 77 without root; SENTINEL_REQUIRE_PRIVILEGED=1
// (set by .ci/run) turns that skip into a failure.
#pragma once
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sentinel::testing {

inline int skip_or_fail(const char* why) {
  const char* req = std::getenv("SENTINEL_REQUIRE_PRIVILEGED");
  if (req && std::strcmp(req, "1") == 0) {
    std::fprintf(stderr, "FAIL: %s, and SENTINEL_REQUIRE_PRIVILEGED=1\n", why);
    return 1;
  }
  std::fprintf(stderr, "skipped: %s\n", why);
  return 77;
}

inline bool privileged() { return geteuid() == 0; }

}  // namespace sentinel::testing
