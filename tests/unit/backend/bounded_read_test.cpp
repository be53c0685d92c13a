// Reading bundles is bounded by the format's limits: headers that claim
// more than the file holds or the format allows, and endless inputs, are
// refused quickly and without allocating what they claim.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>

#include "compiler/backend/bundle_format.h"

using namespace sentinel::bundle;

// The largest single allocation while `tracking` is set, for this test
// binary: bounded reads must not allocate what a header claims.
namespace {
std::atomic<bool> tracking{false};
std::atomic<size_t> largest{0};

void note_allocation(size_t n) {
  if (!tracking.load(std::memory_order_relaxed)) return;
  size_t seen = largest.load(std::memory_order_relaxed);
  while (n > seen && !largest.compare_exchange_weak(seen, n)) {
  }
}
}  // namespace

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SN_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SN_TEST_ASAN 1
#endif

#ifdef SN_TEST_ASAN
// ASan owns operator new: its allocator hooks see every allocation instead.
#include <sanitizer/allocator_interface.h>
namespace {
void on_malloc(const volatile void*, size_t n) { note_allocation(n); }
void on_free(const volatile void*) {}
[[maybe_unused]] const int hooks_installed = __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
}  // namespace
#else
void* operator new(size_t n) {
  note_allocation(n);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#endif

namespace {

struct Track {
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  Track() {
    largest = 0;
    tracking = true;
  }
  ~Track() { tracking = false; }
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
};

void put(std::string& b, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) b.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// "SNBUNDL1", one part named `name` that claims `size` bytes, then `body`.
std::string header(const std::string& name, uint64_t size, const std::string& body = "", uint64_t count = 1,
                   uint64_t name_len = UINT64_MAX) {
  std::string b(kMagic);
  put(b, count, 4);
  put(b, name_len == UINT64_MAX ? name.size() : name_len, 4);
  b += name;
  put(b, size, 8);
  return b + body;
}

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& bytes) {
    char tmpl[] = "/tmp/sn-bounded-XXXXXX";
    int fd = ::mkstemp(tmpl);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    ::close(fd);
    path = tmpl;
  }
  ~TempFile() { std::filesystem::remove(path); }
};

std::string read_error(const std::string& bytes) {
  std::string err;
  REQUIRE_FALSE(read_bundle(bytes, &err).has_value());
  return err;
}

std::string file_error(const std::string& path) {
  std::string err;
  REQUIRE_FALSE(read_bundle_bytes(path, &err).has_value());
  return err;
}

}  // namespace

TEST_CASE("oversized and lying headers are refused without allocating what they claim", "[bundle]") {
  SECTION("a part count past the limit") {
    Track t;
    CHECK(read_error(header("a", 1, "x", 0xffffffffu)) == "malformed bundle: 4294967295 parts, at most 4096");
    CHECK(largest < (1u << 20));
  }
  SECTION("a name length past the limit") {
    Track t;
    CHECK(read_error(header("a", 1, "x", 1, 0xfffffff0u)).find("part #0 has a name of 4294967280 bytes") !=
          std::string::npos);
    CHECK(largest < (1u << 20));
  }
  SECTION("a part that claims exabytes") {
    Track t;
    CHECK(read_error(header("firewall/keys.img", 1ull << 62, "tiny")) ==
          "truncated bundle: part firewall/keys.img ends past the end of the file");
    CHECK(largest < (1u << 20));
  }
  SECTION("a part that claims a gigabyte and more than the bundle has") {
    Track t;
    CHECK(read_error(header("p", (1ull << 30) + 1, std::string(100, 'x'))).find("ends past the end") !=
          std::string::npos);
    CHECK(largest < (1u << 20));
  }
  SECTION("a size field cut short") {
    std::string h = header("p", 5, "hello");
    CHECK(read_error(h.substr(0, h.size() - 5 - 3)).find("truncated bundle: part p") == 0);
  }
}

TEST_CASE("bundle files are read by their structure", "[bundle]") {
  std::map<std::string, std::string> parts = {{"a.img", "alpha"}, {"b/c.o", std::string(70000, 'z')}};
  std::string good = write_bundle(parts);
  {
    TempFile f(good);
    std::string err;
    auto bytes = read_bundle_bytes(f.path, &err);
    INFO(err);
    REQUIRE(bytes.has_value());
    CHECK(*bytes == good);
  }
  SECTION("cut anywhere") {
    for (size_t n : {size_t(0), size_t(3), size_t(8), size_t(11), size_t(14), size_t(30), good.size() - 1}) {
      TempFile f(good.substr(0, n));
      std::string err = file_error(f.path);
      INFO(n << ": " << err);
      CHECK((err.find("truncated bundle") != std::string::npos || err.find("bad magic") != std::string::npos));
      CHECK(err.find(f.path) == 0);
    }
  }
  SECTION("bytes after the last part") {
    TempFile f(good + "!");
    CHECK(file_error(f.path).find("trailing bytes") != std::string::npos);
  }
  SECTION("not a bundle") {
    TempFile f("PK\x03\x04 a zip file, say");
    CHECK(file_error(f.path).find("not a sentinel bundle (bad magic)") != std::string::npos);
  }
  SECTION("a part that claims more than a bundle may hold") {
    Track t;
    TempFile f(header("p", 1ull << 40, "short"));
    CHECK(file_error(f.path).find("malformed bundle: part p claims 1099511627776 bytes, more than a bundle of 1024 MiB holds") !=
          std::string::npos);
    CHECK(largest < (1u << 20));
  }
  SECTION("a part that claims 500 MiB of a short file") {
    Track t;
    TempFile f(header("p", 500ull << 20, std::string(1000, 'x')));
    CHECK(file_error(f.path).find("truncated bundle: part p ends past the end of the file") != std::string::npos);
    CHECK(largest < (1u << 20));
  }
  SECTION("a missing file") {
    CHECK(file_error("/nonexistent/x.snb").find("cannot read /nonexistent/x.snb") == 0);
  }
}

TEST_CASE("endless inputs are refused quickly", "[bundle]") {
  SECTION("/dev/zero") {
    Track t;
    CHECK(file_error("/dev/zero").find("bad magic") != std::string::npos);
    CHECK(t.seconds() < 1.0);
    CHECK(largest < (1u << 20));
  }
  SECTION("a bundle header followed by zeros forever") {
    // A pipe that never ends: the header, then zeros from a child.
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      std::string h = header("p", 8ull << 20);  // 8 MiB claimed, zeros follow
      (void)!::write(fds[1], h.data(), h.size());
      static char zeros[1 << 16];
      // Stops with SIGPIPE once the reader has closed its end.
      for (int i = 0; i < 100000; ++i)
        if (::write(fds[1], zeros, sizeof zeros) < 0) break;
      ::_exit(0);
    }
    ::close(fds[1]);
    std::string path = "/proc/self/fd/" + std::to_string(fds[0]);
    Track t;
    std::string err = file_error(path);
    double s = t.seconds();
    size_t big = largest;
    ::close(fds[0]);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    // The declared part is read in full, then the stream must end: it does
    // not, and the reader stops at the first byte too many.
    CHECK(err.find("trailing bytes") != std::string::npos);
    CHECK(s < 10.0);
    // What was read, and no more than what the header allows.
    CHECK(big <= 2 * ((8ull << 20) + 64));
  }
  SECTION("the generic bounded reader stops at its bound") {
    std::string err;
    Track t;
    CHECK_FALSE(read_file_bounded("/dev/zero", 1 << 20, &err).has_value());
    CHECK(err.find("is larger than 1 MiB") != std::string::npos);
    CHECK(largest <= (4u << 20));
  }
}
