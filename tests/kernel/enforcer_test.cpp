// The enforcer against the real kernel, on a veth in namespaces the test
// creates: apply, status, plan, atomic swap with counters carried over,
// rollback, failures that must leave the running generation alone, detach.
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <regex>

#include "compiler/backend/build.h"
#include "enforcer/bpf/libbpf_kernel.h"
#include "enforcer/core/bundle.h"
#include "enforcer/core/enforcer.h"
#include "enforcer/core/error.h"
#include "enforcer/core/netns.h"
#include "compiler/diff/diff.h"
#include "fixture.h"

using namespace sentinel;
using namespace sentinel::ktest;
namespace core = sentinel::enforcer::core;
namespace bpf = sentinel::enforcer::bpf;

namespace {

// Runs core operations inside namespace a, as the CLI does with --netns.
struct Host {
  NetnsPair& n;
  std::unique_ptr<bpf::Kernel> k = bpf::make_libbpf_kernel();
  explicit Host(NetnsPair& pair) : n(pair) {}

  template <typename F>
  auto with(F f) {
    core::NetnsGuard in(n.a);
    core::Enforcer e(*k, {n.root, n.ifa, core::resolve_ifindex(n.ifa)});
    return f(e);
  }
  core::ApplyResult apply(const std::string& bytes, const core::ApplyOptions& o = {}) {
    core::Bundle b = core::parse_bundle(bytes);
    return with([&](core::Enforcer& e) { return e.apply(b, o); });
  }
  core::Status status() {
    return with([](core::Enforcer& e) { return e.status(); });
  }
  uint32_t link_prog() {
    return with([](core::Enforcer& e) {
      uint32_t id = 0;
      e.generations().live(&id);
      return id;
    });
  }
  diff::Plan plan(const std::string& bytes) {
    core::Bundle b = core::parse_bundle(bytes);
    std::string err;
    auto next = pir::parse(b.firewall.pir, &err);
    INFO(err);
    REQUIRE(next);
    auto text = with([](core::Enforcer& e) { return e.live_pir(); });
    std::optional<pir::Policy> live;
    if (text) {
      live = pir::parse(*text, &err);
      INFO(err);
      REQUIRE(live);
    }
    return diff::diff_policies(live, *next);
  }
  // What iproute2 says runs on the interface: an independent view of the kernel.
  uint32_t ip_link_prog() {
    std::string out = capture("ip -n " + n.a + " -d link show " + n.ifa);
    std::smatch m;
    static const std::regex re(R"(prog/xdp id (\d+))");
    return std::regex_search(out, m, re) ? std::stoul(m[1]) : 0;
  }
};

pir::Policy policy_a() {
  return policy(pir::FirewallAction::Allow, {rule("no-telnet", pir::FirewallAction::Deny, pir::Proto::Tcp, 23),
                                     rule("udp-log", pir::FirewallAction::Log, pir::Proto::Udp, 9999)});
}

pir::Policy policy_b() {
  return policy(pir::FirewallAction::Allow, {rule("no-telnet", pir::FirewallAction::Deny, pir::Proto::Tcp, 2323),
                                     rule("udp-log", pir::FirewallAction::Log, pir::Proto::Udp, 9999),
                                     rule("no-ssh", pir::FirewallAction::Deny, pir::Proto::Tcp, 22)});
}

const core::Counter& counter(const core::Status& s, const std::string& id) {
  for (const auto& c : s.rules)
    if (c.id == id) return c;
  FAIL("no counter for rule " << id);
  throw;
}

}  // namespace

