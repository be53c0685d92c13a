#include "compiler/backend/bundle_plan.h"

namespace sentinel::backend {

namespace {

constexpr const char* kMapTypes[] = {"array", "hash", "percpu_array", "percpu_hash", "lru_hash", "ringbuf", "prog_array"};
constexpr const char* kScopes[] = {"generation", "host"};
constexpr const char* kHooks[] = {"xdp", "tail_call", "tcx_ingress", "tcx_egress"};

template <class E, size_t N>
std::optional<E> by_name(const char* const (&names)[N], std::string_view s) {
  for (size_t i = 0; i < N; ++i)
    if (s == names[i]) return static_cast<E>(i);
  return std::nullopt;
}

}  // namespace

const char* to_string(MapType t) { return kMapTypes[static_cast<size_t>(t)]; }
const char* to_string(Scope s) { return kScopes[static_cast<size_t>(s)]; }
const char* to_string(Hook h) { return kHooks[static_cast<size_t>(h)]; }
std::optional<MapType> map_type_by_name(std::string_view s) { return by_name<MapType>(kMapTypes, s); }
std::optional<Scope> scope_by_name(std::string_view s) { return by_name<Scope>(kScopes, s); }
std::optional<Hook> hook_by_name(std::string_view s) { return by_name<Hook>(kHooks, s); }

const MapSpec* BundlePlan::map(std::string_view name) const {
  for (const auto& m : maps)
    if (m.name == name) return &m;
  return nullptr;
}

std::string variant_string(const std::string& templ, const std::vector<std::string>& defines) {
  std::string folder = templ.substr(0, templ.find('/'));
  std::string s = folder + ":";
  for (size_t i = 0; i < defines.size(); ++i) s += (i ? "," : "") + defines[i];
  return s;
}

std::string variant_string(const ObjectSpec& o) { return variant_string(o.templ, o.defines); }

nlohmann::json layout_json(const BundlePlan& p) {
  nlohmann::json objects = nlohmann::json::array();
  for (const auto& o : p.objects) {
    nlohmann::json progs = nlohmann::json::array();
    for (const auto& pr : o.programs) {
      nlohmann::json j = {{"name", pr.name}, {"hook", to_string(pr.hook)}};
      if (pr.hook == Hook::TailCall) j["slot"] = pr.slot;
      progs.push_back(j);
    }
    objects.push_back({{"part", o.part},
                       {"domain", std::string(domain_name(o.domain))},
                       {"template", o.templ},
                       {"variant", variant_string(o)},
                       {"defines", o.defines},
                       {"rodata", o.rodata},
                       {"maps", o.maps},
                       {"programs", progs}});
  }
  nlohmann::json maps = nlohmann::json::array();
  for (const auto& m : p.maps) {
    nlohmann::json j = {{"name", m.name},           {"type", to_string(m.type)},     {"key_size", m.key_size},
                        {"value_size", m.value_size}, {"max_entries", m.max_entries}, {"flags", m.flags},
                        {"scope", to_string(m.scope)}};
    if (!m.image.empty()) j["image"] = m.image;
    if (!m.ifaces.empty()) j["ifaces"] = m.ifaces;
    maps.push_back(j);
  }
  return {{"objects", objects},
          {"maps", maps},
          {"interfaces", p.interfaces},
          {"counters", {{"part", kCountersPart}, {"count", p.counter_keys.size()}}},
          {"policy_text", kPolicyPart},
          {"domains", p.domains}};
}

}  // namespace sentinel::backend
