// Apply, switch, rollback, detach and status on the fake kernel, with real
// bundles: what gets loaded, filled, pinned and attached, in which order,
// and that the switch is one write of the selector.
#include <unistd.h>

#include <algorithm>
#include <set>

#include "fixture.h"

using namespace sentinel;
using namespace sentinel::enforcer;
using namespace sentinel::enforcer::test;
using nlohmann::json;

namespace {

std::set<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

// Ops that change what runs or what is pinned.
bool changes_something(const std::string& op) {
  for (const char* p : {"load ", "pin ", "link_create", "link_update", "set_prog", "update_batch", "create_array"})
    if (op.rfind(p, 0) == 0) return true;
  return false;
}

}  // namespace

TEST_CASE("first apply of a firewall loads, fills, tests, pins, attaches, then switches", "[enforcer]") {
  World w;
  const auto& b = bundle(kFw);
  auto r = w.apply(kFw);
  auto v = w.view();
  CHECK(r.generation == 1);
  CHECK(r.bank == 0);
  CHECK_FALSE(r.previous);
  CHECK(r.interfaces == std::vector<std::string>{"veth0"});
  CHECK(r.links_created == std::vector<std::string>{"veth0 xdp"});
  CHECK(as_set(r.state_created) == std::set<std::string>{SN_MAP_COUNTERS, SN_FW_MAP_EVENTS, SN_FW_MAP_REJECT, SN_FW_MAP_RINGSTAT});
  CHECK(r.warnings.empty());

  // The selector names generation 1 in bank 0, whose XDP slot holds its program.
  auto sel = v.selector();
  REQUIRE(sel);
  CHECK(sel->bank == 0);
  CHECK(sel->generation == 1);
  CHECK(sel->prev_bank == SN_BANK_NONE);
  uint32_t fw_prog = v.gen_prog(1, SN_FW_PROG);
  REQUIRE(fw_prog != 0);
  CHECK(v.bank(0) == std::vector<uint32_t>{fw_prog, 0, 0});
  CHECK(w.k.progs.at(fw_prog).object == "generation 1 object firewall/program.o");
  // The link runs the dispatcher, not the generation.
  auto links = v.links_on(kVeth0);
  REQUIRE(links.size() == 1);
  CHECK(links.at(bpf::LinkKind::Xdp) == static_cast<int>(v.pinned_id(w.L().dispatch("prog-xdp"))));
  CHECK(v.links_on(kVeth1).empty());

  // Generation maps are pinned and filled from the bundle's images.
  const auto* keys = b.plan.map(SN_FW_MAP_RECS);
  REQUIRE(keys);
  auto& km = w.k.map_at(w.L().gen(1, "map-" SN_FW_MAP_RECS));
  CHECK(km.info.max_entries == keys->max_entries);
  CHECK(km.data.size() == keys->max_entries);
  CHECK(w.k.map_at(w.L().gen(1, "map-" SN_FW_MAP_RULES)).data.size() == 3);  // ssh, web, default
  CHECK(w.k.pinned(w.L().gen(1, "map-" SN_FW_MAP_NODES)));
  CHECK(w.k.pinned(w.L().gen(1, "map-" SN_MAP_CHAIN)));
  // Host maps under state/, not in the generation.
  CHECK(w.k.pinned(w.L().state(SN_MAP_COUNTERS)));
  CHECK_FALSE(w.k.pinned(w.L().gen(1, "map-" SN_MAP_COUNTERS)));
  // Counters are made by the programs on a rule's first packet, not by apply.
  CHECK(w.k.map_at(w.L().state(SN_MAP_COUNTERS)).data.empty());

  // The order: load and fill, smoke test, pin, attach, bank, switch.
  size_t load = v.op_index("load generation 1 object firewall/program.o");
  size_t fill = v.op_index("update_batch " SN_FW_MAP_RECS);
  size_t smoke = v.first_op("test_run");
  size_t pin = v.op_index("pin " + w.L().gen(1, "prog-" SN_FW_PROG));
  size_t meta = v.op_index("pin " + w.L().gen(1, "meta"));
  size_t attach = v.op_index("link_create xdp 7");
  size_t bank = v.op_index("set_prog " SN_MAP_DISPATCH_XDP " 0");
  size_t sw = v.last_op("update_batch " SN_MAP_SELECTOR);
  CHECK(v.op_index("lock " + std::string(kRoot)) < load);
  CHECK(load < fill);
  CHECK(fill < smoke);
  CHECK(smoke < pin);
  CHECK(pin < meta);
  CHECK(meta < attach);
  CHECK(attach < bank);
  CHECK(bank < sw);

  // live() and the policy text it keeps.
  auto live = w.enf.live();
  REQUIRE(live);
  CHECK(live->generation == 1);
  CHECK(live->policy_text == pir::print(b.policy));
}

