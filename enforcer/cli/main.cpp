// sentinel-enforcer: a thin shell over enforcer/core. Every subcommand works
// on one network namespace (--netns, or the current one) under one bpffs
// root (--bpffs); failures print one clear line (and the verifier log when
// there is one) and exit 1.
#include <CLI/CLI.hpp>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "compiler/diff/diff.h"
#include "compiler/support/alloc.h"
#include "enforcer/bpf/libbpf_kernel.h"
#include "enforcer/cli/views.h"
#include "enforcer/core/bundle.h"
#include "enforcer/core/enforcer.h"
#include "enforcer/core/error.h"
#include "enforcer/core/layout.h"
#include "enforcer/core/netns.h"

namespace core = sentinel::enforcer::core;
namespace bpf = sentinel::enforcer::bpf;
namespace cli = sentinel::enforcer::cli;

namespace {

struct Common {
  std::string bpffs, netns;
};

void add_common(CLI::App* c, Common& o) {
  c->add_option("--bpffs", o.bpffs, "bpffs root (default $SENTINEL_BPFFS or /sys/fs/bpf/sentinel)");
  c->add_option("--netns", o.netns, "network namespace name (/run/netns/NAME); default: the current one");
}

// The last lines of a verifier log: the rejection reason is at the end.
std::string tail(const std::string& log, size_t lines) {
  size_t pos = log.size();
  for (size_t n = 0; pos > 0 && n <= lines; ++n) {
    pos = log.rfind('\n', pos - 1);
    if (pos == std::string::npos) return log;
  }
  return log.substr(pos + 1);
}

struct Session {
  std::unique_ptr<bpf::Kernel> kernel;
  std::unique_ptr<core::Enforcer> enf;
};

Session open_session(const Common& o) {
  core::enter_netns(o.netns);
  Session s;
  s.kernel = bpf::make_libbpf_kernel();
  s.enf = std::make_unique<core::Enforcer>(*s.kernel, core::bpffs_root(o.bpffs));
  return s;
}

std::string public_key(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* e = std::getenv("SENTINEL_PUBLIC_KEY");
  return e ? e : "";
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

int cmd_apply(const Common& o, const std::string& path, const std::vector<std::string>& ifaces,
              const std::string& key) {
  core::Bundle b = core::read_bundle_file(path, {public_key(key)});
  Session s = open_session(o);
  core::ApplyOptions ao;
  ao.ifaces = ifaces;
  core::ApplyResult r = s.enf->apply(b, ao);
  std::printf("applied generation %llu on %s (bank %u, switched in %.1f us)\n",
              static_cast<unsigned long long>(r.generation), join(r.interfaces).c_str(), r.bank, r.switch_ns / 1e3);
  if (b.signature_verified) std::printf("signature by key %s verified\n", b.signed_by->c_str());
  if (r.dispatcher_upgraded) std::printf("dispatchers upgraded in place to version %d\n", SN_DISPATCH_VERSION);
  if (!r.links_created.empty()) std::printf("links created: %s\n", join(r.links_created).c_str());
  if (!r.state_created.empty()) std::printf("state maps created: %s\n", join(r.state_created).c_str());
  if (r.previous)
    std::printf("previous generation %llu kept for rollback\n", static_cast<unsigned long long>(*r.previous));
  for (uint64_t g : r.removed) std::printf("removed generation %llu\n", static_cast<unsigned long long>(g));
  if (r.counters_reclaimed) std::printf("reclaimed %llu counters of removed rules\n", (unsigned long long)r.counters_reclaimed);
  for (const auto& w : r.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  return 0;
}

int cmd_plan(const Common& o, const std::string& path, const std::string& format, bool detailed,
             const std::string& key) {
  core::Bundle b = core::read_bundle_file(path, {public_key(key)});
  Session s = open_session(o);
  std::optional<sentinel::pir::Policy> live;
  std::optional<uint64_t> live_gen;
  if (auto l = s.enf->live()) {
    std::string err;
    live = sentinel::pir::parse(l->policy_text, &err);
    if (!live) throw core::Error("plan", "cannot parse the policy of the live generation: " + err);
    live_gen = l->generation;
  }
  sentinel::diff::Plan p = sentinel::diff::diff_policies(live, b.policy);
  p.live_generation = live_gen;
  if (format == "json")
    std::cout << sentinel::diff::render_json(p).dump(2) << "\n";
  else
    std::cout << sentinel::diff::render_text(p);
  return detailed && !p.empty() ? 2 : 0;
}

int cmd_rollback(const Common& o) {
  Session s = open_session(o);
  core::RollbackResult r = s.enf->rollback();
  std::printf("rolled back from generation %llu to %llu (rollback again to return)\n",
              static_cast<unsigned long long>(r.from), static_cast<unsigned long long>(r.to));
  return 0;
}

int cmd_status(const Common& o, const std::string& format) {
  Session s = open_session(o);
  auto st = s.enf->status();
  if (format == "json")
    std::cout << st.dump(2) << "\n";
  else
    std::cout << cli::status_table(st);
  return 0;
}

int cmd_detach(const Common& o) {
  Session s = open_session(o);
  auto r = s.enf->detach();
  if (!r.was_applied)
    std::printf("nothing was applied in this network namespace\n");
  else
    std::printf("detached: links on %s, %zu generations and the state removed\n",
                r.interfaces.empty() ? "no interface" : join(r.interfaces).c_str(), r.generations);
  return 0;
}

volatile std::sig_atomic_t g_stop = 0;

int cmd_alerts(const Common& o, bool follow, double timeout_s) {
  Session s = open_session(o);
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  auto print = [&](const nlohmann::json& e) { std::cout << e.dump() << "\n" << std::flush; };
  auto stop = [] { return g_stop != 0; };
  if (!follow) {
    s.enf->read_events(print, static_cast<int>(timeout_s * 1000), stop);
    return 0;
  }
  // Follow: until interrupted, or until --timeout when one was given.
  double left = timeout_s;
  while (!g_stop && (timeout_s == 0 || left > 0)) {
    s.enf->read_events(print, 200, stop);
    left -= 0.2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  sentinel::tune_allocator_for_short_runs();
  CLI::App app{"sentinel-enforcer: verify, plan, apply and watch Sentinel bundles"};
  app.require_subcommand(1);
  Common o;
  std::string bundle_path, format = "text", out = "table", key;
  std::vector<std::string> ifaces;
  bool detailed = false, follow = false;
  double timeout = 0;

  auto* apply = app.add_subcommand("apply", "verify a bundle and switch to it atomically");
  apply->add_option("bundle", bundle_path, "bundle file (.snb)")->required();
  apply->add_option("--iface,-i", ifaces, "interface to enforce on (repeatable; default: the policy's own)");
  apply->add_option("--public-key", key, "require a signature by this Ed25519 key (PEM; or $SENTINEL_PUBLIC_KEY)");
  add_common(apply, o);

  auto* plan = app.add_subcommand("plan", "what apply would change, against the live kernel state");
  plan->add_option("bundle", bundle_path, "bundle file (.snb)")->required();
  plan->add_option("--format", format, "text or json")->check(CLI::IsMember({"text", "json"}));
  plan->add_flag("--detailed-exitcode", detailed, "exit 0 without changes, 2 with changes, 1 on error");
  plan->add_option("--public-key", key, "require a signature by this Ed25519 key (PEM)");
  add_common(plan, o);

  auto* rollback = app.add_subcommand("rollback", "switch back to the previous generation");
  add_common(rollback, o);

  auto* status = app.add_subcommand("status", "generations, interfaces and every domain's counters");
  status->add_option("-o,--output", out, "table or json")->check(CLI::IsMember({"table", "json"}));
  add_common(status, o);

  auto* detach = app.add_subcommand("detach", "remove every link, generation and the state");
  add_common(detach, o);

  auto* alerts = app.add_subcommand("alerts", "events of every domain as JSON lines");
  alerts->add_flag("--follow,-f", follow, "keep reading until interrupted or --timeout");
  alerts->add_option("--timeout", timeout, "seconds to read (default: drain and exit)")
      ->check(CLI::Range(0.0, 31536000.0).description("0 to 31536000 seconds"));
  add_common(alerts, o);

  CLI11_PARSE(app, argc, argv);
  // CLI::Range lets NaN through (every comparison with it is false).
  if (std::isnan(timeout)) {
    std::fprintf(stderr, "sentinel-enforcer alerts: --timeout must be a number of seconds, 0 to 31536000\n");
    return 1;
  }

  const char* step = "";
  try {
    if (*apply) step = "apply", std::exit(cmd_apply(o, bundle_path, ifaces, key));
    if (*plan) step = "plan", std::exit(cmd_plan(o, bundle_path, format, detailed, key));
    if (*rollback) step = "rollback", std::exit(cmd_rollback(o));
    if (*status) step = "status", std::exit(cmd_status(o, out));
    if (*detach) step = "detach", std::exit(cmd_detach(o));
    if (*alerts) step = "alerts", std::exit(cmd_alerts(o, follow, timeout));
  } catch (const core::Error& e) {
    std::fprintf(stderr, "sentinel-enforcer %s failed: %s\n", step, e.what());
    if (!e.log().empty()) std::fprintf(stderr, "--- kernel log (last lines) ---\n%s\n", tail(e.log(), 40).c_str());
    if (std::string_view(step) == "apply") std::fprintf(stderr, "what ran before is unchanged\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sentinel-enforcer %s failed: %s\n", step, e.what());
    return 1;
  }
  return 1;
}
