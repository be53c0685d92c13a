// sentinel-enforcer: a thin shell over enforcer/core. Every subcommand takes
// --iface, --bpffs and --netns; failures print one clear line (and the
// verifier log when there is one) and exit 1.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "enforcer/bpf/libbpf_kernel.h"
#include "enforcer/cli/views.h"
#include "enforcer/core/bundle.h"
#include "enforcer/core/enforcer.h"
#include "enforcer/core/error.h"
#include "enforcer/core/layout.h"
#include "enforcer/core/netns.h"
#include "compiler/diff/diff.h"

namespace core = sentinel::enforcer::core;
namespace bpf = sentinel::enforcer::bpf;
namespace cli = sentinel::enforcer::cli;

namespace {

struct Common {
  std::string iface, bpffs, netns;
};

void add_common(CLI::App* c, Common& o) {
  c->add_option("--iface,-i", o.iface, "network interface")->required();
  c->add_option("--bpffs", o.bpffs, "bpffs root (default $SENTINEL_BPFFS or /sys/fs/bpf/sentinel)");
  c->add_option("--netns", o.netns, "network namespace name (/run/netns/NAME)");
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
  core::Target t{core::bpffs_root(o.bpffs), o.iface, core::resolve_ifindex(o.iface)};
  Session s;
  s.kernel = bpf::make_libbpf_kernel();
  s.enf = std::make_unique<core::Enforcer>(*s.kernel, t);
  return s;
}

std::optional<sentinel::pir::Policy> parse_pir(const std::string& text, const char* what) {
  std::string err;
  auto p = sentinel::pir::parse(text, &err);
  if (!p) throw core::Error("plan", std::string("cannot parse the policy of ") + what + ": " + err);
  return p;
}

int cmd_apply(const Common& o, const std::string& path) {
  core::Bundle b = core::read_bundle_file(path);
  Session s = open_session(o);
  core::ApplyResult r = s.enf->apply(b);
  std::printf("applied generation %llu on %s (%s, prog id %u)%s\n",
              static_cast<unsigned long long>(r.generation), o.iface.c_str(),
              bpf::to_string(r.mode), r.prog_id, r.created_link ? ", link created" : "");
  if (r.previous)
    std::printf("previous generation %llu kept for rollback\n",
                static_cast<unsigned long long>(*r.previous));
  for (uint64_t g : r.removed)
    std::printf("removed generation %llu\n", static_cast<unsigned long long>(g));
  for (const auto& w : r.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  return 0;
}

int cmd_plan(const Common& o, const std::string& path, const std::string& format, bool detailed) {
  core::Bundle b = core::read_bundle_file(path);
  auto next = parse_pir(b.firewall.pir, "the bundle");
  Session s = open_session(o);
  std::optional<sentinel::pir::Policy> live;
  std::optional<uint64_t> live_gen;
  if (auto g = s.enf->generations().live()) live_gen = g->number;
  if (auto text = s.enf->live_pir()) live = parse_pir(*text, "the live generation");
  sentinel::diff::Plan p = sentinel::diff::diff_policies(live, *next);
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
  std::printf("rolled back %s from generation %llu to %llu (prog id %u)\n", o.iface.c_str(),
              static_cast<unsigned long long>(r.from), static_cast<unsigned long long>(r.to),
              r.prog_id);
  return 0;
}

int cmd_status(const Common& o, const std::string& format) {
  Session s = open_session(o);
  core::Status st = s.enf->status();
  if (format == "json")
    std::cout << cli::status_json(st, o.iface).dump(2) << "\n";
  else
    std::cout << cli::status_table(st, o.iface);
  return 0;
}

int cmd_detach(const Common& o) {
  Session s = open_session(o);
  s.enf->detach();
  std::printf("detached %s: link, generations and state removed\n", o.iface.c_str());
  return 0;
}

volatile std::sig_atomic_t g_stop = 0;

int cmd_alerts(const Common& o, bool follow, double timeout_s) {
  Session s = open_session(o);
  core::Status st = s.enf->status();
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  auto print = [&](const sn_fw_event& e) {
    std::string id = e.rule < st.rules.size() ? st.rules[e.rule].id
                     : e.rule == st.rules.size() ? "default" : "";
    std::cout << cli::event_json(e, id).dump() << "\n" << std::flush;
  };
  if (!follow) {
    s.enf->read_events(print, static_cast<int>(timeout_s * 1000));
    return 0;
  }
  // Follow: poll in short slices so a signal ends the loop promptly.
  double left = timeout_s;
  while (!g_stop && (timeout_s <= 0 || left > 0)) {
    s.enf->read_events(print, 200);
    left -= 0.2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sentinel-enforcer: verify, plan, apply and watch Sentinel bundles"};
  app.require_subcommand(1);
  Common o;
  std::string bundle_path, format = "text", out = "table";
  bool detailed = false, follow = false;
  double timeout = 0;

  auto* apply = app.add_subcommand("apply", "verify a bundle and switch to it atomically");
  apply->add_option("bundle", bundle_path, "bundle file (.snb)")->required();
  add_common(apply, o);

  auto* plan = app.add_subcommand("plan", "what apply would change, against the live kernel state");
  plan->add_option("bundle", bundle_path, "bundle file (.snb)")->required();
  plan->add_option("--format", format, "text or json")->check(CLI::IsMember({"text", "json"}));
  plan->add_flag("--detailed-exitcode", detailed, "exit 0 without changes, 2 with changes, 1 on error");
  add_common(plan, o);

  auto* rollback = app.add_subcommand("rollback", "return to the previous generation");
  add_common(rollback, o);

  auto* status = app.add_subcommand("status", "generation, attach mode and per-rule counters");
  status->add_option("-o,--output", out, "table or json")->check(CLI::IsMember({"table", "json"}));
  add_common(status, o);

  auto* detach = app.add_subcommand("detach", "remove the link, all generations and state");
  add_common(detach, o);

  auto* alerts = app.add_subcommand("alerts", "firewall events as JSON lines");
  alerts->add_flag("--follow,-f", follow, "keep reading until interrupted or --timeout");
  alerts->add_option("--timeout", timeout, "seconds to read (default: drain and exit)");
  add_common(alerts, o);

  CLI11_PARSE(app, argc, argv);

  const char* step = "";
  try {
    if (*apply) step = "apply", std::exit(cmd_apply(o, bundle_path));
    if (*plan) step = "plan", std::exit(cmd_plan(o, bundle_path, format, detailed));
    if (*rollback) step = "rollback", std::exit(cmd_rollback(o));
    if (*status) step = "status", std::exit(cmd_status(o, out));
    if (*detach) step = "detach", std::exit(cmd_detach(o));
    if (*alerts) step = "alerts", std::exit(cmd_alerts(o, follow, timeout));
  } catch (const core::Error& e) {
    std::fprintf(stderr, "sentinel-enforcer %s failed: %s\n", step, e.what());
    if (!e.log().empty())
      std::fprintf(stderr, "--- kernel log (last lines) ---\n%s\n", tail(e.log(), 40).c_str());
    if (!std::string_view(step).compare("apply"))
      std::fprintf(stderr, "the running generation, if any, is unchanged\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sentinel-enforcer %s failed: %s\n", step, e.what());
    return 1;
  }
  return 1;
}