TEST_CASE("status of a live firewall", "[enforcer]") {
  World w;
  const auto& b = bundle(kFw);
  json before = w.enf.status();
  CHECK(before["applied"] == false);
  CHECK(before["problems"].empty());
  CHECK(before["netns_cookie"] == w.k.cookie);

  w.apply(kFw);
  w.bump("firewall", "ssh", 5);
  w.bump("firewall", "default", 2);
  json s = w.enf.status();
  INFO(s.dump(2));
  CHECK(s["applied"] == true);
  CHECK(s["generation"] == 1);
  CHECK(s["bank"] == 0);
  CHECK(s["previous"].is_null());
  CHECK(s["bundle_sha256"] == b.sha256);
  CHECK(s["problems"].empty());
  REQUIRE(s["generations"].size() == 1);
  CHECK(s["generations"][0]["number"] == 1);
  CHECK(s["generations"][0]["complete"] == true);
  CHECK(s["generations"][0]["live"] == true);
  REQUIRE(s["interfaces"].size() == 1);
  const auto& i = s["interfaces"][0];
  CHECK(i["ifindex"] == kVeth0);
  CHECK(i["name"] == "veth0");
  CHECK(i["state"] == "attached");
  CHECK(i["live"] == true);
  CHECK(i["hooks"]["xdp"]["mode"] == "native");
  CHECK(i["hooks"]["xdp"]["prog_id"] == w.view().pinned_id(w.L().dispatch("prog-xdp")));
  CHECK_FALSE(i["hooks"].contains("tcx_ingress"));
  const auto& fw = s["domains"]["firewall"];
  CHECK(fw["default"] == "deny");
  REQUIRE(fw["rules"].size() == 2);
  CHECK(fw["rules"][0]["id"] == "ssh");
  CHECK(fw["rules"][0]["packets"] == 5);
  CHECK(fw["rules"][0]["bytes"] == 500);
  CHECK(fw["rules"][1]["id"] == "web");
  CHECK(fw["rules"][1]["packets"] == 0);
  CHECK(fw["default_rule"]["packets"] == 2);
  CHECK(fw["retired"].empty());
  CHECK_FALSE(s["domains"].contains("ratelimit"));
}

