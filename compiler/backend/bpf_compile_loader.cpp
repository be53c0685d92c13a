// compile_bpf and friends on top of the BPF compiler module, loaded on first
// use (bpf_clang_api.h says why it is a module).
#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <mutex>

#include "compiler/backend/bpf_clang_api.h"
#include "compiler/backend/bpf_compile.h"
#include "compiler/backend/bundle_plan.h"

namespace sentinel::backend {

namespace {

std::string exe_dir() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  std::string p(buf, static_cast<size_t>(n));
  return p.substr(0, p.rfind('/'));
}

// Next to the executable first (a tree with sentinelc and the module side by
// side), then where this build put it.
const BpfClangApi* load(std::string* why) {
  std::vector<std::string> candidates;
  if (auto d = exe_dir(); !d.empty()) candidates.push_back(d + "/" SN_BPF_CLANG_NAME);
  candidates.push_back(SN_BPF_CLANG_PATH);
  std::string errors;
  for (const auto& path : candidates) {
    if (access(path.c_str(), R_OK) != 0) continue;
    void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      errors += std::string("; ") + dlerror();
      continue;
    }
    auto entry = reinterpret_cast<const BpfClangApi* (*)()>(dlsym(h, "sn_bpf_clang_api"));
    const BpfClangApi* api = entry ? entry() : nullptr;
    if (!api || api->version != kBpfClangApiVersion || std::string(api->llvm_version) != SN_LLVM_VERSION) {
      errors += "; " + path + " is not this build's BPF compiler module";
      dlclose(h);
      continue;
    }
    return api;  // kept loaded for the life of the process
  }
  *why = "cannot load the BPF compiler module " SN_BPF_CLANG_NAME " (next to the executable or at " SN_BPF_CLANG_PATH
         ")" + errors;
  return nullptr;
}

const BpfClangApi& api() {
  static std::once_flag once;
  static const BpfClangApi* loaded = nullptr;
  static std::string why;
  std::call_once(once, [] { loaded = load(&why); });
  if (!loaded) throw BpfCompileError(why);
  return *loaded;
}

}  // namespace

std::string llvm_version() { return SN_LLVM_VERSION; }

std::string compile_bpf(const std::string& template_path, const std::vector<std::string>& defines) {
  std::string object, error;
  if (!api().compile(embedded_files(), template_path, defines, &object, &error)) throw BpfCompileError(error);
  return object;
}

std::string compile_variant(const std::string& templ, const std::vector<std::string>& defines) {
  std::vector<std::string> all = defines;
  // The variant, compiled into the object, so the enforcer can tell it.
  all.push_back("SN_VARIANT=\"" + variant_string(templ, defines) + "\"");
  return compile_bpf(templ, all);
}

}  // namespace sentinel::backend
