// sentinel-enforcer as users run it: --netns, --iface and --bpffs, exit
// codes, text and JSON outputs, on bundle files from the real back end; and
// what a hostile user tried: devices as bundles, bad timeouts, races of
// apply and detach.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "fixture.h"

using namespace sentinel;
using namespace sentinel::ktest;

namespace {

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SN_KTEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SN_KTEST_ASAN 1
#endif
#ifdef SN_KTEST_ASAN
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif

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
  std::string common() const { return " --netns " + n.a + " --bpffs " + n.root; }
  // Runs a subcommand; stdout (and stderr when `err`) captured.
  std::string run(const std::string& args, int* status, bool err = false) {
    return capture(enforcer_cli() + " " + args + common() + (err ? " 2>&1" : " 2>/dev/null"), status);
  }
  nlohmann::json status() {
    int rc = -1;
    auto j = nlohmann::json::parse(run("status -o json", &rc));
    CHECK(rc == 0);
    return j;
  }
};

const char* kA = R"(
firewall {
    default allow
    rule no-telnet deny tcp to any port 23
    rule udp-log   log  udp to any port 9999
}
)";
const char* kB = R"(
firewall {
    default deny
    rule udp-log   log  udp to any port 9999
}
)";

}  // namespace

TEST_CASE("the cli applies, plans, reports, rolls back and detaches", "[kernel][cli]") {
  NetnsPair ns;
  Cli cli(ns);
  std::string a = cli.file("a.snb", build(kA)), b = cli.file("b.snb", build(kB));
  std::string on = " --iface " + ns.ifa;
  int rc = -1;

  std::string out = cli.run("apply " + a, &rc, true);
  CHECK(rc == 1);
  CHECK_THAT(out, Catch::Contains("names no interfaces"));

  out = cli.run("apply " + a + on + on, &rc);  // an interface named twice is one
  CHECK(rc == 0);
  CHECK_THAT(out, Catch::StartsWith("applied generation 1 on snk-a (bank 0, switched in "));
  CHECK_THAT(out, Catch::Contains("links created: snk-a xdp"));
  CHECK_THAT(out, Catch::Contains("state maps created: "));

  auto st = cli.status();
  CHECK(st["generation"] == 1);
  CHECK(st["interfaces"][0]["hooks"]["xdp"]["mode"] == "native");
  CHECK(st["domains"]["firewall"]["rules"][0]["id"] == "no-telnet");
  CHECK(st["domains"]["firewall"]["rules"][1]["id"] == "udp-log");

  out = cli.run("plan " + a + " --detailed-exitcode", &rc);
  CHECK(rc == 0);
  CHECK(out == "plan: no changes\n");
  out = cli.run("plan " + b + " --detailed-exitcode", &rc);
  CHECK(rc == 2);
  CHECK_THAT(out, Catch::StartsWith("plan: 0 to add, 1 to change, 1 to remove (firewall)\n"));
  CHECK_THAT(out, Catch::Contains("default allow -> deny"));
  CHECK_THAT(out, Catch::Contains("- firewall rule no-telnet deny tcp to any port 23"));
  auto pj = nlohmann::json::parse(cli.run("plan " + b + " --format json", &rc));
  CHECK(rc == 0);
  CHECK(pj["changes"] == true);

  // Events from a log rule, read as JSON lines.
  REQUIRE(ns.udp_from_b(2, 9999));
  out = cli.run("alerts --timeout 0.5", &rc);
  CHECK(rc == 0);
  CHECK_THAT(out, Catch::Contains("\"rule\":\"udp-log\""));
  CHECK_THAT(out, Catch::Contains("\"src\":\"10.201.0.2\""));
  CHECK_THAT(out, Catch::Contains("\"interface\":\"snk-a\""));

  std::string bad = read_file(b);
  bad[bad.size() / 2] ^= 0x55;
  std::string badf = cli.file("bad.snb", bad);
  out = cli.run("apply " + badf + on, &rc, true);
  CHECK(rc == 1);
  CHECK_THAT(out, Catch::Contains("sentinel-enforcer apply failed: verify:"));
  CHECK(cli.status()["generation"] == 1);

  out = cli.run("apply " + b + on, &rc);
  CHECK(rc == 0);
  CHECK_THAT(out, Catch::Contains("applied generation 2"));
  CHECK_THAT(out, Catch::Contains("previous generation 1 kept for rollback"));
  // Rules only the previous generation has stay visible, as retired.
  auto st2 = cli.status();
  CHECK(st2["domains"]["firewall"]["rules"][0]["id"] == "udp-log");
  CHECK(st2["domains"]["firewall"]["retired"][0]["id"] == "no-telnet");
  out = cli.run("status", &rc);
  CHECK(rc == 0);
  CHECK_THAT(out, Catch::Contains("generation 2"));
  CHECK_THAT(out, Catch::Contains("udp-log"));
  CHECK_THAT(out, Catch::Contains("snk-a"));

  out = cli.run("rollback", &rc);
  CHECK(rc == 0);
  CHECK_THAT(out, Catch::Contains("from generation 2 to 1"));
  CHECK(cli.status()["generation"] == 1);
  out = cli.run("rollback", &rc);
  CHECK(rc == 0);
  CHECK(cli.status()["generation"] == 2);

  // Two applies at once are serialized by the root's lock: both succeed,
  // each as its own generation, and the later keeps the earlier as previous.
  rc = sh(enforcer_cli() + " apply " + a + on + cli.common() + " & p1=$!; " + enforcer_cli() + " apply " + b + on +
          cli.common() + " & p2=$!; wait $p1 && wait $p2");
  CHECK(rc == 0);
  auto st3 = cli.status();
  CHECK(st3["generation"] == 4);
  CHECK(st3["previous"] == 3);

  out = cli.run("detach", &rc);
  CHECK(rc == 0);
  CHECK_THAT(out, Catch::Contains("detached: links on snk-a"));
  out = cli.run("status", &rc);
  CHECK_THAT(out, Catch::Contains("nothing applied"));
  out = cli.run("detach", &rc);
  CHECK(rc == 0);
  CHECK_THAT(out, Catch::Contains("nothing was applied"));

  out = cli.run("apply " + a + " --iface nosuchif0", &rc, true);
  CHECK(rc == 1);
  CHECK_THAT(out, Catch::Contains("no interface nosuchif0"));
}