TEST_CASE("a second apply switches with one selector write after everything else", "[enforcer]") {
  World w;
  w.apply(kFw);
  auto v = w.view();
  uint32_t old_fw = v.gen_prog(1, SN_FW_PROG);
  auto old_sel = v.selector();
  REQUIRE(old_sel);
  w.k.ops.clear();

  // Up to the last step before the switch, traffic still sees generation 1.
  std::vector<std::string> steps;
  core::ApplyOptions o;
  o.after_step = [&](const std::string& step) {
    steps.push_back(step);
    auto s = v.selector();
    REQUIRE(s);
    CHECK(s->generation == 1);
    CHECK(s->bank == 0);
    CHECK(v.bank(0) == std::vector<uint32_t>{old_fw, 0, 0});
  };
  auto r = w.apply(kFwRl, o);
  CHECK(steps == std::vector<std::string>{"dispatch", "load", "smoke test", "pin", "attach", "bank"});
  CHECK(r.generation == 2);
  CHECK(r.bank == 1);
  CHECK(r.previous == std::optional<uint64_t>(1));
  CHECK(r.links_created.empty());
  CHECK(as_set(r.state_created) ==
        std::set<std::string>{SN_RL_MAP_BUCKETS, SN_RL_MAP_EVENTS, SN_RL_MAP_RINGSTAT});

  // Exactly one write of the selector, and it comes after every load, fill,
  // smoke test, pin, attach and bank slot of the new generation.
  CHECK(w.k.count_ops("update_batch " SN_MAP_SELECTOR) == 1);
  size_t sw = v.op_index("update_batch " SN_MAP_SELECTOR);
  for (size_t i = 0; i < w.k.ops.size(); ++i) {
    INFO(w.k.ops[i]);
    if (i <= sw) continue;
    CHECK_FALSE(changes_something(w.k.ops[i]));
  }
  CHECK(v.last_op("load ") < sw);
  CHECK(v.last_op("test_run") < sw);
  CHECK(v.last_op("pin ") < sw);
  CHECK(v.last_op("set_prog") < sw);

  // The new selector, with the old generation kept for rollback.
  auto sel = v.selector();
  REQUIRE(sel);
  CHECK(sel->bank == 1);
  CHECK(sel->generation == 2);
  CHECK(sel->prev_bank == 0);
  CHECK(sel->prev_generation == 1);
  uint32_t fw2 = v.gen_prog(2, SN_FW_PROG), rl2 = v.gen_prog(2, SN_RL_PROG);
  REQUIRE(fw2 != 0);
  REQUIRE(rl2 != 0);
  CHECK(fw2 != old_fw);
  CHECK(v.bank(1) == std::vector<uint32_t>{fw2, 0, 0});
  CHECK(v.bank(0) == std::vector<uint32_t>{old_fw, 0, 0});
  // The XDP chain: rate limiting in slot 1 of the generation's own array.
  CHECK(v.slot(w.L().gen(2, "map-" SN_MAP_CHAIN), 1) == rl2);
  CHECK(v.slot(w.L().gen(2, "map-" SN_MAP_CHAIN), 0) == 0);
  // The link was not touched.
  CHECK(w.k.count_ops("link_") == 0);
  json s = w.enf.status();
  CHECK(s["generation"] == 2);
  CHECK(s["previous"] == 1);
  CHECK(s["domains"].contains("ratelimit"));
  CHECK(s["domains"]["ratelimit"]["rules"][0]["id"] == "ssh-flood");
  CHECK(s["problems"].empty());
}

TEST_CASE("a data change loads the same objects with new maps", "[enforcer]") {
  World w;
  w.apply(kFw);
  auto r = w.apply(kFwPort);
  CHECK(r.generation == 2);
  // The bundles differ in map images only.
  CHECK(bundle(kFw).objects == bundle(kFwPort).objects);
  CHECK(bundle(kFw).plan.parts.at("firewall/recs.img") != bundle(kFwPort).plan.parts.at("firewall/recs.img"));
  CHECK(w.k.map_at(w.L().gen(1, "map-" SN_FW_MAP_RECS)).data != w.k.map_at(w.L().gen(2, "map-" SN_FW_MAP_RECS)).data);
  CHECK(w.enf.live()->policy_text.find("2222") != std::string::npos);
}

