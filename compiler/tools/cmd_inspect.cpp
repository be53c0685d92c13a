// sentinelc inspect FILE: a bundle (.snb) or a bare map image, readable as
// text or JSON. A bundle is verified the way the enforcer verifies it
// (bundle/verify.h) and the result said first; its dataplane plans are then
// shown as this build derives them from the bundle's policy. A bundle that
// fails verification still has its manifest and parts shown, and exits 1.
#include <fstream>
#include <iostream>
#include <optional>
#include <string_view>
#include <memory>
#include <nlohmann/json.hpp>

#include "compiler/backend/bundle_format.h"
#include "compiler/backend/map_image.h"
#include "compiler/backend/plan_context.h"
#include "compiler/backend/verify.h"
#include "compiler/tools/commands.h"

namespace sentinel::tools {

namespace {

using nlohmann::json;

struct InspectArgs {
  std::string file;
  std::string format = "text";
  std::string public_key;
  bool all = false;
  size_t limit = 20;
};

std::string hex(const std::string& b) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) out += {d[c >> 4], d[c & 15]};
  return out;
}

json image_json(const bundle::MapImage& img, const InspectArgs& a) {
  json rows = json::array();
  size_t limit = a.all ? SIZE_MAX : a.limit;
  for (size_t i = 0; i < img.records.size() && i < limit; ++i)
    rows.push_back({{"key", hex(img.records[i].first)}, {"value", hex(img.records[i].second)}});
  return {{"kind", bundle::image_kind_name(img.kind)}, {"key_size", img.key_size}, {"value_size", img.value_size},
          {"count", img.records.size()}, {"records", rows}};
}

int inspect_image(const std::string& bytes, const InspectArgs& a) {
  std::string err;
  auto img = bundle::read_image(bytes, &err);
  if (!img) {
    std::cerr << "sentinelc inspect: " << a.file << ": " << err << '\n';
    return 1;
  }
  json j = image_json(*img, a);
  if (a.format == "json") {
    std::cout << j.dump(2) << '\n';
    return 0;
  }
  std::cout << a.file << ": " << j["kind"].get<std::string>() << " image, " << j["count"] << " records (key "
            << j["key_size"] << " B, value " << j["value_size"] << " B)\n";
  for (const auto& r : j["records"])
    std::cout << "  " << r["key"].get<std::string>() << " => " << r["value"].get<std::string>() << '\n';
  if (j["records"].size() < img->records.size())
    std::cout << "  ... " << img->records.size() - j["records"].size() << " more (--all)\n";
  return 0;
}

// Only the first `limit` lines of each long list of a plan (the
// classifier's nodes and records), unless --all.
std::string trim_entries(const std::string& text, const InspectArgs& a) {
  if (a.all) return text;
  std::string out;
  size_t in_entries = 0, hidden = 0, pos = 0;
  bool entries = false;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos + 1);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    const bool list = line.rfind("nodes:", 0) == 0 || line.rfind("records:", 0) == 0;
    if (list || line.rfind("  ", 0) != 0) {
      if (hidden) out += "  ... " + std::to_string(hidden) + " more (--all)\n";
      entries = list, in_entries = 0, hidden = 0;
    } else if (entries && ++in_entries > a.limit) {
      ++hidden;
      continue;
    }
    out += line;
  }
  if (hidden) out += "  ... " + std::to_string(hidden) + " more (--all)\n";
  return out;
}

