// A failure at any step of an apply of a multi-program generation, with
// another generation live: the selector stays, the live generation's
// programs stay in its bank, nothing new stays pinned or attached, and the
// next apply works.
#include <functional>

#include "fixture.h"

using namespace sentinel;
using namespace sentinel::enforcer;
using namespace sentinel::enforcer::test;

namespace {

struct Fault {
  const char* name;
  std::string live;  // applied first
  std::string next;  // applied with the fault
  std::function<void(World&, core::ApplyOptions&)> arm;
  const char* step;     // core::Error::step()
  const char* message;  // in what()
};

// Everything a failed apply must leave as it was.
struct Before {
  std::optional<sn_selector> sel;
  std::vector<std::vector<uint32_t>> banks;
  std::map<std::string, int> pins;
  std::set<std::string> dirs;
  std::map<int, std::pair<uint32_t, int>> links;  // id -> (ifindex, prog)
  explicit Before(const World& w) {
    auto v = w.view();
    sel = v.selector();
    for (uint32_t b = 0; b < SN_BANKS; ++b) banks.push_back(v.bank(b));
    pins = w.k.pins;
    dirs = w.k.dirs;
    for (const auto& [id, l] : w.k.links) links[id] = {l.ifindex, l.prog};
  }
};

void check_untouched(const World& w, const Before& b) {
  Before now(w);
  REQUIRE(now.sel);
  CHECK(now.sel->bank == b.sel->bank);
  CHECK(now.sel->generation == b.sel->generation);
  CHECK(now.sel->prev_bank == b.sel->prev_bank);
  CHECK(now.sel->prev_generation == b.sel->prev_generation);
  // The live bank still holds the live generation; no other bank holds
  // anything of the failed one.
  CHECK(now.banks == b.banks);
  CHECK(now.pins == b.pins);
  CHECK(now.dirs == b.dirs);
  CHECK(now.links == b.links);
}

std::vector<Fault> faults() {
  auto on = [](const char* op, const char* what) {
    return [=](World& w, core::ApplyOptions&) { w.k.fail_on(op, what); };
  };
  return {
      {"a later object fails to load", kFw, kFwRl, on("load", "ratelimit/program.o"), "load", "ratelimit/program.o"},
      {"a map cannot be created", kFw, kFwRl, on("map_create", SN_RL_MAP_RULES), "load", SN_RL_MAP_RULES},
      {"a host map cannot be created", kFw, kFwRl, on("map_create", SN_RL_MAP_BUCKETS), "load", SN_RL_MAP_BUCKETS},
      {"the verifier rejects a program", kFw, kFwRl, on("verifier", SN_RL_PROG), "load", "verifier rejected"},
      {"a map cannot be filled", kFw, kFwRl, on("update_batch", SN_RL_MAP_RECS), "fill", SN_RL_MAP_RECS},
      {"a tail-call slot cannot be set", kFw, kFwRl, on("set_prog", SN_MAP_CHAIN), "fill", SN_MAP_CHAIN},
      {"the smoke test fails", kFw, kFwCt,
       [](World& w, core::ApplyOptions&) {
         w.k.tc_program = [](const bpf::FakeKernel::Prog& p, std::span<const uint8_t>) {
           return p.name == SN_CT_PROG_EGRESS ? 7u : static_cast<uint32_t>(-1);
         };
       },
       "smoke test", SN_CT_PROG_EGRESS},
      {"a test run fails", kFw, kFwRl, on("test_run", "program"), "smoke test", "test run failed"},
      {"a program pin fails", kFw, kFwRl, on("pin", "prog-" SN_RL_PROG), "apply", "prog-" SN_RL_PROG},
      {"a state pin fails", kFw, kFwRl, on("pin", "state/" SN_RL_MAP_BUCKETS), "apply", SN_RL_MAP_BUCKETS},
      {"the generation's meta pin fails", kFw, kFwRl,
       [](World& w, core::ApplyOptions&) { w.k.fail_on("pin", w.L().gen(2, "meta")); }, "apply", "/gen/2/meta"},
      {"a link pin fails", kFw, kFwCt, on("pin", "tcx_egress"), "apply", "tcx_egress"},
      {"link creation fails on the second interface of a group", kGroupFw, kGroupFwCt, on("link_create", "ifindex 8"),
       "attach", "veth1"},
      {"a bank slot cannot be set", kFw, kFwCt, on("set_prog", SN_MAP_DISPATCH_TC), "apply", SN_MAP_DISPATCH_TC},
      {"the selector write fails", kFw, kFwRl, on("update_batch", SN_MAP_SELECTOR), "switch", SN_MAP_SELECTOR},
  };
}

void run_fault(const Fault& f) {
  World w;
  w.apply(f.live);
  const auto& live_bundle = bundle(f.live);
  Before before(w);
  REQUIRE(before.sel);
  std::vector<uint32_t> live_entries = w.view().entries_of(1, live_bundle);

  core::ApplyOptions o;
  f.arm(w, o);
  try {
    w.apply(f.next, o);
    FAIL("apply succeeded despite: " << f.name);
  } catch (const core::Error& e) {
    INFO(e.what());
    CHECK(e.step() == f.step);
    CHECK(std::string(e.what()).find(f.message) != std::string::npos);
    if (std::string(f.name) == "the verifier rejects a program") CHECK_FALSE(e.log().empty());
  }
  // The fault fired: an injected one is in the log, or the fake refused.
  check_untouched(w, before);
  CHECK(w.view().bank(before.sel->bank) == live_entries);
  auto s = w.enf.status();
  INFO(s.dump(2));
  CHECK(s["generation"] == 1);
  CHECK(s["problems"].empty());
  REQUIRE(s["generations"].size() == 1);

  // The next apply works, and leaves a consistent namespace.
  w.k.tc_program = [](const bpf::FakeKernel::Prog&, std::span<const uint8_t>) { return static_cast<uint32_t>(-1); };
  auto r = w.apply(f.next);
  CHECK(r.generation >= 2);
  CHECK(r.previous == std::optional<uint64_t>(1));
  auto sel = w.view().selector();
  REQUIRE(sel);
  CHECK(sel->generation == r.generation);
  CHECK(w.view().bank(sel->bank) == w.view().entries_of(r.generation, bundle(f.next)));
  CHECK(w.view().bank(before.sel->bank) == live_entries);
  CHECK(w.enf.status()["problems"].empty());
  CHECK(w.enf.rollback().to == 1);
}

}  // namespace

