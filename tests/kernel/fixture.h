// Kernel test fixtures: privilege gate, network namespaces joined by veths
// that the test creates and always removes, a private bpffs root, and
// bundles built by the real compiler from policy text.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "enforcer/bpf/kernel.h"
#include "enforcer/core/bundle.h"
#include "enforcer/core/enforcer.h"

namespace sentinel::ktest {

// Runs a shell command; returns its exit status.
int sh(const std::string& cmd);
// Runs a command and returns its stdout; `status` receives the exit status.
std::string capture(const std::string& cmd, int* status = nullptr);

// Two namespaces "a" and "b" joined by two veth pairs: ifa (10.201.0.1/24,
// in a) to ifb (10.201.0.2/24, in b), and ifa2 (10.202.0.1/24) to ifb2
// (10.202.0.2/24); and a bpffs root of its own. The destructor detaches in
// both, deletes the namespaces and removes the bpffs root.
struct NetnsPair {
  std::string a, b, ifa = "snk-a", ifb = "snk-b", ifa2 = "snk-a2", ifb2 = "snk-b2", root;
  NetnsPair();
  ~NetnsPair();
  NetnsPair(const NetnsPair&) = delete;
  NetnsPair& operator=(const NetnsPair&) = delete;
  // Sends `count` UDP datagrams from b to `dst`:port; true on success.
  bool udp_from_b(int count, int port, const std::string& dst = "10.201.0.1");
  // The XDP program id iproute2 reports on an interface of `ns` (0: none).
  uint32_t xdp_prog(const std::string& ns, const std::string& ifname);
};

// Core operations run inside a namespace of the pair, as the CLI does with
// --netns, on the real kernel.
struct Host {
  std::string netns, root;
  std::unique_ptr<enforcer::bpf::Kernel> k;
  Host(std::string ns, std::string root);
  ~Host();

  template <typename F>
  auto with(F f) {
    enter();
    struct Leave {
      Host* h;
      ~Leave() { h->leave(); }
    } leave{this};
    enforcer::core::Enforcer e(*k, root);
    return f(e);
  }
  enforcer::core::ApplyResult apply(const enforcer::core::Bundle& b, const enforcer::core::ApplyOptions& o = {});
  enforcer::core::ApplyResult apply(const std::string& bytes, const std::vector<std::string>& ifaces);
  nlohmann::json status();
  // The live generation number, 0 when nothing is applied.
  uint64_t live();

 private:
  void enter();
  void leave();
  int orig_ = -1;
};

// The counters of one rule of one domain in a status, {packets, bytes}.
std::pair<uint64_t, uint64_t> counter(const nlohmann::json& status, const std::string& domain, const std::string& id);

// The bundle bytes of policy text, through the real front end and back end;
// FAILs the test on diagnostics or build errors.
std::string build(const std::string& policy_text);
// The same as a verified Bundle.
enforcer::core::Bundle bundle(const std::string& policy_text);

// Bundle surgery for deliberately broken bundles: edit parts, re-list them
// in the manifest with fresh sizes and hashes (unless rehash is false).
std::map<std::string, std::string> parts_of(const std::string& bundle);
std::string rebundle(std::map<std::string, std::string> parts, bool rehash = true);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& bytes);

// Paths from CMake: an object the verifier rejects (shaped like the rate
// limiter), an XDP program that is not Sentinel's, and the CLI.
std::string bad_object_path();
std::string foreign_xdp_path();
std::string enforcer_cli();

}  // namespace sentinel::ktest
