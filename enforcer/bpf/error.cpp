#include "enforcer/bpf/error.h"

#include "enforcer/bpf/kernel.h"

#include <cstring>

namespace sentinel::enforcer::bpf {

const char* to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::Open: return "cannot open";
    case ErrorKind::MapCreate: return "cannot create";
    case ErrorKind::Verifier: return "verifier rejected";
    case ErrorKind::Load: return "cannot load";
    case ErrorKind::MapUpdate: return "cannot update";
    case ErrorKind::MapLookup: return "cannot read";
    case ErrorKind::Pin: return "cannot pin";
    case ErrorKind::GetPinned: return "cannot open pinned";
    case ErrorKind::Unpin: return "cannot unpin";
    case ErrorKind::Filesystem: return "bpffs";
    case ErrorKind::Link: return "cannot create the link on";
    case ErrorKind::LinkUpdate: return "cannot update";
    case ErrorKind::Query: return "cannot query";
    case ErrorKind::TestRun: return "test run failed for";
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

const char* to_string(MapKind k) {
  switch (k) {
    case MapKind::Array: return "array";
    case MapKind::Hash: return "hash";
    case MapKind::PercpuArray: return "percpu_array";
    case MapKind::PercpuHash: return "percpu_hash";
    case MapKind::LruHash: return "lru_hash";
    case MapKind::Ringbuf: return "ringbuf";
    case MapKind::ProgArray: return "prog_array";
    case MapKind::Other: return "other";
  }
  return "?";
}

const char* to_string(AttachMode m) {
  switch (m) {
    case AttachMode::None: return "none";
    case AttachMode::Native: return "native";
    case AttachMode::Skb: return "skb";
  }
  return "?";
}

}  // namespace sentinel::enforcer::bpf