TEST_CASE("firewall with ct and conntrack runs at XDP, TCX ingress and TCX egress", "[enforcer]") {
  World w;
  auto r = w.apply(kFwCt);
  auto v = w.view();
  CHECK(as_set(r.links_created) == std::set<std::string>{"veth0 xdp", "veth0 tcx_ingress", "veth0 tcx_egress"});
  CHECK(std::count(r.state_created.begin(), r.state_created.end(), SN_CT_MAP) == 1);
  uint32_t fw = v.gen_prog(1, SN_FW_PROG), in = v.gen_prog(1, SN_CT_PROG_INGRESS), out = v.gen_prog(1, SN_CT_PROG_EGRESS);
  REQUIRE(fw * in * out != 0);
  CHECK(v.bank(0) == std::vector<uint32_t>{fw, in, out});
  auto links = v.links_on(kVeth0);
  CHECK(links.size() == 3);
  CHECK(links[bpf::LinkKind::TcxIngress] == static_cast<int>(v.pinned_id(w.L().dispatch("prog-tc_in"))));
  CHECK(links[bpf::LinkKind::TcxEgress] == static_cast<int>(v.pinned_id(w.L().dispatch("prog-tc_out"))));
  // The smoke test ran the TC programs too.
  CHECK(w.k.count_ops("test_run_tc") == 2);
  json s = w.enf.status();
  INFO(s.dump(2));
  CHECK(s["interfaces"][0]["hooks"].contains("tcx_ingress"));
  CHECK(s["interfaces"][0]["hooks"].contains("tcx_egress"));
  CHECK(s["domains"]["conntrack"]["established"] == "allow");
  CHECK(s["domains"]["conntrack"]["flows"] == 0);
  CHECK(s["domains"]["firewall"].contains("established"));

  // A firewall-only generation after it: the TC slots of its bank are empty
  // (they pass), and the TC links stay while the previous generation needs them.
  w.apply(kFw);
  CHECK(v.bank(1) == std::vector<uint32_t>{v.gen_prog(2, SN_FW_PROG), 0, 0});
  CHECK(v.links_on(kVeth0).size() == 3);
  // Once no kept generation has TC programs, the TC links go.
  w.apply(kFw);
  CHECK(v.links_on(kVeth0).size() == 1);
  CHECK_FALSE(w.k.pinned(w.L().link(kVeth0, "tcx_ingress")));
  CHECK(w.enf.status()["problems"].empty());
}

TEST_CASE("an interface group gets links on each of its interfaces", "[enforcer]") {
  World w;
  auto r = w.apply(kGroupFwCt);
  auto v = w.view();
  CHECK(r.interfaces == std::vector<std::string>{"veth0", "veth1"});
  CHECK(r.links_created.size() == 6);
  CHECK(v.links_on(kVeth0).size() == 3);
  CHECK(v.links_on(kVeth1).size() == 3);
  CHECK(v.links_on(kLo).empty());
  json s = w.enf.status();
  REQUIRE(s["interfaces"].size() == 2);
  std::set<std::string> names;
  for (const auto& i : s["interfaces"]) {
    names.insert(i["name"].get<std::string>());
    CHECK(i["state"] == "attached");
    CHECK(i["live"] == true);
  }
  CHECK(names == std::set<std::string>{"veth0", "veth1"});
  // --iface narrows the group.
  World n;
  core::ApplyOptions o;
  o.ifaces = {"veth1"};
  n.apply(kGroupFw, o);
  CHECK(n.view().links_on(kVeth0).empty());
  CHECK(n.view().links_on(kVeth1).size() == 1);
}

TEST_CASE("interfaces that are not there are refused before anything is loaded", "[enforcer]") {
  World w;
  w.k.interfaces.erase(kVeth1);
  CHECK_THROWS_WITH(w.apply(kGroupFw), Catch::Contains("no interface veth1"));
  CHECK(w.k.count_ops("load ") == 0);
  CHECK(w.k.pins.empty());
  core::ApplyOptions o;
  o.ifaces = {"a-name-much-too-long-for-linux"};
  CHECK_THROWS_WITH(w.apply(kFw, o), Catch::Contains("interface name too long"));
}

