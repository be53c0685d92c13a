// The objects sentinelc carries (objects.h) are exactly what a compile of
// the same variant gives, and a bundle is the same bytes whether its objects
// were carried or compiled.
#include <catch2/catch.hpp>
#include <filesystem>
#include <set>

#include "compiler/backend/build.h"
#include "compiler/backend/elf_section.h"
#include "compiler/backend/objects.h"
#include "compiler/backend/plan_context.h"
#include "compiler/passes/pipeline.h"

using namespace sentinel;
using namespace sentinel::backend;

namespace {

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    auto c = s.find(',');
    out.emplace_back(s.substr(0, c));
    if (c == std::string_view::npos) break;
    s.remove_prefix(c + 1);
  }
  return out;
}

std::string key(const std::string& templ, const std::vector<std::string>& defines) {
  std::string k = templ + "|";
  for (const auto& d : defines) k += d + ",";
  return k;
}

std::vector<std::filesystem::path> example_policies() {
  std::vector<std::filesystem::path> dirs;
  for (const auto& e : std::filesystem::directory_iterator(SN_SOURCE_DIR "/policies/examples"))
    if (e.is_directory()) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

}  // namespace

TEST_CASE("sentinelc carries exactly the variants the domains declare", "[precompiled]") {
  if (!SN_PRECOMPILE_OBJECTS_ON) {
    CHECK(precompiled_objects().empty());
    return;
  }
  std::set<std::string> declared, carried;
  for (const auto& v : all_object_variants()) {
    CHECK(std::is_sorted(v.defines.begin(), v.defines.end()));
    declared.insert(key(v.templ, v.defines));
  }
  for (const auto& o : precompiled_objects()) carried.insert(key(std::string(o.templ), split(o.defines)));
  CHECK(carried.size() == precompiled_objects().size());
  CHECK(declared == carried);
  // At least one per template: every domain declares its variants.
  std::set<std::string_view> templates;
  for (const auto& o : precompiled_objects()) templates.insert(o.templ);
  CHECK(templates.count("xdp_firewall/xdp_firewall.bpf.c") == 1);
  CHECK(templates.count("xdp_ratelimit/xdp_ratelimit.bpf.c") == 1);
  CHECK(templates.count("tc_conntrack/tc_conntrack.bpf.c") == 1);
}

TEST_CASE("every carried object is the bytes a compile of its variant gives", "[precompiled]") {
  for (const auto& o : precompiled_objects()) {
    const std::string templ(o.templ);
    const auto defines = split(o.defines);
    INFO(variant_string(templ, defines));
    std::string compiled = compile_variant(templ, defines);
    REQUIRE(compiled.size() == o.bytes.size());
    CHECK(compiled == o.bytes);
    auto marker = bundle::elf_section(o.bytes, ".rodata.snvariant");
    REQUIRE(marker.has_value());
    CHECK(std::string(marker->substr(0, marker->find('\0'))) == variant_string(templ, defines));
    // object_for hands out the carried one, or compiles the same.
    ObjectSourceStats stats;
    CHECK(object_for(templ, defines, true, &stats) == compiled);
    CHECK(stats.precompiled == 1);
    CHECK(object_for(templ, defines, false, &stats) == compiled);
    CHECK(stats.compiled == 1);
  }
}

TEST_CASE("a variant that is not carried is compiled", "[precompiled]") {
  // Not a combination any domain declares: the fallback must compile it.
  const std::vector<std::string> defines = {"SN_FW_IPV6", "SN_TEST_UNDECLARED"};
  CHECK_FALSE(precompiled_object("xdp_firewall/xdp_firewall.bpf.c", defines).has_value());
  ObjectSourceStats stats;
  std::string obj = object_for("xdp_firewall/xdp_firewall.bpf.c", defines, true, &stats);
  CHECK(stats.compiled == 1);
  CHECK(stats.precompiled == 0);
  auto marker = bundle::elf_section(obj, ".rodata.snvariant");
  REQUIRE(marker.has_value());
  CHECK(std::string(marker->substr(0, marker->find('\0'))) == "xdp_firewall:SN_FW_IPV6,SN_TEST_UNDECLARED");
}

TEST_CASE("example bundles are the same bytes with carried and compiled objects", "[precompiled]") {
  const auto dirs = example_policies();
  REQUIRE(dirs.size() >= 3);
  for (const auto& dir : dirs) {
    INFO(dir.string());
    auto fe = passes::run_frontend({dir.string()});
    REQUIRE(fe->policy.has_value());
    auto carried = compile_artifacts(*fe->policy, true);
    auto compiled = compile_artifacts(*fe->policy, false);
    // Every object an example needs is carried: nothing compiled.
    CHECK(carried.sources.compiled == (SN_PRECOMPILE_OBJECTS_ON ? 0u : carried.plan.objects.size()));
    CHECK(compiled.sources.compiled == compiled.plan.objects.size());
    CHECK(carried.objects == compiled.objects);

    BuildOptions with, without;
    with.revision = without.revision = "test";
    without.precompiled = false;
    std::string err;
    auto a = build_bundle(*fe->policy, with, &err);
    INFO(err);
    REQUIRE(a.has_value());
    auto b = build_bundle(*fe->policy, without, &err);
    REQUIRE(b.has_value());
    CHECK(*a == *b);
  }
}
