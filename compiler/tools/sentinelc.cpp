// sentinelc: check, build, inspect and explain Sentinel policies.
// Exit codes: 0 clean, 1 usage or internal error, 2 warnings under
// --deny-warnings, 3 errors in the policy.
#include <exception>
#include <iostream>

#include "compiler/support/alloc.h"
#include "compiler/tools/commands.h"

int main(int argc, char** argv) {
  sentinel::tune_allocator_for_short_runs();
  CLI::App app{"sentinelc: the Sentinel policy compiler"};
  app.require_subcommand(1);
  int rc = 0;
  sentinel::tools::add_check_command(app, rc);
  sentinel::tools::add_build_command(app, rc);
  sentinel::tools::add_inspect_command(app, rc);
  sentinel::tools::add_explain_command(app, rc);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int r = app.exit(e);
    return r == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "sentinelc: internal error: " << e.what() << '\n';
    return 1;
  }
  return rc;
}
