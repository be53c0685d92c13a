// A bpf::Kernel that forwards everything to the real one, except that it
// gives the firewall's shared counters map room for every rule. The
// template sizes sn_fw_cnt for 65,536 counters and the loader creates one
// per rule, so without this a policy of more rules cannot load at all; the
// bench enlarges the map (and says so in its output) so the per-packet
// cost can still be measured at 100,000 rules.
#pragma once
#include <memory>

#include "enforcer/bpf/kernel.h"

namespace sentinel::bench {

class CounterRoomKernel : public enforcer::bpf::Kernel {
 public:
  CounterRoomKernel(std::unique_ptr<enforcer::bpf::Kernel> k, uint32_t counters)
      : k_(std::move(k)), counters_(counters) {}

  enforcer::bpf::Loaded load(const enforcer::bpf::LoadSpec& spec) override {
    enforcer::bpf::LoadSpec s = spec;
    if (!s.reuse.count("sn_fw_cnt")) s.max_entries["sn_fw_cnt"] = counters_;
    return k_->load(s);
  }

  using Fd = enforcer::bpf::Fd;
  enforcer::bpf::Features features(const std::string& r) override { return k_->features(r); }
  unsigned possible_cpus() override { return k_->possible_cpus(); }
  enforcer::bpf::MapInfo map_info(const Fd& m, const std::string& n) override {
    return k_->map_info(m, n);
  }
  uint32_t prog_id(const Fd& p) override { return k_->prog_id(p); }
  Fd prog_by_id(uint32_t id) override { return k_->prog_by_id(id); }
  void update_batch(const Fd& m, const std::string& n, const void* k, const void* v,
                    uint32_t c) override {
    k_->update_batch(m, n, k, v, c);
  }
  bool insert(const Fd& m, const std::string& n, const void* k, const void* v) override {
    return k_->insert(m, n, k, v);
  }
  bool lookup(const Fd& m, const std::string& n, const void* k, void* v) override {
    return k_->lookup(m, n, k, v);
  }
  Fd create_array(const std::string& n, uint32_t vs, uint32_t me) override {
    return k_->create_array(n, vs, me);
  }
  void pin(const Fd& o, const std::string& p) override { k_->pin(o, p); }
  Fd get_pinned(const std::string& p) override { return k_->get_pinned(p); }
  void unpin(const std::string& p) override { k_->unpin(p); }
  void make_dir(const std::string& p) override { k_->make_dir(p); }
  void remove_dir(const std::string& p) override { k_->remove_dir(p); }
  std::vector<std::string> list_dir(const std::string& p) override { return k_->list_dir(p); }
  std::shared_ptr<void> lock_dir(const std::string& p) override { return k_->lock_dir(p); }
  Fd create_xdp_link(const Fd& p, int i, enforcer::bpf::AttachMode* m) override {
    return k_->create_xdp_link(p, i, m);
  }
  void link_update(const Fd& l, const Fd& n, const Fd& o) override { k_->link_update(l, n, o); }
  uint32_t link_prog_id(const Fd& l) override { return k_->link_prog_id(l); }
  enforcer::bpf::AttachMode xdp_mode(int i) override { return k_->xdp_mode(i); }
  enforcer::bpf::TestRunResult test_run(const Fd& p, std::span<const uint8_t> f,
                                        uint32_t r) override {
    return k_->test_run(p, f, r);
  }
  std::unique_ptr<enforcer::bpf::RingReader> ring_reader(
      const Fd& rb, std::function<void(std::span<const uint8_t>)> cb) override {
    return k_->ring_reader(rb, std::move(cb));
  }

 private:
  std::unique_ptr<enforcer::bpf::Kernel> k_;
  uint32_t counters_;
};

}  // namespace sentinel::bench
