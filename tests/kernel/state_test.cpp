// State that outlives generations, on the real kernel: host maps created
// when a generation first needs them and then carried, an upgrade that adds
// a state map, a pinned map of the wrong shape refused, counters of deleted
// rules reclaimed, and dispatchers of an older version replaced in place.
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "compiler/dplan/classifier.h"
#include "enforcer/core/error.h"
#include "enforcer/core/layout.h"
#include "fixture.h"

using namespace sentinel;
using namespace sentinel::ktest;
namespace core = sentinel::enforcer::core;
namespace fs = std::filesystem;

namespace {

const char* kFirewall = "firewall {\n default allow\n rule no-9999 deny udp to any port 9999\n rule no-8888 deny udp to any port 8888\n}\n";
const char* kWithRateLimit = R"(
firewall {
    default allow
    rule no-9999 deny udp to any port 9999
}
ratelimit {
    rule flood drop udp to any port 7777 rate 3/s burst 3 global
}
)";

std::string ns_dir(Host& h) {
  return h.root + "/ns-" + std::to_string(h.status()["netns_cookie"].get<uint64_t>());
}

// Whether the shared counters map holds an entry for the rule.
bool has_counter(Host& h, const std::string& domain, const std::string& id) {
  return h.with([&](core::Enforcer& e) {
    auto m = h.k->get_pinned(e.layout().state("sn_counters"));
    REQUIRE(m);
    uint64_t key = dplan::counter_key(domain, id);
    for (const auto& k : h.k->keys(m, "sn_counters"))
      if (std::memcmp(k.data(), &key, sizeof key) == 0) return true;
    return false;
  });
}

}  // namespace

TEST_CASE("an upgrade that adds a state map needs no detach", "[kernel][state]") {
  NetnsPair ns;
  Host h(ns.a, ns.root);
  auto r1 = h.apply(build(kFirewall), {ns.ifa});
  std::set<std::string> made(r1.state_created.begin(), r1.state_created.end());
  CHECK(made.count("sn_counters") == 1);
  CHECK(made.count("sn_rl_buckets") == 0);
  REQUIRE(ns.udp_from_b(4, 9999));

  auto r2 = h.apply(build(kWithRateLimit), {ns.ifa});
  std::set<std::string> added(r2.state_created.begin(), r2.state_created.end());
  CHECK(added.count("sn_rl_buckets") == 1);
  CHECK(added.count("sn_counters") == 0);  // reused, with what it counted
  CHECK(counter(h.status(), "firewall", "no-9999").first == 4);
  REQUIRE(ns.udp_from_b(10, 7777));
  auto s = h.status();
  INFO(s.dump(2));
  CHECK(s["domains"]["ratelimit"]["rules"][0]["over"].get<uint64_t>() >= 6);
  CHECK(s["domains"]["ratelimit"]["buckets"] == 1);

  // Back to the firewall alone and forward again: the buckets stay, as state.
  h.apply(build(kFirewall), {ns.ifa});
  CHECK(fs::exists(ns_dir(h) + "/state/sn_rl_buckets"));
  auto r4 = h.apply(build(kWithRateLimit), {ns.ifa});
  CHECK(r4.state_created.empty());
}

TEST_CASE("counters of deleted rules are reclaimed", "[kernel][state]") {
  NetnsPair ns;
  Host h(ns.a, ns.root);
  h.apply(build(kFirewall), {ns.ifa});
  REQUIRE(ns.udp_from_b(2, 8888));
  REQUIRE(ns.udp_from_b(2, 9999));
  CHECK(has_counter(h, "firewall", "no-8888"));
  std::string without_8888 = "firewall {\n default allow\n rule no-9999 deny udp to any port 9999\n}\n";
  auto r2 = h.apply(build(without_8888), {ns.ifa});
  CHECK(r2.counters_reclaimed == 0);  // generation 1 is kept for rollback
  CHECK(counter(h.status(), "firewall", "no-8888").first == 2);  // shown as retired
  auto r3 = h.apply(build(without_8888), {ns.ifa});
  CHECK(r3.counters_reclaimed == 1);
  CHECK_FALSE(has_counter(h, "firewall", "no-8888"));
  CHECK(has_counter(h, "firewall", "no-9999"));
  CHECK(counter(h.status(), "firewall", "no-9999").first == 2);
}

TEST_CASE("a pinned state map of another shape is refused", "[kernel][state]") {
  NetnsPair ns;
  Host h(ns.a, ns.root);
  h.apply(build(kFirewall), {ns.ifa});
  std::string state = ns_dir(h) + "/state";
  // An older enforcer's connection table with other records.
  REQUIRE(sh("bpftool map create " + state + "/sn_ct type lru_hash key 8 value 8 entries 1024 name sn_ct") == 0);
  std::string text = std::string("conntrack { }\n") + kFirewall;
  try {
    h.apply(build(text), {ns.ifa});
    FAIL("apply succeeded");
  } catch (const core::Error& e) {
    CHECK(e.step() == "state");
    CHECK_THAT(std::string(e.what()), Catch::Contains("state map sn_ct is pinned as"));
    CHECK_THAT(std::string(e.what()), Catch::Contains("detach"));
  }
  CHECK(h.live() == 1);
  CHECK(fs::exists(state + "/sn_ct"));  // never removed behind the user's back
}

TEST_CASE("dispatchers of an older version are replaced in place", "[kernel][state]") {
  NetnsPair ns;
  Host h(ns.a, ns.root);
  h.apply(build(std::string("conntrack { }\n") + kFirewall), {ns.ifa});
  uint32_t before = ns.xdp_prog(ns.a, ns.ifa);
  REQUIRE(before != 0);
  // What an enforcer of dispatcher version 0 would have left: its number in
  // the namespace's meta (last generation 1, version 0).
  std::string meta = ns_dir(h) + "/meta";
  REQUIRE(sh("bpftool map update pinned " + meta +
             " key 0 0 0 0 value 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0") == 0);
  auto r = h.apply(build(kFirewall), {ns.ifa});
  CHECK(r.dispatcher_upgraded);
  uint32_t after = ns.xdp_prog(ns.a, ns.ifa);
  CHECK(after != 0);
  CHECK(after != before);
  auto s = h.status();
  INFO(s.dump(2));
  CHECK(s["problems"].empty());
  for (const auto& [hook, info] : s["interfaces"][0]["hooks"].items()) CHECK(info["prog_id"] != 0);
  CHECK(s["interfaces"][0]["hooks"]["xdp"]["prog_id"] == after);
  REQUIRE(ns.udp_from_b(3, 9999));
  CHECK(counter(h.status(), "firewall", "no-9999").first == 3);
  // Rollback still works across the upgrade: banks and selector were kept.
  auto rb = h.with([](core::Enforcer& e) { return e.rollback(); });
  CHECK(rb.to == 1);
  REQUIRE(ns.udp_from_b(1, 9999));
  CHECK(counter(h.status(), "firewall", "no-9999").first == 4);
  CHECK_FALSE(h.apply(build(kFirewall), {ns.ifa}).dispatcher_upgraded);
}
