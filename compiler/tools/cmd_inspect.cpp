// sentinelc inspect FILE: a bundle (.snb) or a bare map image, readable as
// text or JSON. Verifies the bundle on the way and says so; a bundle that
// fails verification is still shown, and the exit code is 1.
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "compiler/backend/bundle_format.h"
#include "compiler/backend/map_image.h"
#include "compiler/dplan/firewall_plan.h"
#include "compiler/tools/commands.h"

namespace sentinel::tools {

namespace {

using nlohmann::json;

struct InspectArgs {
  std::string file;
  std::string format = "text";
  bool all = false;
  size_t limit = 20;
};

std::string hex(const std::string& b) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) out += {d[c >> 4], d[c & 15]};
  return out;
}

std::string hex64(uint64_t v) {
  char buf[24];
  snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// Array images are sorted by key bytes (little-endian); show them by index.
template <typename T>
std::vector<T> array_values(const bundle::MapImage& img) {
  std::vector<std::pair<uint32_t, T>> v;
  for (const auto& [k, val] : img.records)
    v.emplace_back(bundle::value_as<uint32_t>(k), bundle::value_as<T>(val));
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<T> out;
  for (auto& [i, x] : v) out.push_back(x);
  return out;
}

json config_json(const sn_fw_config& c) {
  return {{"ntuples", c.ntuples},
          {"nrules", c.nrules},
          {"default_action", dplan::action_name(c.default_action)},
          {"mode", c.mode == SN_FW_AUDIT ? "audit" : "enforce"},
          {"generation", c.generation},
          {"malformed_counter_key", hex64(c.malformed_counter_key)}};
}

// What kind of firewall record an image holds, judged by its sizes.
enum class Content { Config, Tuples, Keys, Rules, Pir, Unknown };

Content classify(const bundle::MapImage& img) {
  if (img.kind == SN_IMAGE_RODATA && img.value_size == sizeof(sn_fw_config)) return Content::Config;
  if (img.kind == SN_IMAGE_ARRAY && img.value_size == sizeof(sn_fw_tuple)) return Content::Tuples;
  if (img.kind == SN_IMAGE_ARRAY && img.value_size == sizeof(sn_fw_rule)) return Content::Rules;
  if (img.kind == SN_IMAGE_ARRAY && img.value_size == SN_FW_PIR_CHUNK) return Content::Pir;
  if (img.kind == SN_IMAGE_HASH && img.key_size == sizeof(sn_fw_key) &&
      img.value_size == sizeof(sn_fw_match))
    return Content::Keys;
  return Content::Unknown;
}

// Decodes one image into JSON rows (at most `limit` of them unless all).
// `tuples` and `rule_ids` add context when known.
json image_json(const bundle::MapImage& img, const InspectArgs& a,
                const std::vector<sn_fw_tuple>& tuples, const std::vector<std::string>& rule_ids) {
  json j = {{"kind", bundle::image_kind_name(img.kind)},
            {"key_size", img.key_size},
            {"value_size", img.value_size},
            {"count", img.records.size()}};
  size_t limit = a.all ? SIZE_MAX : a.limit;
  json rows = json::array();
  switch (classify(img)) {
    case Content::Config:
      j["config"] = config_json(bundle::value_as<sn_fw_config>(img.records[0].second));
      return j;
    case Content::Tuples: {
      auto ts = array_values<sn_fw_tuple>(img);
      for (size_t i = 0; i < ts.size(); ++i) rows.push_back({{"id", i}, {"shape", dplan::format_tuple(ts[i])}});
      j["tuples"] = rows;
      return j;
    }
    case Content::Rules: {
      auto rs = array_values<sn_fw_rule>(img);
      for (size_t i = 0; i < rs.size(); ++i)
        rows.push_back({{"index", i},
                        {"id", i < rule_ids.size() ? rule_ids[i] : ""},
                        {"action", dplan::action_name(rs[i].action)},
                        {"counter_key", hex64(rs[i].counter_key)}});
      j["rules"] = rows;
      return j;
    }
    case Content::Keys:
      for (size_t i = 0; i < img.records.size() && i < limit; ++i) {
        auto k = bundle::value_as<sn_fw_key>(img.records[i].first);
        auto m = bundle::value_as<sn_fw_match>(img.records[i].second);
        const sn_fw_tuple* t = k.tuple < tuples.size() ? &tuples[k.tuple] : nullptr;
        json row = {{"entry", dplan::format_entry(k, m, t)}, {"rule", m.rule}};
        if (m.rule < rule_ids.size()) row["rule_id"] = rule_ids[m.rule];
        rows.push_back(row);
      }
      j["entries"] = rows;
      return j;
    case Content::Pir: {
      std::string text;
      for (const auto& [k, v] : img.records) text += v;
      text.resize(strnlen(text.data(), text.size()));
      j["text_bytes"] = text.size();
      return j;
    }
    case Content::Unknown:
      for (size_t i = 0; i < img.records.size() && i < limit; ++i)
        rows.push_back({{"key", hex(img.records[i].first)}, {"value", hex(img.records[i].second)}});
      j["records"] = rows;
      return j;
  }
  return j;
}

void print_image_text(std::ostream& os, const std::string& name, const json& j) {
  os << name << ": " << j["kind"].get<std::string>() << " image, " << j["count"] << " records (key "
     << j["key_size"] << " B, value " << j["value_size"] << " B)\n";
  if (j.contains("config"))
    for (const auto& [k, v] : j["config"].items())
      os << "  " << k << " " << (v.is_string() ? v.get<std::string>() : v.dump()) << '\n';
  if (j.contains("tuples"))
    for (const auto& t : j["tuples"]) {
      char line[256];
      snprintf(line, sizeof line, "  %5zu  %s\n", t["id"].get<size_t>(), t["shape"].get<std::string>().c_str());
      os << line;
    }
  if (j.contains("rules"))
    for (const auto& r : j["rules"]) {
      char line[256];
      snprintf(line, sizeof line, "  %5zu  %-24s %-5s %s\n", r["index"].get<size_t>(),
               r["id"].get<std::string>().c_str(), r["action"].get<std::string>().c_str(),
               r["counter_key"].get<std::string>().c_str());
      os << line;
    }
  if (j.contains("entries")) {
    for (const auto& e : j["entries"]) {
      os << "  " << e["entry"].get<std::string>();
      if (e.contains("rule_id")) os << " (" << e["rule_id"].get<std::string>() << ")";
      os << '\n';
    }
    if (j["entries"].size() < j["count"].get<size_t>())
      os << "  ... " << j["count"].get<size_t>() - j["entries"].size() << " more (--all)\n";
  }
  if (j.contains("text_bytes")) os << "  policy text, " << j["text_bytes"] << " bytes\n";
  if (j.contains("records")) {
    for (const auto& r : j["records"])
      os << "  " << r["key"].get<std::string>() << " => " << r["value"].get<std::string>() << '\n';
    if (j["records"].size() < j["count"].get<size_t>())
      os << "  ... " << j["count"].get<size_t>() - j["records"].size() << " more (--all)\n";
  }
}

int inspect_image(const std::string& bytes, const InspectArgs& a) {
  std::string err;
  auto img = bundle::read_image(bytes, &err);
  if (!img) {
    std::cerr << "sentinelc inspect: " << a.file << ": " << err << '\n';
    return 1;
  }
  json j = image_json(*img, a, {}, {});
  if (a.format == "json") std::cout << j.dump(2) << '\n';
  else print_image_text(std::cout, a.file, j);
  return 0;
}

int inspect_bundle(const std::string& bytes, const InspectArgs& a) {
  std::string err;
  auto parts = bundle::read_bundle(bytes, &err);
  if (!parts) {
    std::cerr << "sentinelc inspect: " << a.file << ": " << err << '\n';
    return 1;
  }
  bool verified = bundle::verify_manifest(*parts, &err);
  json manifest = json::object();
  if (parts->count("manifest.json")) {
    try {
      manifest = json::parse(parts->at("manifest.json"));
    } catch (const std::exception&) {
    }
  }
  json out = {{"file", a.file}, {"size", bytes.size()}, {"verified", verified}, {"manifest", manifest}};
  if (!verified) out["error"] = err;
  json plist = json::array();
  for (const auto& [name, b] : *parts)
    plist.push_back({{"name", name}, {"size", b.size()}, {"sha256", bundle::sha256_hex(b)}});
  out["parts"] = plist;

  // Firewall domain: decode its images in a readable order.
  json fw_out = json::object();
  if (manifest.contains("domains") && manifest["domains"].contains("firewall")) {
    const json& fw = manifest["domains"]["firewall"];
    std::vector<std::string> ids;
    if (fw.contains("rule_ids")) ids = fw["rule_ids"].get<std::vector<std::string>>();
    std::vector<sn_fw_tuple> tuples;
    auto load = [&](const std::string& part) -> std::optional<bundle::MapImage> {
      if (!parts->count(part)) return std::nullopt;
      return bundle::read_image(parts->at(part), &err);
    };
    std::vector<std::pair<std::string, std::string>> order;
    if (fw.contains("rodata")) order.emplace_back("config", fw["rodata"].get<std::string>());
    for (const char* m : {SN_FW_MAP_RULES, SN_FW_MAP_TUPLES, SN_FW_MAP_KEYS})
      if (fw.contains("maps") && fw["maps"].contains(m)) order.emplace_back(m, fw["maps"][m].get<std::string>());
    if (auto t = fw.contains("maps") && fw["maps"].contains(SN_FW_MAP_TUPLES)
                     ? load(fw["maps"][SN_FW_MAP_TUPLES].get<std::string>())
                     : std::nullopt)
      tuples = array_values<sn_fw_tuple>(*t);
    for (const auto& [label, part] : order) {
      auto img = load(part);
      json j = img ? image_json(*img, a, tuples, ids) : json{{"error", err}};
      j["part"] = part;
      fw_out[label] = j;
    }
  }
  out["firewall"] = fw_out;

  if (a.format == "json") {
    std::cout << out.dump(2) << '\n';
    return verified ? 0 : 1;
  }
  auto& os = std::cout;
  os << "bundle " << a.file << " (" << bytes.size() << " bytes): "
     << (verified ? "verified" : "VERIFICATION FAILED: " + err) << '\n';
  auto str = [](const json& j, const char* k) {
    return j.contains(k) ? (j[k].is_string() ? j[k].get<std::string>() : j[k].dump()) : std::string("?");
  };
  os << "  format " << str(manifest, "format") << " v" << str(manifest, "format_version") << ", abi "
     << str(manifest, "abi_version") << '\n';
  os << "  compiler " << str(manifest, "compiler") << '\n';
  if (manifest.contains("policy"))
    os << "  policy revision " << str(manifest["policy"], "revision")
       << (manifest["policy"].value("dirty", false) ? " (dirty)" : "") << '\n';
  os << "parts:\n";
  for (const auto& p : plist) {
    char line[512];
    snprintf(line, sizeof line, "  %-24s %10zu  %s\n", p["name"].get<std::string>().c_str(),
             p["size"].get<size_t>(), p["sha256"].get<std::string>().c_str());
    os << line;
  }
  if (manifest.contains("domains") && manifest["domains"].contains("firewall")) {
    const json& fw = manifest["domains"]["firewall"];
    os << "firewall: program " << str(fw, "program") << " (" << str(fw, "program_name") << "), defines "
       << str(fw, "program_defines") << ", " << str(fw, "rules") << " rules, " << str(fw, "tuples")
       << " tuples, " << str(fw, "entries") << " entries\n";
    for (const char* label : {"config", SN_FW_MAP_RULES, SN_FW_MAP_TUPLES, SN_FW_MAP_KEYS})
      if (fw_out.contains(label)) {
        const json& j = fw_out[label];
        if (j.contains("error")) os << j["part"].get<std::string>() << ": " << j["error"].get<std::string>() << '\n';
        else print_image_text(os, j["part"].get<std::string>(), j);
      }
  }
  return verified ? 0 : 1;
}

}  // namespace

void add_inspect_command(CLI::App& app, int& rc) {
  auto args = std::make_shared<InspectArgs>();
  auto* cmd = app.add_subcommand("inspect", "show a bundle (.snb) or a map image readably");
  cmd->add_option("file", args->file, "bundle or map image")->required();
  cmd->add_option("--format", args->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("--all", args->all, "show every key entry, not just the first ones");
  cmd->add_option("--limit", args->limit, "entries to show without --all (default 20)");
  cmd->callback([args, &rc] {
    std::ifstream in(args->file, std::ios::binary);
    if (!in) {
      std::cerr << "sentinelc inspect: cannot read " << args->file << '\n';
      rc = 1;
      return;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    std::string bytes = ss.str();
    if (bytes.compare(0, bundle::kMagic.size(), bundle::kMagic) == 0) rc = inspect_bundle(bytes, *args);
    else rc = inspect_image(bytes, *args);
  });
}

}  // namespace sentinel::tools
