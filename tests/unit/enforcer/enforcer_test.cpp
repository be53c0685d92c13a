// Apply, swap, rollback and detach against the fake kernel: the order of a
// swap, and that a failure at any step leaves the running generation alone.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>

#include "enforcer/core/error.h"
#include "fixture.h"

using namespace sentinel::enforcer;
using namespace sentinel::enforcer::test;

namespace {

struct World {
  bpf::FakeKernel k;
  core::Enforcer enf;
  core::Layout L{kRoot, kIf};
  World() : enf(k, core::Target{kRoot, kIf, kIfindex}) { shape_like_firewall(k); }

  uint32_t link_prog() { return k.link_prog_id(k.get_pinned(L.link())); }
  uint32_t gen_prog(uint64_t n) { return k.pins.at(L.gen(n, "prog")); }
  std::vector<uint64_t> gens() {
    std::vector<uint64_t> out;
    for (const auto& g : enf.generations().list()) out.push_back(g.number);
    return out;
  }
  size_t op_index(const std::string& op) {
    auto it = std::find(k.ops.begin(), k.ops.end(), op);
    REQUIRE(it != k.ops.end());
    return static_cast<size_t>(it - k.ops.begin());
  }
  // Sets one CPU's slot of a counter in the shared map.
  void bump(uint64_t key, uint64_t packets) {
    auto& m = k.map_at(L.state(SN_FW_MAP_COUNTERS));
    std::vector<uint8_t> kb(8);
    std::memcpy(kb.data(), &key, 8);
    sn_counter c{packets, packets * 100};
    // As the program does on a rule's first packet: create, then count.
    auto& v = m.data[kb];
    v.resize(k.value_bytes(m.info), 0);
    std::memcpy(v.data(), &c, sizeof c);
  }
};

}  // namespace

TEST_CASE("first apply fills, smoke-tests and pins before attaching", "[enforcer]") {
  World w;
  auto r = w.enf.apply(make_bundle(2, SN_FW_DENY, sha('a')));
  CHECK(r.generation == 1);
  CHECK(r.created_link);
  CHECK_FALSE(r.previous);
  CHECK(w.link_prog() == w.gen_prog(1));
  size_t fill = w.op_index("update_batch " SN_FW_MAP_RULES);
  size_t pir = w.op_index("update_batch " SN_FW_MAP_PIR);
  size_t smoke = w.op_index("test_run");
  size_t pin = w.op_index("pin " + w.L.gen(1, "prog"));
  size_t attach = w.op_index("link_create");
  CHECK(w.op_index("lock " + w.L.iface()) < w.op_index("load"));
  CHECK(w.op_index("load") < fill);
  CHECK(fill < smoke);
  CHECK(pir < smoke);
  CHECK(smoke < pin);
  CHECK(pin < attach);
  CHECK(w.k.pinned(w.L.link()));
  CHECK(w.k.pinned(w.L.state(SN_FW_MAP_COUNTERS)));
  CHECK(w.k.pinned(w.L.gen(1, SN_FW_MAP_KEYS)));
  CHECK(w.k.pinned(w.L.gen(1, "config")));
  // Keys map sized to its entries, PIR text stored.
  CHECK(w.k.map_at(w.L.gen(1, SN_FW_MAP_KEYS)).info.max_entries == 2);
  CHECK(w.k.map_at(w.L.gen(1, SN_FW_MAP_KEYS)).data.size() == 2);
  CHECK(w.enf.live_pir() == std::string("pir 1\n"));
  // Counters are created by the program on a rule's first packet, not here.
  CHECK(w.k.map_at(w.L.state(SN_FW_MAP_COUNTERS)).data.empty());
  // The config rodata carries the generation number.
  sn_fw_config cfg{};
  std::memcpy(&cfg, w.k.map_at(w.L.gen(1, "config")).data.begin()->second.data(), sizeof cfg);
  CHECK(cfg.generation == 1);
}

TEST_CASE("second apply swaps by compare-and-swap and shares state", "[enforcer]") {
  World w;
  w.enf.apply(make_bundle(2, SN_FW_DENY, sha('a')));
  uint32_t cnt_id = w.k.pins.at(w.L.state(SN_FW_MAP_COUNTERS));
  w.bump(0x1000, 5);
  w.k.ops.clear();
  auto r = w.enf.apply(make_bundle(3, SN_FW_ALLOW, sha('b')));
  CHECK(r.generation == 2);
  CHECK(r.previous == 1u);
  CHECK_FALSE(r.created_link);
  CHECK(w.link_prog() == w.gen_prog(2));
  CHECK(w.op_index("test_run") < w.op_index("link_update"));
  CHECK(std::count(w.k.ops.begin(), w.k.ops.end(), "link_create") == 0);
  // The new program uses the very same counter map.
  CHECK(w.k.progs.at(w.gen_prog(2)).maps.at(SN_FW_MAP_COUNTERS) == static_cast<int>(cnt_id));
  core::Status s = w.enf.status();
  CHECK(s.generation == 2);
  CHECK(s.previous == 1u);
  CHECK(s.bundle_sha256 == sha('b'));
  REQUIRE(s.rules.size() == 3);
  CHECK(s.rules[0].packets == 5);
  CHECK(s.rules[0].bytes == 500);
  CHECK(s.default_rule.action == "allow");
  CHECK(w.gens() == std::vector<uint64_t>{1, 2});
}

TEST_CASE("only one previous generation is kept", "[enforcer]") {
  World w;
  w.enf.apply(make_bundle(1, SN_FW_DENY, sha('a')));
  w.enf.apply(make_bundle(2, SN_FW_DENY, sha('b')));
  auto r = w.enf.apply(make_bundle(3, SN_FW_DENY, sha('c')));
  CHECK(r.removed == std::vector<uint64_t>{1});
  CHECK(w.gens() == std::vector<uint64_t>{2, 3});
  CHECK(w.link_prog() == w.gen_prog(3));
}

