// What a bundle holds, before any BPF object is compiled: the objects (which
// template, which variant, which programs at which hooks), every map with
// its shape and scope, and every data part (map images, rodata, the policy
// text, the counter keys). Pure C++ without LLVM: the compiler writes the
// bundle from it, and the enforcer derives it again from the bundle's
// policy.pir to check that every part agrees with the others.
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "compiler/domains/domain_id.h"
#include "compiler/pir/pir.h"

namespace sentinel::backend {

enum class MapType : uint8_t { Array, Hash, PercpuArray, PercpuHash, LruHash, Ringbuf, ProgArray };
// generation: created with each generation; host: one per network
// namespace, shared by every generation (state that outlives swaps).
enum class Scope : uint8_t { Generation, Host };
// xdp: the XDP entry; tail_call: a slot of the generation's XDP chain
// (sn_xdp_chain); tcx_ingress, tcx_egress: TC through TCX links.
enum class Hook : uint8_t { Xdp, TailCall, TcxIngress, TcxEgress };

const char* to_string(MapType t);
const char* to_string(Scope s);
const char* to_string(Hook h);
std::optional<MapType> map_type_by_name(std::string_view s);
std::optional<Scope> scope_by_name(std::string_view s);
std::optional<Hook> hook_by_name(std::string_view s);

struct MapSpec {
  std::string name;
  MapType type = MapType::Array;
  uint32_t key_size = 0, value_size = 0, max_entries = 0, flags = 0;
  Scope scope = Scope::Generation;
  std::string image;  // the part holding its contents, or empty
  // An interface map the enforcer fills as it attaches: key the ifindex of
  // ifaces[i] (when attached), value bit i (classify.h: interface slots).
  std::vector<std::string> ifaces;
  bool operator==(const MapSpec&) const = default;
};

struct ProgramSpec {
  std::string name;
  Hook hook = Hook::Xdp;
  uint32_t slot = 0;  // Hook::TailCall: the chain slot
  bool operator==(const ProgramSpec&) const = default;
};

struct ObjectSpec {
  std::string part;       // "firewall/program.o"
  DomainId domain{};
  std::string templ;      // "xdp_firewall/xdp_firewall.bpf.c", relative to bpf-templates/
  std::vector<std::string> defines;  // sorted
  std::map<std::string, std::string> rodata;  // section -> part
  std::vector<ProgramSpec> programs;
  std::vector<std::string> maps;  // the maps it declares, sorted (besides its own rodata)
  bool operator==(const ObjectSpec&) const = default;
};

struct BundlePlan {
  std::vector<ObjectSpec> objects;  // in load order
  std::vector<MapSpec> maps;        // sorted by name
  std::map<std::string, std::string> parts;  // every part but objects and the manifest
  std::vector<std::string> interfaces;
  std::vector<uint64_t> counter_keys;  // sorted, unique
  nlohmann::json domains = nlohmann::json::object();  // per-domain summary
  const MapSpec* map(std::string_view name) const;
};

// Throws lower::LowerError when the policy does not fit the ABI's limits.
BundlePlan plan_bundle(const pir::Policy& policy);

// "xdp_firewall:SN_FW_CT,SN_FW_IPV6": what the object carries in
// .rodata.snvariant, compiled in by -DSN_VARIANT.
std::string variant_string(const ObjectSpec& o);
std::string variant_string(const std::string& templ, const std::vector<std::string>& defines);

// The manifest's description of the bundle's layout (objects, maps,
// interfaces, counters, policy text, domains); the enforcer compares it with
// the one it derives.
nlohmann::json layout_json(const BundlePlan& p);

// Part names the layout uses.
inline constexpr const char* kPolicyPart = "policy.pir";
inline constexpr const char* kCountersPart = "counters.keys";

}  // namespace sentinel::backend
