// BPF templates and ABI headers compiled into sentinelc (see
// embed_files.cmake). Paths are relative to bpf-templates/, e.g.
// "xdp_firewall/xdp_firewall.bpf.c", "include/sentinel/abi/firewall.h".
#pragma once
#include <string_view>
#include <vector>

namespace sentinel::backend {

struct EmbeddedFile {
  std::string_view path;
  std::string_view contents;
};

const std::vector<EmbeddedFile>& embedded_files();

}  // namespace sentinel::backend