TEST_CASE("rollback returns to the previous generation, and twice goes back", "[enforcer]") {
  World w;
  auto v = w.view();
  CHECK_THROWS_WITH(w.enf.rollback(), Catch::Contains("nothing is applied"));
  w.apply(kFw);
  CHECK_THROWS_WITH(w.enf.rollback(), Catch::Contains("no previous generation"));
  w.apply(kFwRl);
  auto b1 = v.bank(0), b2 = v.bank(1);
  w.k.ops.clear();

  auto r = w.enf.rollback();
  CHECK(r.from == 2);
  CHECK(r.to == 1);
  // One write of the selector and nothing loaded: the banks were ready.
  CHECK(w.k.count_ops("update_batch " SN_MAP_SELECTOR) == 1);
  CHECK(w.k.count_ops("load ") == 0);
  CHECK(w.k.count_ops("set_prog") == 0);
  auto sel = v.selector();
  REQUIRE(sel);
  CHECK(sel->bank == 0);
  CHECK(sel->generation == 1);
  CHECK(sel->prev_bank == 1);
  CHECK(sel->prev_generation == 2);
  CHECK(v.bank(0) == b1);
  CHECK(v.bank(1) == b2);
  CHECK(w.enf.live()->generation == 1);
  json s = w.enf.status();
  CHECK(s["generation"] == 1);
  CHECK(s["previous"] == 2);
  CHECK_FALSE(s["domains"].contains("ratelimit"));

  auto back = w.enf.rollback();
  CHECK(back.from == 1);
  CHECK(back.to == 2);
  CHECK(w.enf.live()->generation == 2);
  CHECK(w.enf.status()["domains"].contains("ratelimit"));

  // An apply after a rollback keeps the live one and drops the other.
  w.enf.rollback();  // live 1, previous 2
  auto r3 = w.apply(kFwPort);
  CHECK(r3.generation == 3);
  CHECK(r3.previous == std::optional<uint64_t>(1));
  CHECK(r3.removed == std::vector<uint64_t>{2});
  CHECK(v.selector()->prev_generation == 1);
  // The dropped generation's bank is empty again.
  CHECK(v.bank(1) == std::vector<uint32_t>{0, 0, 0});
  CHECK(v.bank(r3.bank) == v.entries_of(3, bundle(kFwPort)));
}

TEST_CASE("rollback brings back links the previous generation needs", "[enforcer]") {
  World w;
  w.apply(kGroupFw);
  core::ApplyOptions o;
  o.ifaces = {"veth0"};
  w.apply(kFw, o);
  // veth1's link stays for rollback.
  CHECK(w.view().links_on(kVeth1).size() == 1);
  auto r = w.enf.rollback();
  CHECK(r.to == 1);
  CHECK(w.view().links_on(kVeth1).size() == 1);
  CHECK(w.enf.status()["problems"].empty());
}

TEST_CASE("only the live and the previous generation are kept", "[enforcer]") {
  World w;
  auto v = w.view();
  w.apply(kFw);
  w.apply(kFwPort);
  auto r = w.apply(kFwRl);
  CHECK(r.generation == 3);
  CHECK(r.removed == std::vector<uint64_t>{1});
  CHECK(w.k.list_dir(w.L().gens()) == std::vector<std::string>{"2", "3"});
  // Generation 1 still held bank 0 when generation 3 took one; its bank
  // is emptied once it is removed.
  CHECK(r.bank == 2);
  CHECK(v.bank(2) == v.entries_of(3, bundle(kFwRl)));
  CHECK(v.bank(1) == v.entries_of(2, bundle(kFwPort)));
  CHECK(v.bank(0) == std::vector<uint32_t>{0, 0, 0});
  // Generation numbers never repeat, even after a rollback.
  w.enf.rollback();
  CHECK(w.apply(kFw).generation == 4);
}

