// sentinelc build PATH... -o FILE.snb: the bundle. Diagnostics go to stderr
// as in `check`; with errors nothing is written (exit 3). The file appears
// atomically (temp file + rename), so a reader never sees half a bundle.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>

#include "compiler/backend/build.h"
#include "compiler/backend/plan_context.h"
#include "compiler/lower/pir_to_plan.h"
#include "compiler/passes/pipeline.h"
#include "compiler/tools/commands.h"

extern char** environ;

namespace sentinel::tools {

namespace {

struct BuildArgs {
  std::vector<std::string> paths;
  std::string output;
  std::string revision;
  std::string dump_after;
  std::string sign_key;
  bool deny_warnings = false;
  bool no_precompiled = false;
};

// Runs a command without a shell (paths need no quoting); stdout, or
// nullopt when it cannot run or exits non-zero.
std::optional<std::string> run_capture(const std::vector<std::string>& argv) {
  int fds[2];
  if (pipe(fds) != 0) return std::nullopt;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0].c_str(), &fa, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  std::string out;
  if (rc == 0) {
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, n);
  }
  close(fds[0]);
  if (rc != 0) return std::nullopt;
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return out;
}

// The policy's git revision and whether its files have uncommitted changes.
void git_state(const std::vector<std::string>& paths, backend::BuildOptions& opts) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path first = paths.front();
  fs::path dir = fs::is_directory(first, ec) ? first : first.parent_path();
  if (dir.empty()) dir = ".";
  auto head = run_capture({"git", "-C", dir.string(), "rev-parse", "HEAD"});
  if (!head) return;
  while (!head->empty() && (head->back() == '\n' || head->back() == '\r')) head->pop_back();
  if (!opts.revision) opts.revision = *head;
  std::vector<std::string> st = {"git", "-C", dir.string(), "status", "--porcelain", "--"};
  for (const auto& p : paths) st.push_back(fs::absolute(p, ec).string());
  auto status = run_capture(st);
  opts.dirty = !status || !status->empty();
}

bool write_atomically(const std::string& path, const std::string& bytes, std::string* err) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *err = "cannot create " + tmp + ": " + strerror(errno);
    return false;
  }
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      *err = "cannot write " + tmp + ": " + strerror(errno);
      close(fd);
      unlink(tmp.c_str());
      return false;
    }
    off += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    *err = "cannot write " + path + ": " + strerror(errno);
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

int run_build(const BuildArgs& a) {
  if (a.output.empty() && a.dump_after.empty()) {
    std::cerr << "sentinelc build: -o FILE.snb is required\n";
    return 1;
  }
  // The rule analyses only warn: `check` runs them; build needs them only
  // when a warning would stop it.
  passes::FrontendOptions fo;
  fo.analyses = a.deny_warnings;
  auto fe = passes::run_frontend(a.paths, fo);
  fe->diags.sort();
  std::cerr << fe->diags.render_text();
  if (fe->diags.errors() || !fe->policy) return 3;
  if (fe->diags.warnings() && a.deny_warnings) return 2;
  const pir::Policy& policy = *fe->policy;

  if (a.dump_after == "plan") {
    try {
      std::cout << backend::print_plans(policy);
    } catch (const lower::LowerError& e) {
      std::cerr << "error: " << e.what() << '\n';
      return 3;
    }
    if (a.output.empty()) return 0;
  }

  backend::BuildOptions opts;
  opts.sign_key = a.sign_key;
  opts.precompiled = !a.no_precompiled;
  if (!a.revision.empty()) opts.revision = a.revision;
  git_state(a.paths, opts);
  std::string err;
  bool policy_error = false;
  auto bytes = backend::build_bundle(policy, opts, &err, &policy_error);
  if (!bytes) {
    std::cerr << "error: " << err << '\n';
    return policy_error ? 3 : 1;
  }
  if (!write_atomically(a.output, *bytes, &err)) {
    std::cerr << "sentinelc build: " << err << '\n';
    return 1;
  }
  std::cerr << "wrote " << a.output << " (" << bytes->size() << " bytes";
  for (const auto& b : policy.blocks) std::cerr << ", " << domain_name(b->domain());
  std::cerr << ")\n";
  return 0;
}

}  // namespace

void add_build_command(CLI::App& app, int& rc) {
  auto args = std::make_shared<BuildArgs>();
  auto* cmd = app.add_subcommand("build", "compile policies into a bundle (.snb)");
  cmd->add_option("paths", args->paths, "policy files or directories (every *.sen below)")
      ->required();
  cmd->add_option("-o,--output", args->output, "the bundle file to write");
  cmd->add_option("--revision", args->revision,
                  "policy revision for the manifest (default: git HEAD of the policy's repository)");
  cmd->add_flag("--deny-warnings", args->deny_warnings,
                "run the rule analyses too (as check does); exit 2 on warnings, write nothing");
  cmd->add_option("--sign", args->sign_key, "sign the bundle with this Ed25519 private key (PEM)");
  cmd->add_flag("--no-precompiled", args->no_precompiled,
                "compile every BPF object instead of using the ones sentinelc carries (same bytes, slower)");
  cmd->add_option("--dump-after", args->dump_after, "print an IR after a stage: plan")
      ->check(CLI::IsMember({"plan"}));
  cmd->callback([args, &rc] { rc = run_build(*args); });
}

}  // namespace sentinel::tools
