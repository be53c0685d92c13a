#include "enforcer/cli/views.h"

#include <cstdio>
#include <ctime>

#include "compiler/domains/domain_id.h"

namespace sentinel::enforcer::cli {

namespace {

using nlohmann::json;
using Render = std::string (*)(const json&);
constexpr Render kRenderers[] = {
#define SN_DOMAIN(name) &render_##name,
#include "compiler/domains/domains.def"
#undef SN_DOMAIN
};

std::string when(uint64_t unix) {
  if (!unix) return "?";
  time_t t = static_cast<time_t>(unix);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
  return buf;
}

}  // namespace

std::string str(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return "-";
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

std::string row(const std::string& a, const std::string& b, uint64_t packets, uint64_t bytes) {
  char line[512];
  std::snprintf(line, sizeof line, "  %-24s %-10s %14llu %16llu\n", a.c_str(), b.c_str(),
                static_cast<unsigned long long>(packets), static_cast<unsigned long long>(bytes));
  return line;
}

std::string status_table(const json& s) {
  std::string out;
  if (!s.value("applied", false)) {
    out = "nothing applied in this network namespace\n";
  } else {
    out += "generation " + str(s, "generation") + " (bank " + str(s, "bank") + ", applied " +
           when(s.value("applied_unix", uint64_t{0})) + ")\n";
    out += "bundle sha256 " + str(s, "bundle_sha256") + "\n";
    out += "previous generation " + str(s, "previous") + "\n";
  }
  if (s.contains("interfaces") && !s["interfaces"].empty()) {
    out += "\ninterfaces:\n";
    for (const auto& i : s["interfaces"]) {
      std::string hooks;
      for (const auto& [h, v] : i["hooks"].items()) {
        hooks += " " + h;
        if (v.contains("mode")) hooks += "(" + v["mode"].get<std::string>() + ")";
      }
      std::string state = str(i, "state");
      if (state == "renamed") state = "renamed from " + str(i, "attached_name");
      out += "  " + str(i, "name") + " (index " + str(i, "ifindex") + ") " + state + ":" + hooks + "\n";
    }
  }
  if (s.contains("domains")) {
    for (size_t d = 0; d < kDomainCount; ++d) {
      std::string name(kDomainNames[d]);
      if (s["domains"].contains(name)) out += "\n" + kRenderers[d](s["domains"][name]);
    }
  }
  if (s.contains("rings") && !s["rings"].empty()) {
    out += "\nevents (skipped when a ring is over 75% full):\n";
    for (const auto& r : s["rings"])
      out += "  " + str(r, "ring") + " emitted " + str(r, "emitted") + " skipped " + str(r, "skipped") + "\n";
  }
  if (s.contains("dispatch") && s.value("applied", false)) {
    const auto& d = s["dispatch"];
    out += "\ndispatch: xdp " + str(d, "xdp") + ", tc ingress " + str(d, "tc_ingress_stamped") + " stamped (" +
           str(d, "tc_ingress_crossed") + " across a switch) " + str(d, "tc_ingress_unstamped") +
           " unstamped, tc egress " + str(d, "tc_egress") + "\n";
  }
  if (s.contains("problems") && !s["problems"].empty()) {
    out += "\nproblems:\n";
    for (const auto& p : s["problems"]) out += "  " + p.get<std::string>() + "\n";
  }
  return out;
}

}  // namespace sentinel::enforcer::cli
