// Core failures: which step of an operation failed, a message a user can
// act on, and the kernel's log (verifier output) when there is one.
#pragma once
#include <stdexcept>
#include <string>

namespace sentinel::enforcer::core {

class Error : public std::runtime_error {
 public:
  Error(std::string step, const std::string& message, std::string log = {})
      : std::runtime_error(step.empty() ? message : step + ": " + message),
        step_(std::move(step)),
        log_(std::move(log)) {}
  const std::string& step() const { return step_; }
  const std::string& log() const { return log_; }

 private:
  std::string step_;
  std::string log_;
};

}  // namespace sentinel::enforcer::core
