// Host state across generations (created once, reused, checked, kept on an
// upgrade, reclaimed when no kept generation counts it) and identity (the
// namespace by its cookie, interfaces by index with the name they had).
#include <set>

#include "fixture.h"

using namespace sentinel;
using namespace sentinel::enforcer;
using namespace sentinel::enforcer::test;
using nlohmann::json;

namespace {

size_t maps_named(const bpf::FakeKernel& k, const std::string& name) {
  size_t n = 0;
  for (const auto& [id, m] : k.maps) n += m.name == name;
  return n;
}

}  // namespace

TEST_CASE("host maps are created when missing and reused by later generations", "[state]") {
  World w;
  auto r1 = w.apply(kFw);
  CHECK(std::count(r1.state_created.begin(), r1.state_created.end(), SN_MAP_COUNTERS) == 1);
  int counters = w.k.pins.at(w.L().state(SN_MAP_COUNTERS));
  int events = w.k.pins.at(w.L().state(SN_FW_MAP_EVENTS));
  auto r2 = w.apply(kFwPort);
  CHECK(r2.state_created.empty());
  CHECK(w.k.pins.at(w.L().state(SN_MAP_COUNTERS)) == counters);
  CHECK(w.k.pins.at(w.L().state(SN_FW_MAP_EVENTS)) == events);
  // No second counters map was ever made; generation maps are made anew.
  CHECK(maps_named(w.k, SN_MAP_COUNTERS) == 1);
  CHECK(maps_named(w.k, SN_FW_MAP_RECS) == 2);
  CHECK(w.k.pins.at(w.L().gen(1, "map-" SN_FW_MAP_RECS)) != w.k.pins.at(w.L().gen(2, "map-" SN_FW_MAP_RECS)));
}

TEST_CASE("a pinned state map of the wrong shape is refused with a clear message", "[state]") {
  World w;
  // An older enforcer left a counters map of another shape.
  for (auto d : {std::string("/sys"), std::string("/sys/fs"), std::string("/sys/fs/bpf"), std::string(kRoot),
                 w.L().ns(), w.L().state()})
    w.k.dirs.insert(d);
  bpf::Fd old = w.k.create_array("sn_counters", 16, 1024);
  w.k.pin(old, w.L().state(SN_MAP_COUNTERS));
  auto pins = w.k.pins;
  try {
    w.apply(kFw);
    FAIL("apply took a counters map of the wrong shape");
  } catch (const core::Error& e) {
    std::string m = e.what();
    INFO(m);
    CHECK(e.step() == "state");
    CHECK(m.find("state map " SN_MAP_COUNTERS " is pinned as array key 4 value 16 entries 1024") != std::string::npos);
    CHECK(m.find("this bundle needs percpu_hash") != std::string::npos);
    CHECK(m.find("sentinel-enforcer detach") != std::string::npos);
  }
  CHECK(w.k.count_ops("load generation") == 0);
  CHECK(w.k.pins == pins);
  // What the message advises works.
  w.enf.detach();
  CHECK(w.apply(kFw).generation == 1);
}

TEST_CASE("a state map a bundle makes per generation is refused", "[state]") {
  World w;
  w.apply(kFw);
  // Someone pinned a generation-scoped map under state/.
  w.k.pin(w.k.get_pinned(w.L().gen(1, "map-" SN_FW_MAP_RULES)), w.L().state(SN_FW_MAP_RULES));
  CHECK_THROWS_WITH(w.apply(kFwPort), Catch::Contains("map " SN_FW_MAP_RULES " is pinned as state"));
  CHECK(w.enf.status()["generation"] == 1);
}

TEST_CASE("an upgrade that adds a domain adds its state and keeps the counters", "[state]") {
  World w;
  w.apply(kFw);
  w.bump("firewall", "ssh", 7);
  w.bump("firewall", "web", 3);
  int counters = w.k.pins.at(w.L().state(SN_MAP_COUNTERS));
  auto r = w.apply(kFwRl);
  CHECK(std::set<std::string>(r.state_created.begin(), r.state_created.end()) ==
        std::set<std::string>{SN_RL_MAP_BUCKETS, SN_RL_MAP_EVENTS, SN_RL_MAP_RINGSTAT});
  CHECK(w.k.pins.at(w.L().state(SN_MAP_COUNTERS)) == counters);
  CHECK(w.k.pinned(w.L().state(SN_RL_MAP_BUCKETS)));
  CHECK(r.counters_reclaimed == 0);
  json s = w.enf.status();
  INFO(s.dump(2));
  CHECK(fw_rule(s, "ssh")["packets"] == 7);
  CHECK(fw_rule(s, "web")["packets"] == 3);
  CHECK(s["domains"]["ratelimit"]["buckets"] == 0);
  // And the other way: a generation without rate limiting leaves its state
  // pinned for the one that comes back.
  w.apply(kFw);
  w.apply(kFw);
  CHECK(w.k.pinned(w.L().state(SN_RL_MAP_BUCKETS)));
  auto back = w.apply(kFwRl);
  CHECK(back.state_created.empty());
  CHECK(fw_rule(w.enf.status(), "ssh")["packets"] == 7);
}

