// Kernel tests need root, BPF and bpffs. Without them they skip (exit 77),
// unless SENTINEL_REQUIRE_PRIVILEGED=1 makes a would-be skip a failure.
#define CATCH_CONFIG_RUNNER
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "enforcer/bpf/libbpf_kernel.h"

static std::string missing_privilege() {
  if (::geteuid() != 0) return "not root";
  if (std::system("ip -V >/dev/null 2>&1") != 0) return "no iproute2 (ip)";
  try {
    auto k = sentinel::enforcer::bpf::make_libbpf_kernel();
    auto f = k->features("/sys/fs/bpf");
    if (!f.bpffs) return "/sys/fs/bpf is not a bpffs mount";
    if (!f.xdp) return "the kernel cannot load XDP programs";
    if (!f.ringbuf) return "the kernel has no BPF ring buffer";
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

int main(int argc, char** argv) {
  std::string why = missing_privilege();
  if (!why.empty()) {
    const char* req = std::getenv("SENTINEL_REQUIRE_PRIVILEGED");
    if (req && std::string(req) == "1") {
      std::fprintf(stderr, "kernel test cannot run (%s) and SENTINEL_REQUIRE_PRIVILEGED=1\n",
                   why.c_str());
      return 1;
    }
    std::fprintf(stderr, "skipping kernel test: %s\n", why.c_str());
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
