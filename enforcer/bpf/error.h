// Kernel-layer failures as typed errors: what was being done, to which map
// or program, the errno, and the verifier or libbpf log when there is one.
#pragma once
#include <stdexcept>
#include <string>

namespace sentinel::enforcer::bpf {

enum class ErrorKind {
  Open,        // the ELF object could not be parsed
  MapCreate,   // a map could not be created
  Verifier,    // the verifier rejected a program
  Load,        // any other load failure
  MapUpdate,
  MapLookup,
  Pin,
  GetPinned,
  Unpin,
  Filesystem,  // bpffs directories
  Link,        // creating the XDP link
  LinkUpdate,  // the compare-and-swap of the link's program
  Query,
  TestRun,
  Ringbuf,
};

const char* to_string(ErrorKind k);

class BpfError : public std::runtime_error {
 public:
  BpfError(ErrorKind kind, std::string object, int err, std::string detail, std::string log = {});
  ErrorKind kind() const { return kind_; }
  const std::string& object() const { return object_; }  // map, program or path
  int err() const { return err_; }                        // positive errno, 0 if none
  const std::string& log() const { return log_; }         // verifier / libbpf log

 private:
  ErrorKind kind_;
  std::string object_;
  int err_;
  std::string log_;
};

}  // namespace sentinel::enforcer::bpf
