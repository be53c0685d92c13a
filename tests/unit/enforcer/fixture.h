// Real bundles compiled from small policies, a fake kernel with a few
// interfaces, and raw readers of what the fake holds: the tests look at the
// selector, the banks and the pins directly rather than through the core
// code under test.
#pragma once
#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/backend/build.h"
#include "compiler/dplan/classifier.h"
#include "enforcer/bpf/fake_kernel.h"
#include "enforcer/core/bundle.h"
#include "enforcer/core/enforcer.h"
#include "enforcer/core/error.h"
#include "tests/support/policy_text.h"

extern "C" {
#include "sentinel/abi/common.h"
#include "sentinel/abi/conntrack.h"
#include "sentinel/abi/dispatch.h"
#include "sentinel/abi/firewall.h"
#include "sentinel/abi/ratelimit.h"
}

namespace sentinel::enforcer::test {

inline const char* kRoot = "/sys/fs/bpf/unit";
inline constexpr uint32_t kLo = 1, kVeth0 = 7, kVeth1 = 8;

// Firewall only, on veth0.
inline const std::string kFw = R"(
set lan: iface = { veth0 }
firewall on @lan {
    default deny
    rule ssh allow tcp to any port 22
    rule web allow tcp to any port { 80, 443 }
}
)";
// The same with ssh on another port: a data change.
inline const std::string kFwPort = R"(
set lan: iface = { veth0 }
firewall on @lan {
    default deny
    rule ssh allow tcp to any port 2222
    rule web allow tcp to any port { 80, 443 }
}
)";
// web deleted, dns added.
inline const std::string kFwNoWeb = R"(
set lan: iface = { veth0 }
firewall on @lan {
    default deny
    rule ssh allow tcp to any port 22
    rule dns allow udp to any port 53
}
)";
// Firewall and rate limiting: the XDP entry and one tail-call slot.
inline const std::string kFwRl = R"(
set lan: iface = { veth0 }
firewall on @lan {
    default deny
    rule ssh allow tcp to any port 22
    rule web allow tcp to any port { 80, 443 }
}
ratelimit on @lan {
    rule ssh-flood drop tcp to any port 22 rate 5/m burst 5
}
)";
// Firewall with `ct` and conntrack: XDP, TCX ingress and TCX egress.
inline const std::string kFwCt = R"(
set lan: iface = { veth0 }
firewall on @lan {
    default deny
    rule ssh allow tcp to any port 22 ct new
}
conntrack {
    established allow
}
)";
// The same two shapes on a group of two interfaces.
inline const std::string kGroupFw = R"(
set edge: iface = { veth0, veth1 }
firewall on @edge {
    default deny
    rule ssh allow tcp to any port 22
}
)";
inline const std::string kGroupFwCt = R"(
set edge: iface = { veth0, veth1 }
firewall on @edge {
    default deny
    rule ssh allow tcp to any port 22 ct new
}
conntrack {
    established allow
}
)";

// The bundle file of a policy, built by the real back end (once per text:
// compiling BPF takes a while).
inline const std::string& bundle_bytes(const std::string& text) {
  static std::map<std::string, std::string> cache;
  if (auto it = cache.find(text); it != cache.end()) return it->second;
  std::string err;
  auto bytes = backend::build_bundle(testing::policy_from_text(text), {}, &err);
  INFO(err);
  REQUIRE(bytes.has_value());
  return cache[text] = std::move(*bytes);
}

// The bundle as apply takes it: read and verified like a file.
inline const core::Bundle& bundle(const std::string& text) {
  static std::map<std::string, std::unique_ptr<core::Bundle>> cache;
  auto& slot = cache[text];
  if (!slot) slot = std::make_unique<core::Bundle>(core::parse_bundle(bundle_bytes(text)));
  return *slot;
}

inline std::vector<uint8_t> key_bytes(uint32_t i) {
  std::vector<uint8_t> k(4);
  std::memcpy(k.data(), &i, 4);
  return k;
}

// Raw views of the fake's contents, by the layout's paths.
struct View {
  const bpf::FakeKernel& k;
  core::Layout L;

