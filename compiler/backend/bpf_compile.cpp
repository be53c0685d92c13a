// The BPF compiler module (libsn_bpf_clang.so, bpf_clang_api.h): clang's
// C++ API on the templates sentinelc hands it. Loaded by bpf_compile_loader.cpp.
#include <clang/Basic/DiagnosticOptions.h>
#include <clang/CodeGen/CodeGenAction.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/CompilerInvocation.h>
#include <clang/Frontend/TextDiagnosticPrinter.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/VirtualFileSystem.h>
#include <llvm/Support/raw_ostream.h>

#include <mutex>

#include "compiler/backend/bpf_clang_api.h"

extern "C" {
void LLVMInitializeBPFTargetInfo();
void LLVMInitializeBPFTarget();
void LLVMInitializeBPFTargetMC();
void LLVMInitializeBPFAsmPrinter();
void LLVMInitializeBPFAsmParser();  // inline asm: SN_CAN_LOOP (may_goto)
}

namespace sentinel::backend {

namespace {

// Every embedded file lives under this root. It never reaches the object:
// -fdebug-prefix-map rewrites it (and /usr/include) to relative names, so the
// bytes do not depend on where anything is installed.
constexpr const char* kRoot = "/sentinel-bpf";

void init_bpf_target() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeBPFTargetInfo();
    LLVMInitializeBPFTarget();
    LLVMInitializeBPFTargetMC();
    LLVMInitializeBPFAsmPrinter();
    LLVMInitializeBPFAsmParser();
  });
}

std::string base_name(const std::string& p) {
  auto s = p.rfind('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

bool compile(const std::vector<EmbeddedFile>& files, const std::string& template_path,
             const std::vector<std::string>& defines, std::string* object_out, std::string* error) {
  init_bpf_target();

  auto mem = llvm::makeIntrusiveRefCnt<llvm::vfs::InMemoryFileSystem>();
  bool found = false;
  for (const auto& f : files) {
    std::string path = std::string(kRoot) + "/" + std::string(f.path);
    mem->addFile(path, 0, llvm::MemoryBuffer::getMemBuffer(f.contents, path, false));
    if (f.path == template_path) found = true;
  }
  if (!found) {
    *error = "no embedded BPF template `" + template_path + "`";
    return false;
  }
  auto vfs = llvm::makeIntrusiveRefCnt<llvm::vfs::OverlayFileSystem>(llvm::vfs::getRealFileSystem());
  vfs->pushOverlay(mem);

  const std::string main_file = std::string(kRoot) + "/" + template_path;
  // The cc1 flags `clang -target bpf -mcpu=v3 -O2 -g -c` uses, minus host paths: no
  // resource dir, no builtin or default system includes, only the two we name.
  std::vector<std::string> args = {
      // v3: 32-bit jumps and the atomics the rate limiter's compare-and-swap needs.
      "-triple", "bpf", "-target-cpu", "v3", "-emit-obj", "-O2",
      "-debug-info-kind=constructor", "-dwarf-version=5", "-debugger-tuning=gdb",
      "-fdebug-compilation-dir=.",
      std::string("-fdebug-prefix-map=") + kRoot + "=sentinel",
      "-fdebug-prefix-map=/usr/include=sys",
      "-mrelocation-model", "static", "-mframe-pointer=all", "-fmath-errno",
      "-ffp-contract=on", "-fno-rounding-math", "-fgnuc-version=4.2.1",
      "-vectorize-loops", "-vectorize-slp", "-discard-value-names",
      "-main-file-name", base_name(template_path),
      "-nostdsysteminc", "-nobuiltininc",
      "-I", std::string(kRoot) + "/include",
      "-internal-isystem", "/usr/include/x86_64-linux-gnu",
      "-internal-isystem", "/usr/include",
      "-Wall", "-Wno-unused-function",
  };
  for (const auto& d : defines) args.push_back("-D" + d);
  args.insert(args.end(), {"-x", "c", main_file});
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());

  std::string diag_text;
  llvm::raw_string_ostream diag_os(diag_text);
  auto diag_opts = llvm::makeIntrusiveRefCnt<clang::DiagnosticOptions>();
  auto* printer = new clang::TextDiagnosticPrinter(diag_os, diag_opts.get());

  clang::CompilerInstance ci;
  ci.createDiagnostics(printer, true);
  ci.setVerboseOutputStream(diag_os);  // "N warnings generated" goes with the rest
  auto inv = std::make_shared<clang::CompilerInvocation>();
  if (!clang::CompilerInvocation::CreateFromArgs(*inv, argv, ci.getDiagnostics())) {
    diag_os.flush();
    *error = "invalid BPF compiler flags: " + diag_text;
    return false;
  }
  ci.setInvocation(std::move(inv));
  ci.createFileManager(vfs);
  ci.createSourceManager(ci.getFileManager());

  llvm::SmallVector<char, 0> object;
  ci.setOutputStream(std::make_unique<llvm::raw_svector_ostream>(object));
  clang::EmitObjAction action;
  bool ok = ci.ExecuteAction(action);
  diag_os.flush();
  if (!ok || ci.getDiagnostics().hasErrorOccurred()) {
    *error = "compiling " + template_path + " failed:\n" + diag_text;
    return false;
  }
  object_out->assign(object.data(), object.size());
  return true;
}

const BpfClangApi kApi = {kBpfClangApiVersion, LLVM_VERSION_STRING, &compile};

}  // namespace

}  // namespace sentinel::backend

extern "C" __attribute__((visibility("default"))) const sentinel::backend::BpfClangApi* sn_bpf_clang_api() {
  return &sentinel::backend::kApi;
}
