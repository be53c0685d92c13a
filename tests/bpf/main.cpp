// The BPF template tests need root and a kernel with BPF: without them they
// skip (77), unless SENTINEL_REQUIRE_PRIVILEGED=1 makes the skip a failure.
#define CATCH_CONFIG_RUNNER
#include <bpf/libbpf.h>

#include <catch2/catch.hpp>

#include "tests/support/privilege.h"

int main(int argc, char** argv) {
  using namespace sentinel::testing;
  if (!privileged()) return skip_or_fail("not root");
  if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, nullptr) != 1)
    return skip_or_fail("the kernel cannot load XDP programs");
  if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SCHED_CLS, nullptr) != 1)
    return skip_or_fail("the kernel cannot load TC programs");
  if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, nullptr) != 1)
    return skip_or_fail("the kernel has no BPF ring buffer");
  return Catch::Session().run(argc, argv);
}