TEST_CASE("apply, plan, swap, rollback and detach on a veth", "[kernel][enforcer]") {
  NetnsPair ns;
  Host h(ns);
  std::string A = build(policy_a()), B = build(policy_b());

  // Nothing live: the plan adds everything.
  diff::Plan p0 = h.plan(A);
  CHECK(p0.add == 3);

  auto r1 = h.apply(A);
  CHECK(r1.generation == 1);
  CHECK(r1.created_link);
  CHECK(r1.mode == bpf::AttachMode::Native);  // veth has native XDP
  CHECK(h.link_prog() == r1.prog_id);
  CHECK(h.ip_link_prog() == r1.prog_id);
  CHECK(std::filesystem::exists(ns.root + "/" + ns.ifa + "/link"));
  CHECK(std::filesystem::exists(ns.root + "/" + ns.ifa + "/gen/1/prog"));

  core::Status s1 = h.status();
  CHECK(s1.attached);
  CHECK(s1.generation == 1);
  CHECK(s1.bundle_sha256 == core::parse_bundle(A).sha256);
  CHECK(s1.default_action == "allow");
  REQUIRE(s1.rules.size() == 2);
  CHECK(s1.rules[0].id == "no-telnet");
  CHECK(s1.rules[1].id == "udp-log");

  // Same policy: no changes; another: itemized changes.
  CHECK(h.plan(A).empty());
  diff::Plan p = h.plan(B);
  CHECK(p.add == 1);
  CHECK(p.change == 1);
  std::string text = diff::render_text(p);
  CHECK_THAT(text, Catch::StartsWith("plan: 1 to add, 1 to change, 0 to remove (firewall)"));
  CHECK_THAT(text, Catch::Contains("~ firewall rule no-telnet: to port 23 -> 2323"));
  CHECK_THAT(text, Catch::Contains("+ firewall rule no-ssh deny tcp to any port 22"));

  // Real packets through the veth move the udp-log counter: 32-byte
  // payloads, 74-byte frames.
  REQUIRE(ns.udp_from_b(3, 9999));
  core::Status s2 = h.status();
  uint64_t sent = counter(s2, "udp-log").packets;
  CHECK(sent == 3);
  CHECK(counter(s2, "udp-log").bytes == 3 * 74);
  CHECK(s2.events_emitted >= 3);  // log rules emit events

  // The ring holds those events: read them back.
  int seen = 0;
  h.with([&](core::Enforcer& e) {
    e.read_events([&](const sn_fw_event& ev) { seen += ev.proto == 17 && ev.dport == 9999 ? 1 : 0; }, 200);
    return 0;
  });
  CHECK(seen >= 3);

  // Second apply: a new program behind the same link, counters carried over.
  auto r2 = h.apply(B);
  CHECK(r2.generation == 2);
  CHECK(r2.previous == 1u);
  CHECK_FALSE(r2.created_link);
  CHECK(r2.prog_id != r1.prog_id);
  CHECK(h.link_prog() == r2.prog_id);
  CHECK(h.ip_link_prog() == r2.prog_id);
  core::Status s3 = h.status();
  CHECK(s3.generation == 2);
  CHECK(s3.previous == 1u);
  REQUIRE(s3.rules.size() == 3);
  CHECK(counter(s3, "udp-log").packets == sent);
  CHECK(h.plan(B).empty());
  REQUIRE(ns.udp_from_b(2, 9999));
  CHECK(counter(h.status(), "udp-log").packets == sent + 2);

  // A third apply keeps exactly one previous generation.
  auto r3 = h.apply(A);
  CHECK(r3.generation == 3);
  CHECK(r3.removed == std::vector<uint64_t>{1});
  CHECK_FALSE(std::filesystem::exists(ns.root + "/" + ns.ifa + "/gen/1"));

  // Rollback: back to generation 2's program, through the same link.
  auto rb = h.with([](core::Enforcer& e) { return e.rollback(); });
  CHECK(rb.from == 3);
  CHECK(rb.to == 2);
  CHECK(h.link_prog() == r2.prog_id);
  CHECK(h.ip_link_prog() == r2.prog_id);
  CHECK(h.status().generation == 2);
  CHECK(h.plan(B).empty());
  CHECK_THROWS_WITH(h.with([](core::Enforcer& e) { return e.rollback(); }),
                    Catch::Contains("no previous generation"));

  // Detach: nothing attached, nothing pinned.
  h.with([](core::Enforcer& e) {
    e.detach();
    return 0;
  });
  CHECK(h.ip_link_prog() == 0);
  CHECK_FALSE(std::filesystem::exists(ns.root + "/" + ns.ifa));
  CHECK_FALSE(h.status().attached);
}

