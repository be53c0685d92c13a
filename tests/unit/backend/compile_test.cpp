#include <catch2/catch.hpp>
#include <chrono>

#include "compiler/backend/bpf_compile.h"
#include "compiler/backend/embedded_files.h"

using namespace sentinel::backend;

namespace {
bool contains(const std::string& hay, std::string_view needle) {
  return hay.find(needle) != std::string::npos;
}
}  // namespace

TEST_CASE("templates and ABI headers are embedded", "[compile]") {
  bool tmpl = false, abi = false;
  for (const auto& f : embedded_files()) {
    if (f.path == "xdp_firewall/xdp_firewall.bpf.c") tmpl = contains(std::string(f.contents), "sn_xdp_firewall");
    if (f.path == "include/sentinel/abi/classify.h") abi = contains(std::string(f.contents), "struct sn_cls_rec");
  }
  CHECK(tmpl);
  CHECK(abi);
}

TEST_CASE("the firewall template compiles to a deterministic BPF object", "[compile]") {
  for (std::vector<std::string> defs : {std::vector<std::string>{}, {"SN_FW_IPV6"}}) {
    auto t0 = std::chrono::steady_clock::now();
    std::string a = compile_bpf("xdp_firewall/xdp_firewall.bpf.c", defs);
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    WARN("compile_bpf(" << (defs.empty() ? "" : defs[0]) << "): " << ms << " ms, " << a.size() << " bytes");
    std::string b = compile_bpf("xdp_firewall/xdp_firewall.bpf.c", defs);
    REQUIRE(a.size() > 1000);
    CHECK(a.substr(0, 4) == "\x7f" "ELF");
    CHECK(static_cast<uint8_t>(a[18]) == 247);  // e_machine EM_BPF
    CHECK(a == b);
    CHECK(contains(a, ".BTF"));
    CHECK(contains(a, ".rodata.sncfg"));
    CHECK(contains(a, "sn_fw_recs"));
    // No host paths: the virtual root and /usr/include are remapped.
    CHECK_FALSE(contains(a, "/sentinel-bpf"));
    CHECK_FALSE(contains(a, "/usr/include"));
    CHECK_FALSE(contains(a, "/work/"));
    CHECK_FALSE(contains(a, "/tmp/"));
  }
  CHECK(compile_bpf("xdp_firewall/xdp_firewall.bpf.c", {}) !=
        compile_bpf("xdp_firewall/xdp_firewall.bpf.c", {"SN_FW_IPV6"}));
}

TEST_CASE("compile errors carry clang's diagnostics", "[compile]") {
  CHECK_THROWS_WITH(compile_bpf("nope.bpf.c", {}), Catch::Contains("no embedded BPF template"));
  CHECK_THROWS_WITH(compile_bpf("xdp_firewall/xdp_firewall.bpf.c", {"bpf_loop=)"}),
                    Catch::Contains("error"));
}

// Compiles in one process share its heap: anything in the compiler that
// orders by address shows up here (it did: BTF forward declarations of TC
// objects, see tc_conntrack.bpf.c).
TEST_CASE("every template compiles to the same bytes twice", "[compile]") {
  struct Variant {
    const char* templ;
    std::vector<std::string> defines;
  };
  for (const auto& v : {Variant{"xdp_firewall/xdp_firewall.bpf.c", {"SN_FW_CT", "SN_FW_IPV6"}},
                        Variant{"xdp_ratelimit/xdp_ratelimit.bpf.c", {}},
                        Variant{"xdp_ratelimit/xdp_ratelimit.bpf.c", {"SN_RL_IPV6"}},
                        Variant{"tc_conntrack/tc_conntrack.bpf.c", {}}}) {
    INFO(v.templ);
    std::string a = compile_bpf(v.templ, v.defines);
    // Something else in between, so the heap is not where it was.
    compile_bpf("xdp_firewall/xdp_firewall.bpf.c", {});
    std::string b = compile_bpf(v.templ, v.defines);
    REQUIRE(a.size() == b.size());
    size_t first = 0;
    while (first < a.size() && a[first] == b[first]) ++first;
    INFO("first difference at byte " << first);
    CHECK(a == b);
  }
}
