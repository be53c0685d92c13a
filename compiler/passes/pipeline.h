// The front end as one call: read, parse, check, lower, analyze. Every tool
// that needs a policy (check, build, explain, test) goes through here.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/pir/pir.h"
#include "compiler/support/diag.h"
#include "compiler/support/source.h"

namespace sentinel::passes {

struct FrontendOptions {
  bool analyses = true;
};

struct Frontend {
  SourceManager sm;
  DiagEngine diags{sm};
  std::optional<pir::Policy> policy;
};

// paths: files, or directories (every *.sen below, recursively, sorted).
// Unreadable path -> E0002. policy is set iff there were no errors.
std::unique_ptr<Frontend> run_frontend(const std::vector<std::string>& paths,
                                       const FrontendOptions& opts = {});

// The same on sources already in memory: (path for messages, text) pairs.
struct SourceText {
  std::string path, text;
};
std::unique_ptr<Frontend> run_frontend_texts(std::vector<SourceText> sources, const FrontendOptions& opts = {});

}  // namespace sentinel::passes
