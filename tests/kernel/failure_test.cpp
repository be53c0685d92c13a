// Failed applies on the real kernel leave the running generation running
// everywhere: a later program the verifier rejects, a map the kernel cannot
// create, one interface of a group that cannot be attached, and a failure
// after each step of apply. Real packets show which generation judges them.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "enforcer/core/error.h"
#include "fixture.h"

using namespace sentinel;
using namespace sentinel::ktest;
namespace core = sentinel::enforcer::core;
namespace fs = std::filesystem;

namespace {

std::string group(const NetnsPair& ns) { return "set edge: iface = { " + ns.ifa + ", " + ns.ifa2 + " }\n"; }

// Generation 1 denies UDP to 9999; the new one would deny 8888 and limit
// 7777: a packet to 9999 tells which one runs.
std::string policy_old(const NetnsPair& ns) {
  return group(ns) + "firewall on @edge {\n default allow\n rule no-9999 deny udp to any port 9999\n}\n";
}
std::string policy_new(const NetnsPair& ns) {
  return group(ns) + R"(
conntrack { }
firewall on @edge {
    default allow
    rule no-8888 deny udp to any port 8888
    rule new-only allow tcp to any port 22 ct new
}
ratelimit on @edge {
    rule flood drop udp to any port 7777 rate 5/s global
}
)";
}

core::Error apply_error(Host& h, const core::Bundle& b, const core::ApplyOptions& o = {}) {
  try {
    h.apply(b, o);
  } catch (const core::Error& e) {
    return e;
  }
  FAIL("apply succeeded");
  throw;
}

// Generation 1 runs on both interfaces, alone, and nothing else is left.
void check_untouched(NetnsPair& ns, Host& h, uint64_t before_9999) {
  auto s = h.status();
  INFO(s.dump(2));
  CHECK(s["generation"] == 1);
  CHECK(s["previous"].is_null());
  CHECK(s["problems"].empty());
  CHECK(s["generations"].size() == 1);
  CHECK(s["domains"].size() == 1);
  std::string nsdir = ns.root + "/ns-" + std::to_string(s["netns_cookie"].get<uint64_t>());
  CHECK(std::distance(fs::directory_iterator(nsdir + "/gen"), fs::directory_iterator()) == 1);
  // No tcx links from the failed generation stay behind.
  for (const auto& i : s["interfaces"]) CHECK(i["hooks"].size() == 1);
  REQUIRE(ns.udp_from_b(1, 9999, "10.201.0.1"));
  REQUIRE(ns.udp_from_b(1, 9999, "10.202.0.1"));
  CHECK(counter(h.status(), "firewall", "no-9999").first == before_9999 + 2);
}

}  // namespace

TEST_CASE("failed applies leave the running generation untouched", "[kernel][failure]") {
  NetnsPair ns;
  Host h(ns.a, ns.root);
  core::Bundle old_b = bundle(policy_old(ns)), new_b = bundle(policy_new(ns));
  auto r1 = h.apply(old_b);
  REQUIRE(r1.generation == 1);
  REQUIRE(ns.udp_from_b(1, 9999));
  uint64_t sent = 1;

  SECTION("a later program of the generation is rejected by the verifier") {
    auto objects = new_b.objects;
    REQUIRE(objects.count("ratelimit/program.o") == 1);
    objects["ratelimit/program.o"] = read_file(bad_object_path());
    REQUIRE(!objects["ratelimit/program.o"].empty());
    core::Bundle bad = core::bundle_of(new_b.policy, objects);
    core::Error e = apply_error(h, bad);
    CHECK(e.step() == "load");
    CHECK_THAT(std::string(e.what()), Catch::Contains("sn_xdp_ratelimit"));
    CHECK_THAT(e.log(), Catch::Contains("invalid access to packet"));
  }
  SECTION("a map the kernel cannot create") {
    core::ApplyOptions o;
    o.max_entries_override["sn_rl_rules"] = 0xffffffffu;
    core::Error e = apply_error(h, new_b, o);
    CHECK(e.step() == "load");
    CHECK_THAT(std::string(e.what()), Catch::Contains("sn_rl_rules"));
  }
  SECTION("one interface of the group cannot be attached") {
    // A third interface of the new group runs an XDP program that is not
    // Sentinel's. The first two get their new TCX links before it fails.
    REQUIRE(h.with([&](core::Enforcer&) {
      return sh("ip link add snk-d type veth peer name snk-dp && ip link set snk-d up && ip link set snk-dp up && "
                "ip link set dev snk-d xdpdrv obj " + foreign_xdp_path() + " sec xdp");
    }) == 0);
    std::string three = "set edge: iface = { " + ns.ifa + ", " + ns.ifa2 + ", snk-d }\n";
    std::string text = policy_new(ns);
    text.replace(0, group(ns).size(), three);
    core::Error e = apply_error(h, bundle(text));
    CHECK(e.step() == "attach");
    CHECK_THAT(std::string(e.what()), Catch::Contains("snk-d"));
    CHECK_THAT(std::string(e.what()), Catch::Contains("not by Sentinel"));
    CHECK(ns.xdp_prog(ns.a, "snk-d") != 0);
  }
  for (const char* step : {"dispatch", "load", "smoke test", "pin", "attach", "bank"}) {
    SECTION(std::string("a failure after step ") + step) {
      core::ApplyOptions o;
      o.after_step = [&](const std::string& s) {
        if (s == step) throw core::Error(s, "injected after " + s);
      };
      core::Error e = apply_error(h, new_b, o);
      CHECK_THAT(std::string(e.what()), Catch::Contains("injected after"));
    }
  }
  check_untouched(ns, h, sent);
  // Whatever failed, the next good apply goes through, on both interfaces.
  auto r2 = h.apply(new_b);
  CHECK(r2.previous == 1u);
  REQUIRE(ns.udp_from_b(2, 8888, "10.202.0.1"));
  CHECK(counter(h.status(), "firewall", "no-8888").first == 2);
}

TEST_CASE("one interface of a group that cannot be attached stops the whole apply", "[kernel][failure]") {
  NetnsPair ns;
  Host h(ns.a, ns.root);
  // Nothing applied yet; the second interface runs a foreign XDP program.
  REQUIRE(h.with([&](core::Enforcer&) {
    return sh("ip -force link set dev " + ns.ifa2 + " xdpdrv obj " + foreign_xdp_path() + " sec xdp");
  }) == 0);
  uint32_t foreign = ns.xdp_prog(ns.a, ns.ifa2);
  REQUIRE(foreign != 0);
  core::Error e = apply_error(h, bundle(policy_new(ns)));
  CHECK(e.step() == "attach");
  CHECK_THAT(std::string(e.what()), Catch::Contains(ns.ifa2));
  CHECK_THAT(std::string(e.what()), Catch::Contains("not by Sentinel"));
  // The first interface got no links, the foreign program is untouched.
  CHECK(ns.xdp_prog(ns.a, ns.ifa) == 0);
  CHECK(ns.xdp_prog(ns.a, ns.ifa2) == foreign);
  auto s = h.status();
  INFO(s.dump(2));
  CHECK(s["applied"] == false);
  CHECK(s["interfaces"].empty());
  CHECK(s["generations"].empty());
}
