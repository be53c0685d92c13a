// One file per sentinelc subcommand; each registers itself on the app and
// writes its exit code into `rc` when it runs. The driver stays thin.
#pragma once
#include <CLI/CLI.hpp>

namespace sentinel::tools {

void add_check_command(CLI::App& app, int& rc);
void add_build_command(CLI::App& app, int& rc);
void add_inspect_command(CLI::App& app, int& rc);
void add_explain_command(CLI::App& app, int& rc);

}  // namespace sentinel::tools
