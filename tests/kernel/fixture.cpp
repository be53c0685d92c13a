#include "fixture.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "compiler/backend/build.h"
#include "compiler/backend/bundle_format.h"
#include "enforcer/bpf/libbpf_kernel.h"
#include "enforcer/core/enforcer.h"
#include "enforcer/core/netns.h"

namespace sentinel::ktest {

int sh(const std::string& cmd) {
  int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

std::string capture(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = ::pclose(p);
  if (status) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
  return out;
}

NetnsPair::NetnsPair() {
  static int seq = 0;
  std::string tag = std::to_string(::getpid()) + "-" + std::to_string(seq++);
  a = "snk-a-" + tag;
  b = "snk-b-" + tag;
  root = "/sys/fs/bpf/sentinel-ktest-" + tag;
  REQUIRE(sh("ip netns add " + a) == 0);
  REQUIRE(sh("ip netns add " + b) == 0);
  REQUIRE(sh("ip link add " + ifa + " netns " + a + " type veth peer name " + ifb + " netns " + b) == 0);
  REQUIRE(sh("ip -n " + a + " addr add 10.201.0.1/24 dev " + ifa) == 0);
  REQUIRE(sh("ip -n " + b + " addr add 10.201.0.2/24 dev " + ifb) == 0);
  REQUIRE(sh("ip -n " + a + " link set " + ifa + " up") == 0);
  REQUIRE(sh("ip -n " + b + " link set " + ifb + " up") == 0);
  REQUIRE(sh("ip -n " + a + " link set lo up") == 0);
}

NetnsPair::~NetnsPair() {
  // Unpin whatever a test left, then drop the namespaces (which also
  // destroys the veth and with it any attachment).
  try {
    auto k = enforcer::bpf::make_libbpf_kernel();
    enforcer::core::NetnsGuard in(a);
    enforcer::core::Enforcer e(*k, {root, ifa, enforcer::core::resolve_ifindex(ifa)});
    e.detach();
  } catch (...) {
  }
  sh("ip netns del " + a);
  sh("ip netns del " + b);
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
}

bool NetnsPair::udp_from_b(int count, int port) {
  return sh("ip netns exec " + b + " /usr/bin/python3 -c \"import socket; s = socket.socket(2, 2); "
            "[s.sendto(b'x' * 32, ('10.201.0.1', " + std::to_string(port) + ")) for _ in range(" +
            std::to_string(count) + ")]\"") == 0;
}

pir::FirewallRule rule(const std::string& id, pir::FirewallAction a, pir::Proto p, int dport) {
  pir::FirewallRule r;
  r.id = id;
  r.action = a;
  r.match.proto = p;
  if (dport >= 0) {
    r.match.dport.any = false;
    r.match.dport.ranges = {{static_cast<uint16_t>(dport), static_cast<uint16_t>(dport)}};
  }
  return r;
}

pir::Policy policy(pir::FirewallAction default_action, std::vector<pir::FirewallRule> rules,
                   std::vector<pir::Set> sets) {
  pir::Policy p;
  p.sets = std::move(sets);
  auto fw = std::make_unique<pir::Firewall>();
  fw->default_action = default_action;
  fw->rules = std::move(rules);
  p.put(Poly<pir::Block>(std::move(fw)));
  return p;
}

std::string build(const pir::Policy& p) {
  std::string err;
  auto b = backend::build_bundle(p, {}, &err);
  INFO(err);
  REQUIRE(b);
  return *b;
}

std::map<std::string, std::string> parts_of(const std::string& bundle) {
  std::string err;
  auto parts = bundle::read_bundle(bundle, &err);
  INFO(err);
  REQUIRE(parts);
  return *parts;
}

std::string rebundle(std::map<std::string, std::string> parts, bool rehash) {
  if (rehash) {
    auto m = nlohmann::json::parse(parts.at("manifest.json"));
    for (const auto& [name, bytes] : parts) {
      if (name == "manifest.json") continue;
      m["parts"][name] = {{"size", bytes.size()}, {"sha256", bundle::sha256_hex(bytes)}};
    }
    parts["manifest.json"] = m.dump(2);
  }
  return bundle::write_bundle(parts);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

std::string bad_object_path() { return SN_BAD_XDP_OBJECT; }
std::string enforcer_cli() { return SN_ENFORCER_CLI; }

}  // namespace sentinel::ktest
