#include <cstdio>

#include "enforcer/cli/views.h"

namespace sentinel::enforcer::cli {

std::string render_firewall(const nlohmann::json& fw) {
  std::string out = "firewall  default " + str(fw, "default") + "  mode " + str(fw, "mode") + "\n";
  char head[128];
  std::snprintf(head, sizeof head, "  %-24s %-10s %14s %16s\n", "RULE", "ACTION", "PACKETS", "BYTES");
  out += head;
  auto line = [&](const nlohmann::json& c) {
    out += row(str(c, "id"), c.contains("action") ? str(c, "action") : "", c.value("packets", uint64_t{0}),
               c.value("bytes", uint64_t{0}));
  };
  for (const auto& r : fw["rules"]) line(r);
  line(fw["default_rule"]);
  if (fw.contains("established")) line(fw["established"]);
  line(fw["malformed"]);
  if (fw.contains("retired") && !fw["retired"].empty()) {
    out += "  only in the previous generation:\n";
    for (const auto& r : fw["retired"]) line(r);
  }
  return out;
}

}  // namespace sentinel::enforcer::cli
