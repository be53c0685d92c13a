// Renderings of core results for the terminal and for scripts.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "enforcer/core/enforcer.h"

namespace sentinel::enforcer::cli {

nlohmann::json status_json(const core::Status& s, const std::string& ifname);
std::string status_table(const core::Status& s, const std::string& ifname);
// One alert as a JSON object; `rule_id` empty when unknown.
nlohmann::json event_json(const sn_fw_event& e, const std::string& rule_id);

}  // namespace sentinel::enforcer::cli
