// Renderings of the core's status (JSON) for the terminal. Each domain
// renders its own section (cli/domains/<domain>.cpp).
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace sentinel::enforcer::cli {

std::string status_table(const nlohmann::json& status);

// One domain's section of the status table.
#define SN_DOMAIN(name) std::string render_##name(const nlohmann::json& domain_status);
#include "compiler/domains/domains.def"
#undef SN_DOMAIN

// Helpers for the domain renderers: a counter row, a string field.
std::string row(const std::string& a, const std::string& b, uint64_t packets, uint64_t bytes);
std::string str(const nlohmann::json& j, const char* key);

}  // namespace sentinel::enforcer::cli
