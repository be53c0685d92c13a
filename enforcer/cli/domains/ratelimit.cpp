#include "enforcer/cli/views.h"

namespace sentinel::enforcer::cli {

std::string render_ratelimit(const nlohmann::json& rl) {
  std::string out = "ratelimit  mode " + str(rl, "mode") + "  buckets " + str(rl, "buckets") + " of " +
                    str(rl, "bucket_capacity") + "  contended " + str(rl, "contended") + "\n";
  char line[512];
  std::snprintf(line, sizeof line, "  %-20s %-6s %-10s %-15s %-18s %12s %12s\n", "RULE", "ACTION", "RATE",
                "ALGORITHM", "KEY", "PASSED", "OVER");
  out += line;
  for (const auto& r : rl["rules"]) {
    std::snprintf(line, sizeof line, "  %-20s %-6s %-10s %-15s %-18s %12s %12s\n", str(r, "id").c_str(),
                  str(r, "action").c_str(), str(r, "rate").c_str(), str(r, "algorithm").c_str(),
                  str(r, "key").c_str(), str(r, "passed").c_str(), str(r, "over").c_str());
    out += line;
  }
  return out;
}

}  // namespace sentinel::enforcer::cli
