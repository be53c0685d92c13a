// The generation switch of a network namespace (sentinel/abi/dispatch.h):
// fixed dispatcher programs that every link runs, the host prog arrays of
// their bank slots, and the selector whose one write switches every hook of
// every interface from one generation to the next.
#pragma once
#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/backend/bundle_plan.h"
#include "enforcer/bpf/kernel.h"
#include "enforcer/core/layout.h"

extern "C" {
#include "sentinel/abi/dispatch.h"
}

namespace sentinel::enforcer::core {

// The dispatcher object, compiled from bpf-templates/dispatch at build time.
std::string_view dispatcher_object();

// What an operation pinned or made, so that a failure undoes exactly that.
struct Undo {
  std::vector<std::string> pins;
  std::vector<std::string> dirs;
};

class Dispatcher {
 public:
  Dispatcher(bpf::Kernel& k, const Layout& l) : k_(k), l_(l) {}

  bool exists();
  // Loads and pins the dispatchers when missing, with the selector at
  // SN_BANK_NONE (every packet passes); records what it pins. When the
  // pinned ones are of another version (`pinned_version`, from the
  // namespace's meta), the new ones replace them in every link by a
  // compare-and-swap, their maps kept; returns true then.
  bool ensure(Undo& undo, uint32_t pinned_version);
  std::optional<sn_selector> selector();
  void write_selector(const sn_selector& s);
  // The dispatcher program that a link at `hook` runs.
  bpf::Fd prog(backend::Hook hook);
  // Puts a generation's entry programs into `bank`'s slots; slots of hooks
  // it does not use are emptied, so that they pass.
  void load_bank(uint32_t bank, const std::map<backend::Hook, bpf::Fd>& entries);
  void clear_bank(uint32_t bank);
  // The program ids in a bank's slots (0: empty), by hook.
  std::map<backend::Hook, uint32_t> bank(uint32_t bank);
  std::array<uint64_t, SN_DISP_NSTATS> stats();

 private:
  bpf::Loaded load(const std::map<std::string, bpf::Fd>& reuse);
  bpf::Kernel& k_;
  const Layout& l_;
};

// The pin name of a dispatcher program, and the program name in the object.
const char* dispatcher_pin(backend::Hook hook);

}  // namespace sentinel::enforcer::core