int inspect_bundle(const std::string& bytes, const InspectArgs& a) {
  std::string err;
  std::optional<bundle::VerifiedBundle> v;
  try {
    v = bundle::verify_bundle(bytes, {a.public_key});
  } catch (const bundle::VerifyError& e) {
    err = e.what();
  }
  auto parts = bundle::read_bundle(bytes, nullptr);
  json manifest = json::object();
  if (parts && parts->count(std::string(bundle::kManifest)))
    manifest = json::parse(parts->at(std::string(bundle::kManifest)), nullptr, false);
  json out = {{"file", a.file}, {"size", bytes.size()}, {"verified", v.has_value()}, {"manifest", manifest}};
  if (!v) out["error"] = err;
  if (v && v->signed_by) out["signed_by"] = *v->signed_by;
  json plist = json::array();
  if (parts)
    for (const auto& [name, b] : *parts) plist.push_back({{"name", name}, {"size", b.size()}, {"sha256", bundle::sha256_hex(b)}});
  out["parts"] = plist;
  std::string plans = v ? backend::print_plans(v->policy) : "";
  if (a.format == "json") {
    out["plans"] = plans;
    std::cout << out.dump(2) << '\n';
    return v ? 0 : 1;
  }
  auto& os = std::cout;
  os << "bundle " << a.file << " (" << bytes.size() << " bytes): " << (v ? "verified" : "VERIFICATION FAILED: " + err);
  if (v && v->signed_by) os << (v->signature_verified ? ", signed by " : ", signed (not checked) by ") << *v->signed_by;
  os << '\n';
  auto str = [](const json& j, const char* k) {
    return j.is_object() && j.contains(k) ? (j[k].is_string() ? j[k].get<std::string>() : j[k].dump()) : std::string("?");
  };
  os << "  format " << str(manifest, "format") << " v" << str(manifest, "format_version") << ", abi "
     << str(manifest, "abi_version") << ", " << str(manifest, "compiler") << '\n';
  if (manifest.is_object() && manifest.contains("policy"))
    os << "  policy revision " << str(manifest["policy"], "revision")
       << (manifest["policy"].value("dirty", false) ? " (dirty)" : "") << '\n';
  if (manifest.is_object() && manifest.contains("layout")) {
    const json& l = manifest["layout"];
    os << "  interfaces " << str(l, "interfaces") << '\n';
    os << "objects:\n";
    for (const auto& o : l.value("objects", json::array())) {
      os << "  " << str(o, "part") << "  " << str(o, "variant") << " ->";
      for (const auto& p : o.value("programs", json::array())) {
        os << ' ' << str(p, "name") << '@' << str(p, "hook");
        if (p.contains("slot")) os << '[' << p["slot"] << ']';
      }
      os << '\n';
    }
    os << "maps:\n";
    for (const auto& m : l.value("maps", json::array())) {
      char line[256];
      snprintf(line, sizeof line, "  %-16s %-12s key %3s value %4s max %8s %-10s %s\n", str(m, "name").c_str(),
               str(m, "type").c_str(), str(m, "key_size").c_str(), str(m, "value_size").c_str(),
               str(m, "max_entries").c_str(), str(m, "scope").c_str(), m.contains("image") ? str(m, "image").c_str() : "");
      os << line;
    }
  }
  os << "parts:\n";
  for (const auto& p : plist) {
    char line[512];
    snprintf(line, sizeof line, "  %-24s %10zu  %s\n", p["name"].get<std::string>().c_str(), p["size"].get<size_t>(),
             p["sha256"].get<std::string>().c_str());
    os << line;
  }
  os << trim_entries(plans, a);
  return v ? 0 : 1;
}

}  // namespace

void add_inspect_command(CLI::App& app, int& rc) {
  auto args = std::make_shared<InspectArgs>();
  auto* cmd = app.add_subcommand("inspect", "verify and show a bundle (.snb), or show a map image");
  cmd->add_option("file", args->file, "bundle or map image")->required();
  cmd->add_option("--format", args->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--public-key", args->public_key, "require a valid signature by this Ed25519 key (PEM)");
  cmd->add_flag("--all", args->all, "show every classifier node and record, not just the first ones");
  cmd->add_option("--limit", args->limit, "classifier nodes and records to show without --all (default 20)");
  cmd->callback([args, &rc] {
    std::string err;
    // The first bytes say what the file is; each kind is then read within
    // its own format's bounds (a device or a FIFO fails at once).
    char head[8] = {};
    {
      std::ifstream in(args->file, std::ios::binary);
      in.read(head, sizeof head);
    }
    std::string_view magic(head, sizeof head);
    std::optional<std::string> bytes;
    if (magic == bundle::kMagic)
      bytes = bundle::read_bundle_bytes(args->file, &err);
    else if (magic.substr(0, 4) == "SNMI")  // SN_IMAGE_MAGIC, little-endian
      bytes = bundle::read_file_bounded(args->file, bundle::kMaxBundleBytes, &err);
    else
      err = args->file + ": neither a sentinel bundle nor a map image (bad magic)";
    if (!bytes) {
      std::cerr << "sentinelc inspect: " << err << '\n';
      rc = 1;
      return;
    }
    if (bytes->compare(0, bundle::kMagic.size(), bundle::kMagic) == 0)
      rc = inspect_bundle(*bytes, *args);
    else
      rc = inspect_image(*bytes, *args);
  });
}

}  // namespace sentinel::tools