TEST_CASE("counters of deleted rules are reclaimed once no kept generation has them", "[state]") {
  World w;
  w.apply(kFw);  // ssh, web
  w.bump("firewall", "ssh", 4);
  w.bump("firewall", "web", 9);
  // An unknown key, as a rule of a long-gone generation would leave.
  w.bump("firewall", "gone-long-ago", 1);

  auto r2 = w.apply(kFwNoWeb);  // ssh, dns; web stays for rollback
  CHECK(r2.counters_reclaimed == 1);
  CHECK_FALSE(w.has_counter("firewall", "gone-long-ago"));
  CHECK(w.has_counter("firewall", "web"));
  json s = w.enf.status();
  INFO(s.dump(2));
  REQUIRE(s["domains"]["firewall"]["retired"].size() == 1);
  CHECK(s["domains"]["firewall"]["retired"][0]["id"] == "web");
  CHECK(s["domains"]["firewall"]["retired"][0]["packets"] == 9);

  // Rolled back to, the rule's count is whole.
  w.enf.rollback();
  CHECK(fw_rule(w.enf.status(), "web")["packets"] == 9);
  w.enf.rollback();

  auto r3 = w.apply(kFwNoWeb);  // generation 1 goes, and with it web
  CHECK(r3.removed == std::vector<uint64_t>{1});
  CHECK(r3.counters_reclaimed == 1);
  CHECK_FALSE(w.has_counter("firewall", "web"));
  CHECK(w.has_counter("firewall", "ssh"));
  CHECK(fw_rule(w.enf.status(), "ssh")["packets"] == 4);
  CHECK(w.enf.status()["domains"]["firewall"]["retired"].empty());
}

TEST_CASE("state is keyed by the network namespace's cookie", "[identity]") {
  // One bpffs seen from two namespaces: the fake's cookie and interfaces
  // are switched to the namespace each enforcer works in.
  bpf::FakeKernel k;
  std::map<uint32_t, std::string> ns_a = {{1, "lo"}, {7, "veth0"}}, ns_b = {{1, "lo"}, {9, "veth0"}};
  k.cookie = 4096;
  k.interfaces = ns_a;
  core::Enforcer a(k, kRoot);
  k.cookie = 8192;
  k.interfaces = ns_b;
  core::Enforcer b(k, kRoot);
  CHECK(a.layout().ns() != b.layout().ns());

  auto in = [&](bool in_a) {
    k.cookie = in_a ? 4096 : 8192;
    k.interfaces = in_a ? ns_a : ns_b;
  };
  in(true);
  a.apply(bundle(kFw));
  a.apply(bundle(kFwPort));
  in(false);
  CHECK(b.status()["applied"] == false);
  CHECK_FALSE(b.live());
  CHECK_THROWS_WITH(b.rollback(), Catch::Contains("nothing is applied"));
  auto rb = b.apply(bundle(kFwRl));
  CHECK(rb.generation == 1);  // its own numbering
  CHECK(std::count(rb.state_created.begin(), rb.state_created.end(), SN_MAP_COUNTERS) == 1);
  CHECK(k.pins.at(a.layout().state(SN_MAP_COUNTERS)) != k.pins.at(b.layout().state(SN_MAP_COUNTERS)));
  json sb = b.status();
  CHECK(sb["generation"] == 1);
  CHECK(sb["interfaces"].size() == 1);
  CHECK(sb["interfaces"][0]["ifindex"] == 9);

  in(true);
  json sa = a.status();
  CHECK(sa["generation"] == 2);
  CHECK(sa["netns_cookie"] == 4096);
  CHECK_FALSE(sa["domains"].contains("ratelimit"));
  CHECK(sa["interfaces"].size() == 1);
  CHECK(sa["interfaces"][0]["ifindex"] == 7);
  // Detaching one leaves the other running.
  a.detach();
  in(false);
  CHECK(b.status()["applied"] == true);
  CHECK(b.live()->generation == 1);
  CHECK(b.status()["problems"].empty());
}

