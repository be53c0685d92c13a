// The enforcer killed at any point of an apply, rollback or detach: every
// state the fake passes through is taken as what a dead process leaves
// behind, and a fresh enforcer must read it correctly and recover from it.
#include <functional>
#include <set>

#include "fixture.h"

using namespace sentinel;
using namespace sentinel::enforcer;
using namespace sentinel::enforcer::test;
using nlohmann::json;

namespace {

struct Kill {
  std::string op;  // the state is the one just before this op ran ("" : after the last one)
  bpf::FakeKernel::State state;
};

// Runs `operation` on a world prepared by `setup`, recording a kill point
// before every op that changes something, and one after the last.
std::vector<Kill> kill_points(const std::function<void(World&)>& setup, const std::function<void(World&)>& operation) {
  World w;
  setup(w);
  w.k.checkpointing = true;
  operation(w);
  w.k.checkpointing = false;
  std::vector<Kill> out;
  for (auto& c : w.k.checkpoints) out.push_back({c.next_op, std::move(c.state)});
  out.push_back({"", w.k.state()});
  return out;
}

// What the namespace looked like from outside at a kill point.
struct Expect {
  std::set<uint64_t> ever_live;  // generations that ran at some time before or at this point
  std::optional<uint64_t> live;  // what the selector says, or nothing applied
};

// A fresh enforcer on the state a kill left.
struct Revived {
  bpf::FakeKernel k;
  std::unique_ptr<core::Enforcer> enf;
  explicit Revived(const bpf::FakeKernel::State& s) {
    k.restore(s);
    enf = std::make_unique<core::Enforcer>(k, kRoot);
  }
};

void check_revival(const Kill& kill, const Expect& e, const std::string& next) {
  INFO("killed before: " << (kill.op.empty() ? "(the end)" : kill.op));
  {
    // Status reads it, says what runs, and hides nothing.
    Revived r(kill.state);
    json s;
    REQUIRE_NOTHROW(s = r.enf->status());
    INFO(s.dump(2));
    CHECK(s["applied"] == e.live.has_value());
    if (e.live) {
      CHECK(s["generation"] == *e.live);
      // The live generation is intact: nothing under it is missing.
      bool live_listed = false;
      for (const auto& g : s["generations"])
        if (g["number"] == *e.live) live_listed = g["complete"] == true && g["live"] == true;
      CHECK(live_listed);
      auto live = r.enf->live();
      REQUIRE(live);
      CHECK(live->generation == *e.live);
      CHECK_FALSE(live->policy_text.empty());
    }
  }
  {
    // Rollback goes only to a generation that ran before.
    Revived r(kill.state);
    try {
      auto rb = r.enf->rollback();
      CHECK(e.ever_live.count(rb.to) == 1);
      CHECK(rb.from == e.live.value_or(0));
      CHECK(r.enf->status()["generation"] == rb.to);
      CHECK(r.enf->status()["problems"].empty());
    } catch (const core::Error& err) {
      INFO(err.what());
      CHECK(err.step() == "rollback");
    }
  }
  {
    // The next apply works and cleans up what the kill left.
    Revived r(kill.state);
    core::ApplyResult a;
    REQUIRE_NOTHROW(a = r.enf->apply(bundle(next)));
    json s = r.enf->status();
    INFO(s.dump(2));
    CHECK(s["generation"] == a.generation);
    CHECK(s["problems"].empty());
    CHECK(s["generations"].size() <= 2);
    CHECK(a.previous == e.live);
    View v{r.k, r.enf->layout()};
    CHECK(v.bank(v.selector()->bank) == v.entries_of(a.generation, bundle(next)));
    // Banks that no kept generation uses hold nothing.
    for (uint32_t b = 0; b < SN_BANKS; ++b)
      if (b != v.selector()->bank && b != v.selector()->prev_bank)
        CHECK(v.bank(b) == std::vector<uint32_t>{0, 0, 0});
    // One link per hook and interface, each running a dispatcher.
    std::map<std::pair<uint32_t, bpf::LinkKind>, int> per_hook;
    for (const auto& [id, l] : r.k.links) ++per_hook[{l.ifindex, l.kind}];
    for (const auto& [key, n] : per_hook) CHECK(n == 1);
    if (e.live) {
      // And rollback from there returns to what ran at the kill.
      auto rb = r.enf->rollback();
      CHECK(rb.to == *e.live);
    }
  }
  {
    // Detach removes everything whatever the kill left.
    Revived r(kill.state);
    REQUIRE_NOTHROW(r.enf->detach());
    CHECK(r.k.pins.empty());
    CHECK(r.k.links.empty());
    CHECK(r.k.list_dir(kRoot).empty());
    CHECK(r.enf->status()["problems"].empty());
  }
}

// Whether the selector at a kill point already names `gen`.
std::optional<uint64_t> live_at(const bpf::FakeKernel::State& s) {
  bpf::FakeKernel k;
  k.restore(s);
  core::Enforcer e(k, kRoot);
  View v{k, e.layout()};
  auto sel = v.selector();
  if (!sel || sel->bank == SN_BANK_NONE) return std::nullopt;
  return sel->generation;
}

}  // namespace