TEST_CASE("a failure at any step of an apply leaves the live generation alone", "[faults]") {
  for (const auto& f : faults()) {
    SECTION(f.name) { run_fault(f); }
  }
}

TEST_CASE("an after_step failure at each step leaves the live generation alone", "[faults]") {
  for (const char* step : {"dispatch", "load", "smoke test", "pin", "attach", "bank"}) {
    for (const std::string* next : {&kFwRl, &kFwCt}) {
      DYNAMIC_SECTION(step << (next == &kFwRl ? " (ratelimit)" : " (conntrack)")) {
        Fault f{step, kFw, *next,
                [step](World&, core::ApplyOptions& o) {
                  o.after_step = [step](const std::string& s) {
                    if (s == step) throw std::runtime_error(std::string("stopped after ") + step);
                  };
                },
                "", ""};
        World w;
        w.apply(f.live);
        Before before(w);
        core::ApplyOptions o;
        f.arm(w, o);
        CHECK_THROWS_WITH(w.apply(f.next, o), Catch::Contains(std::string("stopped after ") + step));
        check_untouched(w, before);
        CHECK(w.enf.status()["problems"].empty());
        auto r = w.apply(f.next);
        CHECK(r.previous == std::optional<uint64_t>(1));
        CHECK(w.enf.status()["generation"] == r.generation);
      }
    }
  }
}

TEST_CASE("a failed first apply leaves nothing but the root", "[faults]") {
  struct Case {
    const char* op;
    const char* what;
  };
  for (Case c : {Case{"load", "dispatcher"}, Case{"load", "conntrack/program.o"}, Case{"verifier", SN_FW_PROG},
                 Case{"pin", "prog-" SN_CT_PROG_INGRESS}, Case{"pin", "state/" SN_CT_MAP},
                 Case{"link_create", "ifindex 7"}, Case{"pin", "links/7/xdp"}, Case{"test_run", "program"},
                 Case{"update_batch", SN_MAP_SELECTOR}}) {
    DYNAMIC_SECTION(c.op << " " << c.what) {
      World w;
      w.k.fail_on(c.op, c.what);
      CHECK_THROWS_AS(w.apply(kFwCt), core::Error);
      CHECK(w.k.count_ops("FAIL ") == 1);
      CHECK(w.k.pins.empty());
      CHECK(w.k.links.empty());
      CHECK(w.k.list_dir(kRoot).empty());
      auto s = w.enf.status();
      CHECK(s["applied"] == false);
      CHECK(s["problems"].empty());
      CHECK(w.apply(kFwCt).previous == std::nullopt);
      CHECK(w.enf.status()["problems"].empty());
    }
  }
}

TEST_CASE("a program that drops ARP fails the smoke test", "[faults]") {
  World w;
  w.k.program = [](const bpf::FakeKernel::Prog&, std::span<const uint8_t> f) {
    return f.size() > 13 && f[12] == 0x08 && f[13] == 0x06 ? 1u : 2u;
  };
  try {
    w.apply(kFw);
    FAIL("smoke test passed");
  } catch (const core::Error& e) {
    CHECK(e.step() == "smoke test");
    CHECK(std::string(e.what()).find("ARP") != std::string::npos);
  }
  CHECK(w.k.pins.empty());
}

TEST_CASE("a failed rollback leaves the live generation", "[faults]") {
  World w;
  w.apply(kGroupFw);
  core::ApplyOptions o;
  o.ifaces = {"veth0"};
  w.apply(kFw, o);
  // The previous generation needs veth1's link, which went away meanwhile.
  w.k.unpin(w.L().link(kVeth1, "xdp"));
  Before before(w);
  w.k.fail_on("link_create", "ifindex 8");
  CHECK_THROWS_WITH(w.enf.rollback(), Catch::Contains("ifindex 8"));
  check_untouched(w, before);
  CHECK(w.enf.rollback().to == 1);
  CHECK(w.view().links_on(kVeth1).size() == 1);
}
