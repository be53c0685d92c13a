#include "enforcer/bpf/error.h"

#include "enforcer/bpf/kernel.h"

#include <cstring>

namespace sentinel::enforcer::bpf {

const char* to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::Open: return "open object";
    case ErrorKind::MapCreate: return "create map";
    case ErrorKind::Verifier: return "verifier rejected program";
    case ErrorKind::Load: return "load object";
    case ErrorKind::MapUpdate: return "update map";
    case ErrorKind::MapLookup: return "read map";
    case ErrorKind::Pin: return "pin";
    case ErrorKind::GetPinned: return "open pinned object";
    case ErrorKind::Unpin: return "unpin";
    case ErrorKind::Filesystem: return "bpffs";
    case ErrorKind::Link: return "create xdp link";
    case ErrorKind::LinkUpdate: return "update xdp link";
    case ErrorKind::Query: return "query";
    case ErrorKind::TestRun: return "test run";
    case ErrorKind::Ringbuf: return "ring buffer";
  }
  return "kernel";
}

static std::string compose(ErrorKind kind, const std::string& object, int err,
                           const std::string& detail) {
  std::string m = to_string(kind);
  if (!object.empty()) m += " " + object;
  if (!detail.empty()) m += ": " + detail;
  if (err) m += std::string(detail.empty() ? ": " : " (") + std::strerror(err) +
                (detail.empty() ? "" : ")");
  return m;
}

BpfError::BpfError(ErrorKind kind, std::string object, int err, std::string detail,
                   std::string log)
    : std::runtime_error(compose(kind, object, err, detail)),
      kind_(kind),
      object_(std::move(object)),
      err_(err),
      log_(std::move(log)) {}

const char* to_string(AttachMode m) {
  switch (m) {
    case AttachMode::None: return "none";
    case AttachMode::Native: return "native";
    case AttachMode::Skb: return "skb";
  }
  return "?";
}

}  // namespace sentinel::enforcer::bpf