TEST_CASE("killed during a first apply", "[kill]") {
  auto kills = kill_points([](World&) {}, [](World& w) { w.apply(kFwCt); });
  REQUIRE(kills.size() > 20);
  bool switched = false;
  for (const auto& k : kills) {
    auto live = live_at(k.state);
    // The selector goes from nothing to generation 1, once, and never back.
    if (switched) CHECK(live == std::optional<uint64_t>(1));
    switched = switched || live.has_value();
    Expect e;
    e.live = live;
    if (live) e.ever_live = {1};
    check_revival(k, e, kFwRl);
  }
  CHECK(switched);
}

TEST_CASE("killed during a second apply of more programs", "[kill]") {
  auto kills = kill_points([](World& w) { w.apply(kFw); }, [](World& w) { w.apply(kFwRl); });
  REQUIRE(kills.size() > 20);
  size_t before_switch = 0;
  for (const auto& k : kills) {
    auto live = live_at(k.state);
    REQUIRE(live);
    Expect e;
    e.live = live;
    e.ever_live = {1};
    if (*live == 2) e.ever_live.insert(2);
    else ++before_switch;
    check_revival(k, e, kFwCt);
  }
  // Most of an apply happens before the switch; the kill points cover it.
  CHECK(before_switch > kills.size() / 2);
  CHECK(live_at(kills.back().state) == std::optional<uint64_t>(2));
}

TEST_CASE("killed during a third apply that removes a generation and links", "[kill]") {
  auto kills = kill_points(
      [](World& w) {
        w.apply(kGroupFwCt);
        w.apply(kGroupFw);
      },
      [](World& w) {
        core::ApplyOptions o;
        o.ifaces = {"veth0"};
        w.enf.apply(bundle(kFw), o);
      });
  for (const auto& k : kills) {
    auto live = live_at(k.state);
    REQUIRE(live);
    Expect e;
    e.live = live;
    e.ever_live = {1, 2};
    if (*live == 3) e.ever_live.insert(3);
    check_revival(k, e, kGroupFw);
  }
}

TEST_CASE("killed during a rollback", "[kill]") {
  auto kills = kill_points(
      [](World& w) {
        w.apply(kFwCt);
        w.apply(kFwRl);
      },
      [](World& w) { w.enf.rollback(); });
  for (const auto& k : kills) {
    auto live = live_at(k.state);
    REQUIRE(live);
    Expect e;
    e.live = live;
    e.ever_live = {1, 2};
    check_revival(k, e, kFw);
  }
  CHECK(live_at(kills.back().state) == std::optional<uint64_t>(1));
}

TEST_CASE("killed during a detach", "[kill]") {
  auto kills = kill_points(
      [](World& w) {
        w.apply(kGroupFwCt);
        w.apply(kGroupFw);
      },
      [](World& w) { w.enf.detach(); });
  bool stopped = false;
  for (const auto& k : kills) {
    auto live = live_at(k.state);
    // Once the selector says none, it stays none.
    if (stopped) CHECK_FALSE(live);
    stopped = stopped || !live;
    Expect e;
    e.live = live;
    e.ever_live = {1, 2};
    check_revival(k, e, kGroupFwCt);
  }
  CHECK(stopped);
}
