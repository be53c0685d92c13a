// sentinelc check PATH...: parse, type-check and analyze; needs no kernel.
// Exit 0 clean (warnings allowed), 2 warnings under --deny-warnings,
// 3 errors, 1 usage or internal error.
#include <iostream>
#include <memory>

#include "compiler/passes/pipeline.h"
#include "compiler/tools/commands.h"

namespace sentinel::tools {

namespace {
struct CheckArgs {
  std::vector<std::string> paths;
  std::string format = "text";
  bool deny_warnings = false;
  bool no_analyses = false;
};
}  // namespace

void add_check_command(CLI::App& app, int& rc) {
  auto args = std::make_shared<CheckArgs>();
  auto* cmd = app.add_subcommand("check", "parse, type-check and analyze policies");
  cmd->add_option("paths", args->paths, "policy files or directories (every *.sen below)")
      ->required();
  cmd->add_option("--format", args->format, "text, json, sarif or github")
      ->check(CLI::IsMember({"text", "json", "sarif", "github"}));
  cmd->add_flag("--deny-warnings", args->deny_warnings, "exit 2 when there are warnings");
  cmd->add_flag("--no-analyses", args->no_analyses, "skip the rule analyses (shadowing, ...)");
  cmd->callback([args, &rc] {
    passes::FrontendOptions opts;
    opts.analyses = !args->no_analyses;
    auto fe = passes::run_frontend(args->paths, opts);
    const DiagEngine& d = fe->diags;
    if (args->format == "json") std::cout << d.render_json();
    else if (args->format == "sarif") std::cout << d.render_sarif();
    else if (args->format == "github") std::cout << d.render_github();
    else std::cout << d.render_text();
    if (d.errors()) rc = 3;
    else if (d.warnings() && args->deny_warnings) rc = 2;
    else rc = 0;
  });
}

}  // namespace sentinel::tools