TEST_CASE("applies and detaches racing each other leave a readable state", "[kernel][cli]") {
  NetnsPair ns;
  Cli cli(ns);
  std::string a = cli.file("a.snb", build(kA));
  std::string on = " --iface " + ns.ifa;
  for (int round = 0; round < 6; ++round) {
    std::string cmd = "for i in 1 2 3; do " + enforcer_cli() + " apply " + a + on + cli.common() +
                      " >/dev/null || exit 1; done & p1=$!; for i in 1 2 3; do " + enforcer_cli() + " detach" +
                      cli.common() + " >/dev/null || exit 1; done & p2=$!; wait $p1 && wait $p2";
    INFO("round " << round);
    CHECK(sh(cmd) == 0);
    auto st = cli.status();
    INFO(st.dump(2));
    CHECK(st["problems"].empty());
    if (st["applied"] == true) CHECK(ns.xdp_prog(ns.a, ns.ifa) != 0);
    else CHECK(ns.xdp_prog(ns.a, ns.ifa) == 0);
  }
}

TEST_CASE("bad inputs fail fast with a clear message", "[kernel][cli]") {
  NetnsPair ns;
  Cli cli(ns);
  int rc = -1;
  using clock = std::chrono::steady_clock;
  for (const char* cmd : {"apply /dev/zero --iface lo", "plan /dev/zero"}) {
    auto t0 = clock::now();
    // Under a 256 MiB address-space limit: reading gigabytes would fail
    // differently. (Not under ASan, whose shadow memory needs more; the unit
    // test of the reader tracks its allocations there.)
    std::string limit = kAsan ? "" : "ulimit -v 262144; ";
    std::string out = capture(limit + enforcer_cli() + " " + cmd + cli.common() + " 2>&1", &rc);
    double s = std::chrono::duration<double>(clock::now() - t0).count();
    INFO(cmd << ": " << out);
    CHECK(rc == 1);
    CHECK_THAT(out, Catch::Contains("/dev/zero: not a sentinel bundle (bad magic)"));
    CHECK(s < 2.0);
  }
  // A bundle header that declares a part of 2^40 bytes.
  std::string huge("SNBUNDL1", 8);
  huge += std::string("\x01\x00\x00\x00\x04\x00\x00\x00", 8) + "abcd" + std::string("\x00\x00\x00\x00\x00\x01\x00\x00", 8);
  std::string hf = cli.file("huge.snb", huge);
  std::string out = cli.run("apply " + hf + " --iface lo", &rc, true);
  CHECK(rc == 1);
  CHECK_THAT(out, Catch::Contains("more than a bundle of 1024 MiB holds"));

  for (const char* t : {"-1", "nan", "inf", "1e308", "abc"}) {
    std::string o = capture("timeout 5 " + enforcer_cli() + " alerts --timeout " + t + cli.common() + " 2>&1", &rc);
    INFO("--timeout " << t << ": " << o);
    CHECK(rc != 0);
    CHECK(rc != 124);  // not killed by timeout(1): it refused at once
    CHECK_THAT(o, Catch::Contains("--timeout"));
  }

  // alerts --follow stops on SIGTERM.
  std::string a = cli.file("a.snb", build(kA));
  REQUIRE(sh(enforcer_cli() + " apply " + a + " --iface " + ns.ifa + cli.common()) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::string c = enforcer_cli();
    std::string netns = ns.a, root = ns.root;
    ::execl(c.c_str(), c.c_str(), "alerts", "--follow", "--netns", netns.c_str(), "--bpffs", root.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ::kill(pid, SIGTERM);
  auto t0 = clock::now();
  int status = 0;
  pid_t done = 0;
  while ((done = ::waitpid(pid, &status, WNOHANG)) == 0 && clock::now() - t0 < std::chrono::seconds(3))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (done == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  CHECK(done == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