  std::optional<sn_selector> selector() const {
    auto p = k.pins.find(L.dispatch(SN_MAP_SELECTOR));
    if (p == k.pins.end()) return std::nullopt;
    const auto& data = k.maps.at(p->second).data;
    auto v = data.find(key_bytes(0));
    if (v == data.end()) return std::nullopt;
    sn_selector s;
    std::memcpy(&s, v->second.data(), sizeof s);
    return s;
  }
  // The program id in a slot of a pinned prog array (0: empty).
  uint32_t slot(const std::string& path, uint32_t index) const {
    auto p = k.pins.find(path);
    if (p == k.pins.end()) return 0;
    const auto& data = k.maps.at(p->second).data;
    auto v = data.find(key_bytes(index));
    if (v == data.end()) return 0;
    uint32_t id;
    std::memcpy(&id, v->second.data(), 4);
    return id;
  }
  // A bank's slots: xdp, tcx ingress, tcx egress.
  std::vector<uint32_t> bank(uint32_t b) const {
    return {slot(L.dispatch(SN_MAP_DISPATCH_XDP), b), slot(L.dispatch(SN_MAP_DISPATCH_TC), b * 2 + SN_TC_INGRESS),
            slot(L.dispatch(SN_MAP_DISPATCH_TC), b * 2 + SN_TC_EGRESS)};
  }
  uint32_t pinned_id(const std::string& path) const {
    auto p = k.pins.find(path);
    return p == k.pins.end() ? 0 : static_cast<uint32_t>(p->second);
  }
  uint32_t gen_prog(uint64_t n, const std::string& prog) const { return pinned_id(L.gen(n, "prog-" + prog)); }
  // What a generation's bank must hold: its entry programs at their hooks.
  std::vector<uint32_t> entries_of(uint64_t n, const core::Bundle& b) const {
    std::vector<uint32_t> out(3, 0);
    for (const auto& o : b.plan.objects)
      for (const auto& p : o.programs) {
        int i = p.hook == backend::Hook::Xdp          ? 0
                : p.hook == backend::Hook::TcxIngress ? 1
                : p.hook == backend::Hook::TcxEgress  ? 2
                                                      : -1;
        if (i >= 0) out[i] = gen_prog(n, p.name);
      }
    return out;
  }
  // The links the fake has on an interface, by kind.
  std::map<bpf::LinkKind, int> links_on(uint32_t ifindex) const {
    std::map<bpf::LinkKind, int> out;
    for (const auto& [id, l] : k.links)
      if (l.ifindex == ifindex) out[l.kind] = l.prog;
    return out;
  }
  size_t op_index(const std::string& op) const {
    for (size_t i = 0; i < k.ops.size(); ++i)
      if (k.ops[i] == op) return i;
    FAIL("no op " << op);
    return 0;
  }
  // Index of the first and last op starting with `prefix`; npos when none.
  size_t first_op(const std::string& prefix) const {
    for (size_t i = 0; i < k.ops.size(); ++i)
      if (k.ops[i].rfind(prefix, 0) == 0) return i;
    return std::string::npos;
  }
  size_t last_op(const std::string& prefix) const {
    size_t last = std::string::npos;
    for (size_t i = 0; i < k.ops.size(); ++i)
      if (k.ops[i].rfind(prefix, 0) == 0) last = i;
    return last;
  }
};

// A namespace with lo, veth0 and veth1, and an enforcer on the fake.
struct World {
  bpf::FakeKernel k;
  core::Enforcer enf;
  World() : enf(k, kRoot) { k.interfaces = {{kLo, "lo"}, {kVeth0, "veth0"}, {kVeth1, "veth1"}}; }
  View view() const { return View{k, enf.layout()}; }
  const core::Layout& L() const { return enf.layout(); }

  core::ApplyResult apply(const std::string& text, const core::ApplyOptions& o = {}) {
    return enf.apply(bundle(text), o);
  }
  // A counter in the shared map, as the programs leave it: one slot per CPU.
  void bump(const std::string& domain, const std::string& id, uint64_t packets) {
    auto& m = k.map_at(L().state(SN_MAP_COUNTERS));
    uint64_t key = dplan::counter_key(domain, id);
    std::vector<uint8_t> kb(8);
    std::memcpy(kb.data(), &key, 8);
    std::vector<uint8_t> v(k.value_bytes(m.info), 0);
    sn_counter c{packets, packets * 100};
    std::memcpy(v.data(), &c, sizeof c);
    m.data[kb] = v;
  }
  bool has_counter(const std::string& domain, const std::string& id) {
    auto& m = k.map_at(L().state(SN_MAP_COUNTERS));
    uint64_t key = dplan::counter_key(domain, id);
    std::vector<uint8_t> kb(8);
    std::memcpy(kb.data(), &key, 8);
    return m.data.count(kb) > 0;
  }
};

// A rule's entry in status().domains.firewall (live rules, then retired).
inline nlohmann::json fw_rule(const nlohmann::json& status, const std::string& id) {
  for (const char* list : {"rules", "retired"})
    for (const auto& r : status["domains"]["firewall"][list])
      if (r["id"] == id) return r;
  return nullptr;
}

}  // namespace sentinel::enforcer::test
