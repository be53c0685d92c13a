// The enforcer's operations on one interface: apply a bundle as a new
// generation and switch to it atomically, roll back, detach, report status.
// All kernel access goes through bpf::Kernel, so the same code runs on the
// real kernel and on the fake in unit tests. The caller has already entered
// the interface's network namespace (see netns.h).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "enforcer/bpf/kernel.h"
#include "enforcer/core/bundle.h"
#include "enforcer/core/generations.h"

namespace sentinel::enforcer::core {

struct Target {
  std::string bpffs_root;
  std::string ifname;
  int ifindex = 0;
};

struct ApplyOptions {
  // Forces a map's max_entries (by libbpf name). Only for tests that need
  // a real kernel-side map creation failure.
  std::map<std::string, uint32_t> max_entries_override;
};

struct ApplyResult {
  uint64_t generation = 0;
  std::optional<uint64_t> previous;  // kept for rollback
  std::vector<uint64_t> removed;     // older generations deleted
  uint32_t prog_id = 0;
  bpf::AttachMode mode = bpf::AttachMode::None;
  bool created_link = false;
  std::vector<std::string> warnings;  // cleanup problems after a successful switch
};

struct RollbackResult {
  uint64_t from = 0, to = 0;
  uint32_t prog_id = 0;
};

struct Counter {
  std::string id;
  std::string action;
  uint64_t packets = 0, bytes = 0;
};

struct Status {
  bool attached = false;
  uint64_t generation = 0;
  std::optional<uint64_t> previous;
  std::string bundle_sha256;
  uint64_t applied_unix = 0;
  bpf::AttachMode mode = bpf::AttachMode::None;
  uint32_t prog_id = 0;
  std::string default_action, policy_mode;
  std::vector<Counter> rules;  // in rule order
  // Rules of the previous generation that the live one no longer has.
  std::vector<Counter> retired;
  Counter default_rule;
  Counter malformed;
  uint64_t events_emitted = 0, events_skipped = 0;
};

class Enforcer {
 public:
  Enforcer(bpf::Kernel& k, Target t);

  // Throws core::Error naming the failed step; the running generation is
  // then untouched and the half-built one removed.
  ApplyResult apply(const Bundle& b, const ApplyOptions& o = {});
  RollbackResult rollback();
  // Removes the link, every generation and the shared state.
  void detach();
  Status status();
  // The policy text the live generation was built from; nullopt when nothing runs.
  std::optional<std::string> live_pir();
  // Calls on_event for each record of the events ring until timeout_ms
  // passes (0: drain what is there; <0: forever).
  void read_events(const std::function<void(const sn_fw_event&)>& on_event, int timeout_ms);

  Generations& generations() { return gens_; }

 private:
  struct RuleRef {
    std::string id;
    uint32_t action;
    uint64_t counter_key;
  };
  // Generation n's rules in order, the default last.
  std::vector<RuleRef> gen_rules(uint64_t n, sn_fw_config* cfg);
  void make_dir_path(const std::string& path);
  bpf::Kernel& k_;
  Target t_;
  Generations gens_;
};

}  // namespace sentinel::enforcer::core