TEST_CASE("detach puts the selector to none first, then removes everything", "[enforcer]") {
  World w;
  w.apply(kGroupFwCt);
  w.apply(kGroupFw);
  w.k.ops.clear();
  auto r = w.enf.detach();
  CHECK(r.was_applied);
  CHECK(r.generations == 2);
  CHECK(std::set<std::string>(r.interfaces.begin(), r.interfaces.end()) == std::set<std::string>{"veth0", "veth1"});
  // Everything passes from the first change on.
  size_t first_change = w.k.ops.size();
  for (size_t i = 0; i < w.k.ops.size(); ++i)
    if (w.k.ops[i].rfind("lock ", 0) != 0 && w.k.ops[i].rfind("make_dir ", 0) != 0) {
      first_change = i;
      break;
    }
  REQUIRE(first_change < w.k.ops.size());
  CHECK(w.k.ops[first_change] == "update_batch " SN_MAP_SELECTOR);
  CHECK(w.k.pins.empty());
  CHECK(w.k.links.empty());
  CHECK(w.k.list_dir(kRoot).empty());
  json s = w.enf.status();
  CHECK(s["applied"] == false);
  CHECK(s["problems"].empty());
  CHECK(s["interfaces"].empty());
  CHECK_FALSE(w.enf.live());
  CHECK_THROWS_WITH(w.enf.rollback(), Catch::Contains("nothing is applied"));
  // Detach twice is fine; a fresh apply starts over.
  CHECK_FALSE(w.enf.detach().was_applied);
  auto again = w.apply(kFw);
  CHECK(again.generation == 1);
  CHECK(w.enf.status()["problems"].empty());
}

TEST_CASE("a concurrent dispatcher swap makes the link compare-and-swap fail", "[enforcer]") {
  World w;
  w.apply(kFw);
  // Another enforcer replaced the dispatcher programs: their pins now name
  // different programs than the links run, so ensure_links updates them by
  // compare-and-swap, and loses the race.
  auto intruder = w.k.load(bpf::LoadSpec{"intruder", {reinterpret_cast<const uint8_t*>(core::dispatcher_object().data()),
                                                      core::dispatcher_object().size()},
                                         {SN_PROG_DISPATCH_XDP}, {}, {}, {}});
  w.k.unpin(w.L().dispatch("prog-xdp"));
  w.k.pin(intruder.progs.at(SN_PROG_DISPATCH_XDP), w.L().dispatch("prog-xdp"));
  int link = w.k.pins.at(w.L().link(kVeth0, "xdp"));
  w.k.before_link_update = [&] { w.k.links.at(link).prog = 4242; };
  auto sel = w.view().selector();
  CHECK_THROWS_WITH(w.apply(kFwPort), Catch::Contains("no longer runs the expected program"));
  CHECK(w.view().selector()->generation == sel->generation);
  CHECK(w.k.list_dir(w.L().gens()) == std::vector<std::string>{"1"});
}

TEST_CASE("an object that is not what the manifest says is refused before anything loads", "[enforcer]") {
  World w;
  const auto& fw = bundle(kFw);
  const auto& rl = bundle(kFwRl);
  // The rate limiter's object where the firewall's should be.
  auto swapped = core::bundle_of(fw.policy, {{"firewall/program.o", rl.objects.at("ratelimit/program.o")}});
  try {
    w.enf.apply(swapped);
    FAIL("apply took the wrong object");
  } catch (const core::Error& e) {
    CHECK(e.step() == "check");
    CHECK(std::string(e.what()) == "check: firewall/program.o has no program " SN_FW_PROG);
  }
  auto missing = core::bundle_of(fw.policy, {});
  CHECK_THROWS_WITH(w.enf.apply(missing), Catch::Contains("the bundle has no object firewall/program.o"));
  CHECK(w.k.count_ops("load generation") == 0);
  CHECK(w.k.pins.empty());
}

TEST_CASE("bundle files are verified before anything else", "[enforcer]") {
  char tmpl[] = "/tmp/sn-bundle-XXXXXX";
  int fd = ::mkstemp(tmpl);
  REQUIRE(fd >= 0);
  const std::string& bytes = bundle_bytes(kFwCt);
  REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  ::close(fd);
  auto b = core::read_bundle_file(tmpl);
  CHECK(b.sha256 == bundle(kFwCt).sha256);
  CHECK(b.plan.objects.size() == 2);
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 1;
  CHECK_THROWS_WITH(core::parse_bundle(flipped), Catch::StartsWith("verify: "));
  try {
    core::read_bundle_file("/dev/zero");
    FAIL("read /dev/zero as a bundle");
  } catch (const core::Error& e) {
    CHECK(e.step() == "verify");
    CHECK(std::string(e.what()).find("bad magic") != std::string::npos);
  }
  ::unlink(tmpl);
}
