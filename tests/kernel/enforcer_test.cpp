// The enforcer against the real kernel, on veths in namespaces the test
// creates: a generation of three programs at three hooks (XDP with the rate
// limiter tail-called after the firewall, TCX ingress and egress for
// connection tracking) applied, switched with counters carried over, rolled
// back and detached; an interface group switched as one.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "compiler/diff/diff.h"
#include "enforcer/core/error.h"
#include "fixture.h"

using namespace sentinel;
using namespace sentinel::ktest;
namespace core = sentinel::enforcer::core;
namespace fs = std::filesystem;

namespace {

const char* kPolicyA = R"(
conntrack {
    established allow
}
firewall {
    default deny
    rule udp-log   log   udp to any port 9999
    rule limited   allow udp to any port 7777
    rule ping      allow icmp
}
ratelimit {
    rule flood drop udp to any port 7777 rate 5/s burst 5 global
}
)";

// B: one rule changed, one added, the rate limit tightened.
const char* kPolicyB = R"(
conntrack {
    established allow
}
firewall {
    default deny
    rule udp-log   log   udp to any port 9999
    rule limited   allow udp to any port 7777
    rule ping      deny  icmp
    rule dns       allow udp to any port 53
}
ratelimit {
    rule flood drop udp to any port 7777 rate 2/s burst 2 global
}
)";

// Program ids of the links of every type that `bpftool link` lists: an
// independent view of what the kernel runs.
std::multiset<uint32_t> link_progs() {
  std::multiset<uint32_t> out;
  auto j = nlohmann::json::parse(capture("bpftool -j link show 2>/dev/null"), nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& l : j)
    if (l.contains("prog_id")) out.insert(l["prog_id"].get<uint32_t>());
  return out;
}

uint32_t pinned_prog_id(const std::string& path) {
  auto j = nlohmann::json::parse(capture("bpftool -j prog show pinned " + path + " 2>/dev/null"), nullptr, false);
  return j.is_object() && j.contains("id") ? j["id"].get<uint32_t>() : 0;
}

}  // namespace

TEST_CASE("a three-hook generation applies, switches, rolls back and detaches", "[kernel][enforcer]") {
  NetnsPair ns;
  Host h(ns.a, ns.root);
  core::Bundle A = bundle(kPolicyA), B = bundle(kPolicyB);
  core::ApplyOptions on_a;
  on_a.ifaces = {ns.ifa};

  auto r1 = h.apply(A, on_a);
  CHECK(r1.generation == 1);
  CHECK_FALSE(r1.previous);
  std::set<std::string> links(r1.links_created.begin(), r1.links_created.end());
  CHECK(links == std::set<std::string>{"snk-a xdp", "snk-a tcx_ingress", "snk-a tcx_egress"});
  std::set<std::string> state(r1.state_created.begin(), r1.state_created.end());
  for (const char* m : {"sn_counters", "sn_ct", "sn_rl_buckets", "sn_fw_events", "sn_rl_events"})
    CHECK(state.count(m) == 1);

  auto s1 = h.status();
  INFO(s1.dump(2));
  CHECK(s1["applied"] == true);
  CHECK(s1["generation"] == 1);
  CHECK(s1["problems"].empty());
  std::string nsdir = ns.root + "/ns-" + std::to_string(s1["netns_cookie"].get<uint64_t>());
  for (const char* p : {"/dispatch/prog-xdp", "/dispatch/prog-tc_in", "/dispatch/prog-tc_out", "/dispatch/sn_select",
                        "/gen/1/meta", "/gen/1/pir", "/gen/1/manifest", "/state/sn_ct", "/state/sn_counters"})
    CHECK(fs::exists(nsdir + p));
  // The links run the dispatchers, which never change with the policy.
  uint32_t disp_xdp = pinned_prog_id(nsdir + "/dispatch/prog-xdp");
  uint32_t disp_in = pinned_prog_id(nsdir + "/dispatch/prog-tc_in");
  uint32_t disp_out = pinned_prog_id(nsdir + "/dispatch/prog-tc_out");
  REQUIRE(disp_xdp != 0);
  CHECK(ns.xdp_prog(ns.a, ns.ifa) == disp_xdp);
  auto progs = link_progs();
  CHECK(progs.count(disp_in) == 1);
  CHECK(progs.count(disp_out) == 1);
  const auto& iface = s1["interfaces"][0];
  CHECK(iface["name"] == ns.ifa);
  CHECK(iface["state"] == "attached");
  CHECK(iface["hooks"]["xdp"]["mode"] == "native");  // veth has native XDP

  // Real packets: the log rule counts and reports them; the rate limiter
  // after the firewall holds port 7777 to its burst.
  REQUIRE(ns.udp_from_b(3, 9999));
  REQUIRE(ns.udp_from_b(20, 7777));
  auto s2 = h.status();
  INFO(s2.dump(2));
  CHECK(counter(s2, "firewall", "udp-log") == std::pair<uint64_t, uint64_t>{3, 3 * 74});
  CHECK(counter(s2, "firewall", "limited").first == 20);
  const auto& rl = s2["domains"]["ratelimit"]["rules"][0];
  CHECK(rl["id"] == "flood");
  CHECK(rl["passed"].get<uint64_t>() + rl["over"].get<uint64_t>() == 20);
  CHECK(rl["over"].get<uint64_t>() >= 14);  // a burst of 5, plus what refills while sending
  CHECK(s2["domains"]["conntrack"]["flows"].get<uint64_t>() >= 1);
  CHECK(s2["dispatch"]["xdp"].get<uint64_t>() >= 23);

  int seen = 0;
  h.with([&](core::Enforcer& e) {
    e.read_events(
        [&](const nlohmann::json& ev) {
          if (ev["domain"] == "firewall" && ev["rule"] == "udp-log") ++seen;
        },
        200);
    return 0;
  });
  CHECK(seen == 3);

  // Plan against the live generation.
  auto live = h.with([](core::Enforcer& e) { return e.live(); });
  REQUIRE(live);
  std::string err;
  auto live_policy = pir::parse(live->policy_text, &err);
  REQUIRE(live_policy);
  CHECK(diff::diff_policies(*live_policy, A.policy).empty());
  auto plan = diff::diff_policies(*live_policy, B.policy);
  CHECK(plan.add == 1);
  CHECK(plan.change == 2);

  // The switch: a new generation behind the same links, counters carried.
  auto r2 = h.apply(B, on_a);
  CHECK(r2.generation == 2);
  CHECK(r2.previous == 1u);
  CHECK(r2.links_created.empty());
  CHECK(r2.state_created.empty());
  CHECK(r2.bank != r1.bank);
  CHECK(ns.xdp_prog(ns.a, ns.ifa) == disp_xdp);
  auto s3 = h.status();
  CHECK(s3["generation"] == 2);
  CHECK(s3["previous"] == 1);
  CHECK(counter(s3, "firewall", "udp-log").first == 3);
  REQUIRE(ns.udp_from_b(2, 9999));
  CHECK(counter(h.status(), "firewall", "udp-log").first == 5);

  // A third apply keeps exactly one previous generation.
  auto r3 = h.apply(A, on_a);
  CHECK(r3.generation == 3);
  CHECK(r3.removed == std::vector<uint64_t>{1});
  CHECK_FALSE(fs::exists(nsdir + "/gen/1"));
  CHECK(r3.bank != r2.bank);

  // Rollback swaps live and previous, and back again.
  auto rb = h.with([](core::Enforcer& e) { return e.rollback(); });
  CHECK(rb.from == 3);
  CHECK(rb.to == 2);
  CHECK(h.live() == 2);
  auto rb2 = h.with([](core::Enforcer& e) { return e.rollback(); });
  CHECK(rb2.to == 3);
  CHECK(h.live() == 3);

  // Detach: nothing attached, nothing pinned, the namespace's directory gone.
  auto d = h.with([](core::Enforcer& e) { return e.detach(); });
  CHECK(d.was_applied);
  CHECK(d.generations == 2);
  CHECK(ns.xdp_prog(ns.a, ns.ifa) == 0);
  CHECK(link_progs().count(disp_in) == 0);
  CHECK_FALSE(fs::exists(nsdir));
  CHECK(h.status()["applied"] == false);
}

