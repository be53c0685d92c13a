// The enforcer's operations on one network namespace: apply a bundle as a
// new generation and switch every hook of every interface to it with one
// write, roll back, detach, report status and events. All kernel access
// goes through bpf::Kernel, so the same code runs on the real kernel and on
// the fake in unit tests. The caller has already entered the namespace
// (netns.h).
//
// Apply, step by step (docs/enforcer.md): lock, dispatchers, load and fill
// the generation (checking pinned state maps' shapes), smoke test, pin it,
// attach missing links, put its programs in a free bank, then the switch:
// one write of the selector. Before that write nothing that runs has
// changed, and a failure undoes exactly what this apply pinned; a kill
// leaves leftovers the next apply removes. After it, cleanup (older
// generations, unused links, counters no kept generation uses) can only
// warn.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "enforcer/bpf/kernel.h"
#include "enforcer/core/bundle.h"
#include "enforcer/core/dispatch.h"
#include "enforcer/core/generations.h"
#include "enforcer/core/layout.h"

namespace sentinel::enforcer::core {

struct ApplyOptions {
  // The interfaces to enforce on; empty: the ones the policy names.
  std::vector<std::string> ifaces;
  // Forces maps' max_entries (by name): only for tests that need a real
  // kernel-side map creation failure.
  std::map<std::string, uint32_t> max_entries_override;
  // Called as each step completes ("dispatch", "load", "smoke test", "pin",
  // "attach", "bank"); a throw there fails the apply as a kernel error would.
  std::function<void(const std::string& step)> after_step;
};

struct ApplyResult {
  uint64_t generation = 0;
  uint32_t bank = 0;
  std::optional<uint64_t> previous;  // kept for rollback
  std::vector<uint64_t> removed;     // older generations deleted
  std::vector<std::string> interfaces;
  std::vector<std::string> links_created;  // "veth0 xdp"
  std::vector<std::string> state_created;  // host maps made by this apply
  uint64_t switch_ns = 0;                  // the selector write
  uint64_t counters_reclaimed = 0;
  bool dispatcher_upgraded = false;  // dispatchers of another version were replaced
  // Cleanup problems after a successful switch, and interfaces that rules
  // name but the generation does not run on.
  std::vector<std::string> warnings;
};

struct RollbackResult {
  uint64_t from = 0, to = 0;
};

struct DetachResult {
  bool was_applied = false;
  std::vector<std::string> interfaces;
  size_t generations = 0;
};

class Enforcer {
 public:
  // `root`: the bpffs root (layout.h); the namespace is the calling thread's.
  Enforcer(bpf::Kernel& k, std::string root);

  // Throws core::Error naming the failed step; nothing that runs changed.
  ApplyResult apply(const Bundle& b, const ApplyOptions& o = {});
  RollbackResult rollback();
  DetachResult detach();
  // Everything about the namespace's enforcement, per domain too (JSON;
  // docs/enforcer.md lists the fields). Reads only; takes no lock.
  nlohmann::json status();
  // The live generation and its policy text, for plan.
  struct Live {
    uint64_t generation = 0;
    std::string policy_text;
  };
  std::optional<Live> live();
  // Calls on_event with each event (JSON) of the live generation's rings
  // until timeout_ms passes (0: drain what is there) or `stop` says so.
  void read_events(const std::function<void(const nlohmann::json&)>& on_event, int timeout_ms,
                   const std::function<bool()>& stop = {});

  const Layout& layout() const { return l_; }

 private:
  bpf::Kernel& k_;
  Layout l_;
};

}  // namespace sentinel::enforcer::core