TEST_CASE("failed applies leave the running generation untouched", "[kernel][enforcer]") {
  NetnsPair ns;
  Host h(ns);
  std::string A = build(policy_a()), B = build(policy_b());
  auto r1 = h.apply(A);
  REQUIRE(h.link_prog() == r1.prog_id);

  auto untouched = [&] {
    CHECK(h.link_prog() == r1.prog_id);
    CHECK(h.ip_link_prog() == r1.prog_id);
    core::Status s = h.status();
    CHECK(s.generation == 1);
    CHECK_FALSE(s.previous);
    CHECK(std::filesystem::exists(ns.root + "/" + ns.ifa + "/gen/1/prog"));
    CHECK(std::distance(std::filesystem::directory_iterator(ns.root + "/" + ns.ifa + "/gen"),
                        std::filesystem::directory_iterator()) == 1);
  };
  auto apply_error = [&](const std::string& bytes, const core::ApplyOptions& o = {}) {
    try {
      h.apply(bytes, o);
    } catch (const core::Error& e) {
      return e;
    }
    FAIL("apply succeeded");
    throw;
  };

  SECTION("corrupted bundle") {
    std::string bad = B;
    bad[bad.size() / 2] ^= 0xff;  // inside a part, not the manifest
    core::Error e = apply_error(bad);
    CHECK(e.step() == "verify");
    CHECK_THAT(std::string(e.what()), Catch::Contains("sha256 mismatch"));
    untouched();
  }
  SECTION("manifest ABI mismatch") {
    auto parts = parts_of(B);
    auto m = nlohmann::json::parse(parts["manifest.json"]);
    m["abi_version"] = m["abi_version"].get<int>() + 1;
    parts["manifest.json"] = m.dump();
    core::Error e = apply_error(rebundle(parts, false));
    CHECK_THAT(std::string(e.what()), Catch::Contains("abi", Catch::CaseSensitive::No));
    untouched();
  }
  SECTION("map image ABI mismatch") {
    auto parts = parts_of(B);
    std::string& img = parts["firewall/keys.img"];
    img[4] = static_cast<char>(img[4] + 1);  // sn_image_header.abi_version
    core::Error e = apply_error(rebundle(parts));
    CHECK_THAT(std::string(e.what()), Catch::Contains("firewall/keys.img: abi version"));
    untouched();
  }
  SECTION("program the verifier rejects") {
    auto parts = parts_of(B);
    parts["firewall/program.o"] = read_file(bad_object_path());
    REQUIRE(parts["firewall/program.o"].size() > 0);
    core::Error e = apply_error(rebundle(parts));
    CHECK(e.step() == "load");
    CHECK_THAT(std::string(e.what()), Catch::Contains("verifier rejected program sn_xdp_firewall"));
    CHECK_THAT(e.log(), Catch::Contains("invalid access to packet"));
    untouched();
  }
  SECTION("map the kernel cannot create") {
    core::ApplyOptions o;
    o.max_entries_override[SN_FW_MAP_KEYS] = 0xffffffffu;
    core::Error e = apply_error(B, o);
    CHECK(e.step() == "load");
    CHECK_THAT(std::string(e.what()), Catch::Contains("create map sn_fw_keys"));
    untouched();
  }
  // Whatever failed, the next good apply goes through.
  auto r2 = h.apply(B);
  CHECK(h.link_prog() == r2.prog_id);
  CHECK(r2.previous == 1u);
}
