#include "tests/support/policy_fixture.h"

#include <net/if.h>
#include <sched.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "compiler/passes/pipeline.h"

namespace sentinel::testing {

std::unique_ptr<PolicyFixture> PolicyFixture::compile(const std::string& policy_dir) {
  auto fe = passes::run_frontend({policy_dir});
  if (!fe->policy) {
    fe->diags.sort();
    std::cerr << fe->diags.render_text();
    return nullptr;
  }
  auto fx = std::make_unique<PolicyFixture>();
  fx->policy = std::move(*fe->policy);
  fx->artifacts = backend::compile_artifacts(fx->policy);
  return fx;
}

std::unique_ptr<PolicyFixture> PolicyFixture::compile_text(const std::string& text) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("sn-fixture-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream(dir / "policy.sen") << text;
  }
  auto fx = compile(dir.string());
  fs::remove_all(dir);
  return fx;
}

enforcer::core::Bundle PolicyFixture::bundle() const {
  return enforcer::core::bundle_of(policy, artifacts.objects);
}

namespace {

void run(std::vector<std::string> argv) {
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid;
  int status = 0;
  if (posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0 || waitpid(pid, &status, 0) < 0 ||
      !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("test setup: `" + argv[0] + " " + argv[1] + " ...` failed");
}

// The interfaces the policy's rules name must exist for packets to arrive
// on them: the process moves into a network namespace of its own (once) and
// creates each as a veth pair, and one pair more that no rule names.
void ensure_ifaces(const enforcer::core::Bundle& b) {
  std::vector<std::string> names;
  for (const auto& m : b.plan.maps) names.insert(names.end(), m.ifaces.begin(), m.ifaces.end());
  if (names.empty()) return;
  static int pairs = 0;
  if (pairs == 0) {
    if (::unshare(CLONE_NEWNET) != 0) throw std::runtime_error("test setup: unshare(CLONE_NEWNET) failed");
    run({"ip", "link", "add", "snu0", "type", "veth", "peer", "name", "snu1"});
    ++pairs;
  }
  for (const auto& n : names)
    if (!::if_nametoindex(n.c_str()))
      run({"ip", "link", "add", n, "type", "veth", "peer", "name", "snp" + std::to_string(pairs++)});
}

}  // namespace

void PolicyFixture::load_kernel() {
  auto b = bundle();
  ensure_ifaces(b);
  kernel.emplace(enforcer::core::GenerationHarness::load(b));
}

}  // namespace sentinel::testing
