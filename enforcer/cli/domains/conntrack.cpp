#include "enforcer/cli/views.h"

namespace sentinel::enforcer::cli {

std::string render_conntrack(const nlohmann::json& ct) {
  std::string out = "conntrack  established " + str(ct, "established") + "  flows " + str(ct, "flows") + " of " +
                    str(ct, "capacity") + "  created " + str(ct, "created") + "\n";
  if (ct.contains("by_state"))
    for (const auto& [state, n] : ct["by_state"].items()) out += "  " + state + ": " + n.dump() + "\n";
  return out;
}

}  // namespace sentinel::enforcer::cli
