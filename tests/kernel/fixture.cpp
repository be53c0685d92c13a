#include "fixture.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "compiler/backend/build.h"
#include "compiler/backend/bundle_format.h"
#include "enforcer/bpf/libbpf_kernel.h"
#include "enforcer/core/netns.h"
#include "tests/support/policy_fixture.h"

namespace sentinel::ktest {

namespace core = enforcer::core;

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
  for (auto [x, y, net] : {std::tuple{ifa, ifb, "10.201.0"}, std::tuple{ifa2, ifb2, "10.202.0"}}) {
    REQUIRE(sh("ip link add " + x + " netns " + a + " type veth peer name " + y + " netns " + b) == 0);
    REQUIRE(sh("ip -n " + a + " addr add " + net + ".1/24 dev " + x) == 0);
    REQUIRE(sh("ip -n " + b + " addr add " + net + ".2/24 dev " + y) == 0);
    REQUIRE(sh("ip -n " + a + " link set " + x + " up") == 0);
    REQUIRE(sh("ip -n " + b + " link set " + y + " up") == 0);
  }
  REQUIRE(sh("ip -n " + a + " link set lo up") == 0);
  REQUIRE(sh("ip -n " + b + " link set lo up") == 0);
}

NetnsPair::~NetnsPair() {
  // Unpin whatever a test left, then drop the namespaces (which also
  // destroys the veths and with them any attachment).
  for (const auto& ns : {a, b}) {
    try {
      Host h(ns, root);
      h.with([](core::Enforcer& e) { return e.detach(); });
    } catch (...) {
    }
  }
  sh("ip netns del " + a);
  sh("ip netns del " + b);
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
}

bool NetnsPair::udp_from_b(int count, int port, const std::string& dst) {
  return sh("ip netns exec " + b + " /usr/bin/python3 -c \"import socket; s = socket.socket(2, 2); "
            "[s.sendto(b'x' * 32, ('" + dst + "', " + std::to_string(port) + ")) for _ in range(" +
            std::to_string(count) + ")]\"") == 0;
}

uint32_t NetnsPair::xdp_prog(const std::string& ns, const std::string& ifname) {
  std::string out = capture("ip -n " + ns + " -d link show " + ifname + " 2>/dev/null");
  std::smatch m;
  static const std::regex re(R"(prog/xdp id (\d+))");
  return std::regex_search(out, m, re) ? static_cast<uint32_t>(std::stoul(m[1])) : 0;
}

Host::Host(std::string ns, std::string r) : netns(std::move(ns)), root(std::move(r)), k(enforcer::bpf::make_libbpf_kernel()) {}
Host::~Host() {
  if (orig_ >= 0) ::close(orig_);
}

void Host::enter() {
  orig_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  REQUIRE(orig_ >= 0);
  int fd = ::open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  int rc = ::setns(fd, CLONE_NEWNET);
  ::close(fd);
  REQUIRE(rc == 0);
}

void Host::leave() {
  ::setns(orig_, CLONE_NEWNET);
  ::close(orig_);
  orig_ = -1;
}

core::ApplyResult Host::apply(const core::Bundle& b, const core::ApplyOptions& o) {
  return with([&](core::Enforcer& e) { return e.apply(b, o); });
}

core::ApplyResult Host::apply(const std::string& bytes, const std::vector<std::string>& ifaces) {
  core::Bundle b = core::parse_bundle(bytes);
  core::ApplyOptions o;
  o.ifaces = ifaces;
  return apply(b, o);
}

nlohmann::json Host::status() {
  return with([](core::Enforcer& e) { return e.status(); });
}

uint64_t Host::live() {
  auto l = with([](core::Enforcer& e) { return e.live(); });
  return l ? l->generation : 0;
}

std::pair<uint64_t, uint64_t> counter(const nlohmann::json& s, const std::string& domain, const std::string& id) {
  const auto& d = s.at("domains").at(domain);
  for (const char* list : {"rules", "retired"}) {
    if (!d.contains(list)) continue;
    for (const auto& r : d[list])
      if (r.at("id") == id) return {r.at("packets").get<uint64_t>(), r.at("bytes").get<uint64_t>()};
  }
  for (const auto& [k, v] : d.items())
    if (v.is_object() && v.contains("id") && v["id"] == id)
      return {v.at("packets").get<uint64_t>(), v.at("bytes").get<uint64_t>()};
  FAIL("no counter " << domain << "/" << id << " in " << s.dump());
  return {};
}

std::string build(const std::string& text) {
  auto fx = testing::PolicyFixture::compile_text(text);
  REQUIRE(fx);
  std::string err;
  auto b = backend::build_bundle(fx->policy, {}, &err);
  INFO(err);
  REQUIRE(b);
  return *b;
}

core::Bundle bundle(const std::string& text) { return core::parse_bundle(build(text)); }

std::map<std::string, std::string> parts_of(const std::string& b) {
  std::string err;
  auto parts = sentinel::bundle::read_bundle(b, &err);
  INFO(err);
  REQUIRE(parts);
  return *parts;
}

std::string rebundle(std::map<std::string, std::string> parts, bool rehash) {
  if (rehash) {
    auto m = nlohmann::json::parse(parts.at("manifest.json"));
    for (const auto& [name, bytes] : parts) {
      if (name == "manifest.json") continue;
      m["parts"][name] = {{"size", bytes.size()}, {"sha256", sentinel::bundle::sha256_hex(bytes)}};
    }
    parts["manifest.json"] = m.dump(2);
  }
  return sentinel::bundle::write_bundle(parts);
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
std::string foreign_xdp_path() { return SN_FOREIGN_XDP_OBJECT; }
std::string enforcer_cli() { return SN_ENFORCER_CLI; }

}  // namespace sentinel::ktest