TEST_CASE("a renamed interface is reported, and an apply under its new name adopts it", "[identity]") {
  World w;
  w.apply(kFw);
  w.k.rename_interface(kVeth0, "wan0");
  json s = w.enf.status();
  INFO(s.dump(2));
  REQUIRE(s["interfaces"].size() == 1);
  auto i = s["interfaces"][0];
  CHECK(i["state"] == "renamed");
  CHECK(i["name"] == "wan0");
  CHECK(i["attached_name"] == "veth0");
  CHECK(i["ifindex"] == kVeth0);
  // The links follow the device; the policy's name no longer finds it.
  CHECK(w.view().links_on(kVeth0).size() == 1);
  CHECK_THROWS_WITH(w.apply(kFwPort), Catch::Contains("no interface veth0"));
  core::ApplyOptions o;
  o.ifaces = {"wan0"};
  auto r = w.apply(kFwPort, o);
  CHECK(r.links_created.empty());
  json after = w.enf.status();
  INFO(after.dump(2));
  CHECK(after["interfaces"][0]["state"] == "attached");
  CHECK(after["interfaces"][0]["attached_name"] == "wan0");
  CHECK(after["problems"].empty());
}

TEST_CASE("a deleted interface is reported, even when its index is taken again", "[identity]") {
  World w;
  w.apply(kFwCt);
  w.k.delete_interface(kVeth0);
  json s = w.enf.status();
  INFO(s.dump(2));
  REQUIRE(s["interfaces"].size() == 1);
  CHECK(s["interfaces"][0]["state"] == "gone");
  CHECK(s["interfaces"][0]["name"] == "veth0");
  REQUIRE(s["problems"].size() == 1);
  CHECK(s["problems"][0].get<std::string>().find("veth0") != std::string::npos);

  // Another device gets the index: still the links of the old one, gone.
  w.k.interfaces[kVeth0] = "dummy3";
  json t = w.enf.status();
  INFO(t.dump(2));
  CHECK(t["interfaces"][0]["state"] == "gone");
  CHECK(t["interfaces"][0]["name"] == "veth0");
  CHECK(t["interfaces"][0]["attached_name"] == "veth0");
  CHECK(t["problems"].size() == 1);

  // veth0 comes back under a new index: the next apply attaches there and
  // drops the dead links, which do nothing.
  w.k.interfaces[12] = "veth0";
  auto r = w.apply(kFwCt);
  CHECK(r.links_created.size() == 3);
  json u = w.enf.status();
  INFO(u.dump(2));
  REQUIRE(u["interfaces"].size() == 1);
  CHECK(u["interfaces"][0]["ifindex"] == 12);
  CHECK(u["interfaces"][0]["state"] == "attached");
  CHECK(u["problems"].empty());
  CHECK(w.view().links_on(kVeth0).empty());
}

TEST_CASE("rollback does not attach to a device that took a deleted interface's index", "[identity]") {
  World w;
  w.apply(kGroupFw);
  core::ApplyOptions o;
  o.ifaces = {"veth0"};
  w.apply(kFw, o);
  auto sel = w.view().selector();
  // veth1 goes; another device is created with its index.
  w.k.delete_interface(kVeth1);
  w.k.interfaces[kVeth1] = "other";
  CHECK_THROWS_WITH(w.enf.rollback(), Catch::Contains("veth1"));
  CHECK(w.view().selector()->generation == sel->generation);
  for (const auto& [id, l] : w.k.links) CHECK(l.ifindex != kVeth1);
}

TEST_CASE("a pinned record of another size is an error, never a write past a buffer", "[state]") {
  World w;
  w.apply(kFw);
  // Something replaced an interface's record with a map of bigger values.
  std::string meta;
  for (const auto& [path, id] : w.k.pins)
    if (path.rfind(w.L().links() + "/", 0) == 0 && path.size() > 5 && path.substr(path.size() - 5) == "/meta")
      meta = path;
  REQUIRE(!meta.empty());
  w.k.unpin(meta);
  w.k.pin(w.k.create_array("sn_iface", 4096, 1), meta);
  try {
    w.enf.status();
    FAIL("status read a record of the wrong size");
  } catch (const bpf::BpfError& e) {
    CHECK(std::string(e.what()).find("map meta") != std::string::npos);
  }
}