TEST_CASE("a failure at any step leaves the running generation untouched", "[enforcer]") {
  const char* steps[] = {"load",        "map_create", "verifier", "update_batch", "test_run",
                         "create_array", "pin",        "make_dir", "link_update"};
  for (const char* step : steps) {
    SECTION(step) {
      World w;
      w.enf.apply(make_bundle(2, SN_FW_DENY, sha('a')));
      uint32_t before = w.link_prog();
      auto pins_before = w.k.pins;
      w.k.fail(step);
      try {
        w.enf.apply(make_bundle(3, SN_FW_ALLOW, sha('b')));
        FAIL("apply succeeded despite a failing " << step);
      } catch (const core::Error& e) {
        CHECK_FALSE(std::string(e.what()).empty());
        if (std::string(step) == "verifier") CHECK_FALSE(e.log().empty());
      }
      CHECK(w.link_prog() == before);
      CHECK(w.gens() == std::vector<uint64_t>{1});
      // Nothing of the half-built generation stays pinned; state/meta may
      // have advanced the generation counter, nothing else changed.
      auto after = w.k.pins;
      after.erase(w.L.state("meta"));
      pins_before.erase(w.L.state("meta"));
      CHECK(after == pins_before);
      CHECK(w.enf.status().generation == 1);
      // And the next apply works.
      CHECK(w.enf.apply(make_bundle(3, SN_FW_ALLOW, sha('b'))).generation >= 2);
    }
  }
}

TEST_CASE("a failed first apply leaves nothing behind", "[enforcer]") {
  for (const char* step : {"link_create", "test_run", "pin"}) {
    SECTION(step) {
      World w;
      w.k.fail(step);
      CHECK_THROWS_AS(w.enf.apply(make_bundle(1, SN_FW_DENY, sha('a'))), core::Error);
      CHECK(w.k.pins.empty());
      CHECK(w.k.xdp_links.empty());
    }
  }
}

TEST_CASE("a program that drops ARP fails the smoke test", "[enforcer]") {
  World w;
  w.k.program = [](const bpf::FakeKernel::Prog&, std::span<const uint8_t> f) {
    return f.size() > 13 && f[12] == 0x08 && f[13] == 0x06 ? 1u : 2u;
  };
  try {
    w.enf.apply(make_bundle(1, SN_FW_DENY, sha('a')));
    FAIL("smoke test passed");
  } catch (const core::Error& e) {
    CHECK(e.step() == "smoke test");
    CHECK(std::string(e.what()).find("ARP") != std::string::npos);
  }
  CHECK(w.k.pins.empty());
}

TEST_CASE("a concurrent switch makes the compare-and-swap fail", "[enforcer]") {
  World w;
  w.enf.apply(make_bundle(1, SN_FW_DENY, sha('a')));
  auto intruder = w.k.load(bpf::LoadSpec{"intruder", {}, SN_FW_PROG, {}, {}, {}});
  auto link = w.k.get_pinned(w.L.link());
  // Another writer switches the link between our read and our update.
  w.k.before_link_update = [&] { w.k.links.at(link.get()).prog = intruder.prog.get(); };
  CHECK_THROWS_WITH(w.enf.apply(make_bundle(1, SN_FW_DENY, sha('b'))),
                    Catch::Contains("no longer runs the expected program"));
  w.k.before_link_update = nullptr;
  CHECK(w.link_prog() == intruder.prog_id);
  CHECK(w.gens() == std::vector<uint64_t>{1});
}

TEST_CASE("rollback returns to the previous generation and drops the abandoned one", "[enforcer]") {
  World w;
  w.enf.apply(make_bundle(1, SN_FW_DENY, sha('a')));
  w.enf.apply(make_bundle(2, SN_FW_DENY, sha('b')));
  uint32_t first = w.gen_prog(1);
  auto r = w.enf.rollback();
  CHECK(r.from == 2);
  CHECK(r.to == 1);
  CHECK(w.link_prog() == first);
  CHECK(w.gens() == std::vector<uint64_t>{1});
  CHECK(w.enf.status().bundle_sha256 == sha('a'));
  CHECK_THROWS_WITH(w.enf.rollback(), Catch::Contains("no previous generation"));
  // Generation numbers never repeat.
  CHECK(w.enf.apply(make_bundle(1, SN_FW_DENY, sha('c'))).generation == 3);
}

TEST_CASE("rollback without anything applied says so", "[enforcer]") {
  World w;
  CHECK_THROWS_WITH(w.enf.rollback(), Catch::Contains("nothing is applied"));
}

TEST_CASE("detach removes link, generations and state", "[enforcer]") {
  World w;
  w.enf.apply(make_bundle(1, SN_FW_DENY, sha('a')));
  w.enf.apply(make_bundle(2, SN_FW_DENY, sha('b')));
  w.enf.detach();
  CHECK(w.k.pins.empty());
  CHECK(w.k.xdp_links.empty());
  CHECK(w.k.list_dir(w.L.root).empty());
  CHECK_FALSE(w.enf.status().attached);
  // A fresh apply starts over.
  CHECK(w.enf.apply(make_bundle(1, SN_FW_DENY, sha('a'))).generation == 1);
}

TEST_CASE("inconsistent specs are refused before loading", "[enforcer]") {
  World w;
  auto b = make_bundle(2, SN_FW_DENY, sha('a'));
  b.firewall.config.nrules = 5;
  CHECK_THROWS_WITH(w.enf.apply(b), Catch::Contains("rules.img"));
  CHECK(std::count(w.k.ops.begin(), w.k.ops.end(), "load") == 0);
}
