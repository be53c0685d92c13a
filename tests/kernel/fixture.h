// Kernel test fixtures: privilege gate, a pair of network namespaces joined
// by a veth that the test creates and always removes, a private bpffs root,
// and bundles built by the real compiler back end.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compiler/pir/domains/firewall.h"

namespace sentinel::ktest {

// Runs a shell command; returns its exit status.
int sh(const std::string& cmd);
// Runs a command and returns its stdout; `status` receives the exit status.
std::string capture(const std::string& cmd, int* status = nullptr);

// Two namespaces "a" and "b" with veth ends ifa (10.201.0.1/24, in a) and
// ifb (10.201.0.2/24, in b), and a bpffs root of its own. The destructor
// detaches, deletes the namespaces and removes the bpffs root.
struct NetnsPair {
  std::string a, b, ifa = "snk-a", ifb = "snk-b", root;
  NetnsPair();
  ~NetnsPair();
  NetnsPair(const NetnsPair&) = delete;
  NetnsPair& operator=(const NetnsPair&) = delete;
  // Sends `count` UDP datagrams from b to 10.201.0.1:port; true on success.
  bool udp_from_b(int count, int port);
};

// Small policies built in code.
pir::FirewallRule rule(const std::string& id, pir::FirewallAction a, pir::Proto p, int dport = -1);
pir::Policy policy(pir::FirewallAction default_action, std::vector<pir::FirewallRule> rules,
                   std::vector<pir::Set> sets = {});

// The bundle bytes from backend::build_bundle; FAILs the test on error.
std::string build(const pir::Policy& p);

// Bundle surgery for deliberately broken bundles: edit parts, re-list them
// in the manifest with fresh sizes and hashes (unless rehash is false).
std::map<std::string, std::string> parts_of(const std::string& bundle);
std::string rebundle(std::map<std::string, std::string> parts, bool rehash = true);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& bytes);

// Path of the verifier-rejected object and the CLI, from CMake.
std::string bad_object_path();
std::string enforcer_cli();

}  // namespace sentinel::ktest
