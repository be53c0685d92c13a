// sentinel-enforcer as users run it: --netns and --bpffs, exit codes, text
// and JSON outputs, on bundle files from the real back end.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "fixture.h"

using namespace sentinel;
using namespace sentinel::ktest;

namespace {

struct Cli {
  NetnsPair& n;
  std::string dir;
  explicit Cli(NetnsPair& pair) : n(pair) {
    char tmpl[] = "/tmp/sn-ktest-cli-XXXXXX";
    dir = ::mkdtemp(tmpl);
  }
  ~Cli() { sh("rm -rf " + dir); }
  std::string file(const std::string& name, const std::string& bytes) {
    write_file(dir + "/" + name, bytes);
    return dir + "/" + name;
  }
  // Runs a subcommand; stdout (and stderr when `err`) captured.
  std::string run(const std::string& args, int* status, bool err = false) {
    return capture(enforcer_cli() + " " + args + " --iface " + n.ifa + " --netns " + n.a +
                       " --bpffs " + n.root + (err ? " 2>&1" : " 2>/dev/null"),
                   status);
  }
};

pir::Policy pa() {
  return policy(pir::FirewallAction::Allow, {rule("no-telnet", pir::FirewallAction::Deny, pir::Proto::Tcp, 23),
                                     rule("udp-log", pir::FirewallAction::Log, pir::Proto::Udp, 9999)});
}
pir::Policy pb() {
  return policy(pir::FirewallAction::Deny, {rule("udp-log", pir::FirewallAction::Log, pir::Proto::Udp, 9999)});
}

}  // namespace

TEST_CASE("the cli applies, plans, reports, rolls back and detaches", "[kernel][cli]") {
  NetnsPair ns;
  Cli cli(ns);
  std::string a = cli.file("a.snb", build(pa())), b = cli.file("b.snb", build(pb()));
  int rc = -1;

  std::string out = cli.run("apply " + a, &rc);
  CHECK(rc == 0);
  CHECK_THAT(out, Catch::Contains("applied generation 1 on snk-a (native"));

  auto st = nlohmann::json::parse(cli.run("status -o json", &rc));
  CHECK(rc == 0);
  CHECK(st["generation"] == 1);
  CHECK(st["attach_mode"] == "native");
  CHECK(st["firewall"]["rules"][0]["id"] == "no-telnet");
  CHECK(st["firewall"]["rules"][1]["id"] == "udp-log");

  out = cli.run("plan " + a + " --detailed-exitcode", &rc);
  CHECK(rc == 0);
  CHECK(out == "plan: no changes\n");
  out = cli.run("plan " + b + " --detailed-exitcode", &rc);
  CHECK(rc == 2);
  CHECK_THAT(out, Catch::StartsWith("plan: 0 to add, 1 to change, 1 to remove (firewall)\n"));
  CHECK_THAT(out, Catch::Contains("~ firewall default allow -> deny"));
  CHECK_THAT(out, Catch::Contains("- firewall rule no-telnet deny tcp to any port 23"));
  auto pj = nlohmann::json::parse(cli.run("plan " + b + " --format json", &rc));
  CHECK(rc == 0);
  CHECK(pj["changes"] == true);
  CHECK(pj["domains"]["firewall"]["remove"] == 1);

  // Events from a log rule, read as JSON lines.
  REQUIRE(ns.udp_from_b(2, 9999));
  out = cli.run("alerts --timeout 0.5", &rc);
  CHECK(rc == 0);
  CHECK_THAT(out, Catch::Contains("\"rule\":\"udp-log\""));
  CHECK_THAT(out, Catch::Contains("\"src\":\"10.201.0.2\""));

  std::string bad = read_file(b);
  bad[bad.size() / 2] ^= 0x55;
  std::string badf = cli.file("bad.snb", bad);
  out = cli.run("apply " + badf, &rc, true);
  CHECK(rc == 1);
  CHECK_THAT(out, Catch::Contains("sentinel-enforcer apply failed: verify:"));
  CHECK(nlohmann::json::parse(cli.run("status -o json", &rc))["generation"] == 1);

  out = cli.run("apply " + b, &rc);
  CHECK(rc == 0);
  CHECK_THAT(out, Catch::Contains("applied generation 2"));
  CHECK_THAT(out, Catch::Contains("previous generation 1 kept for rollback"));
  // Rules only the previous generation has stay visible, marked not live.
  auto st2 = nlohmann::json::parse(cli.run("status -o json", &rc));
  CHECK(st2["firewall"]["rules"][0]["id"] == "udp-log");
  CHECK(st2["firewall"]["rules"][0]["live"] == true);
  CHECK(st2["firewall"]["rules"][1]["id"] == "no-telnet");
  CHECK(st2["firewall"]["rules"][1]["live"] == false);
  out = cli.run("status", &rc);
  CHECK_THAT(out, Catch::Contains("generation 2"));
  CHECK_THAT(out, Catch::Contains("only in the previous generation"));
  CHECK_THAT(out, Catch::Contains("udp-log"));

  out = cli.run("rollback", &rc);
  CHECK(rc == 0);
  CHECK_THAT(out, Catch::Contains("from generation 2 to 1"));
  CHECK(nlohmann::json::parse(cli.run("status -o json", &rc))["generation"] == 1);
  out = cli.run("rollback", &rc, true);
  CHECK(rc == 1);
  CHECK_THAT(out, Catch::Contains("no previous generation"));

  // Two applies at once are serialized by the interface lock: both succeed,
  // each as its own generation, and the later one keeps the earlier as previous.
  std::string common = " --iface " + ns.ifa + " --netns " + ns.a + " --bpffs " + ns.root;
  rc = sh(enforcer_cli() + " apply " + a + common + " & p1=$!; " + enforcer_cli() + " apply " + b +
          common + " & p2=$!; wait $p1 && wait $p2");
  CHECK(rc == 0);
  auto st3 = nlohmann::json::parse(cli.run("status -o json", &rc));
  CHECK(st3["generation"] == 4);
  CHECK(st3["previous_generation"] == 3);

  out = cli.run("detach", &rc);
  CHECK(rc == 0);
  out = cli.run("status", &rc);
  CHECK_THAT(out, Catch::Contains("nothing applied"));

  out = capture(enforcer_cli() + " status --iface nosuchif0 --netns " + ns.a + " --bpffs " +
                    ns.root + " 2>&1",
                &rc);
  CHECK(rc == 1);
  CHECK_THAT(out, Catch::Contains("no interface nosuchif0"));
}