TEST_CASE("an interface group switches as one", "[kernel][enforcer]") {
  NetnsPair ns;
  Host h(ns.a, ns.root);
  std::string group = "set edge: iface = { " + ns.ifa + ", " + ns.ifa2 + " }\n";
  core::Bundle A = bundle(group + "firewall on @edge {\n default allow\n rule no-9999 deny udp to any port 9999\n}\n");
  core::Bundle B = bundle(group + "firewall on @edge {\n default allow\n rule no-8888 deny udp to any port 8888\n}\n");
  CHECK(A.plan.interfaces == std::vector<std::string>{ns.ifa, ns.ifa2});

  auto r1 = h.apply(A);  // the policy names its interfaces
  CHECK(r1.interfaces == std::vector<std::string>{ns.ifa, ns.ifa2});
  REQUIRE(ns.udp_from_b(2, 9999, "10.201.0.1"));
  REQUIRE(ns.udp_from_b(3, 9999, "10.202.0.1"));
  CHECK(counter(h.status(), "firewall", "no-9999").first == 5);

  h.apply(B);
  REQUIRE(ns.udp_from_b(2, 8888, "10.201.0.1"));
  REQUIRE(ns.udp_from_b(2, 8888, "10.202.0.1"));
  REQUIRE(ns.udp_from_b(4, 9999, "10.202.0.1"));
  auto s = h.status();
  INFO(s.dump(2));
  CHECK(counter(s, "firewall", "no-8888").first == 4);
  CHECK(counter(s, "firewall", "no-9999").first == 5);  // retired with A, untouched since
  CHECK(s["interfaces"].size() == 2);
  for (const auto& i : s["interfaces"]) CHECK(i["live"] == true);

  // A group smaller than before: the interface no kept generation names
  // loses its links only once no generation needs it.
  core::Bundle C = bundle("firewall {\n default allow\n}\n");
  core::ApplyOptions only_a;
  only_a.ifaces = {ns.ifa};
  h.apply(C, only_a);
  CHECK(ns.xdp_prog(ns.a, ns.ifa2) != 0);  // generation 2, kept for rollback, needs it
  h.apply(C, only_a);
  CHECK(ns.xdp_prog(ns.a, ns.ifa2) == 0);
  CHECK(ns.xdp_prog(ns.a, ns.ifa) != 0);
}
