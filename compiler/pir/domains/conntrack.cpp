// PIR text of the conntrack block, one header line and no items:
//   conntrack established allow|rules timeout tcp-syn 60000000000ns ... loc ...
// Every timeout is printed, in the order of CtTimeout.
#include "compiler/pir/domains/conntrack.h"

#include "compiler/pir/text.h"

namespace sentinel::pir {

namespace {
constexpr const char* kTimeoutNames[kCtTimeouts] = {
    "tcp-syn", "tcp-established", "tcp-closing", "tcp-close", "udp", "udp-stream", "icmp", "other"};
constexpr uint64_t kSecond = 1000000000ull;
// Close to Linux's nf_conntrack defaults, shorter where a table of limited
// size would fill with flows that are long gone.
constexpr uint64_t kDefaults[kCtTimeouts] = {
    60 * kSecond,         // tcp-syn
    5 * 86400 * kSecond,  // tcp-established
    120 * kSecond,        // tcp-closing
    10 * kSecond,         // tcp-close
    30 * kSecond,         // udp
    180 * kSecond,        // udp-stream
    30 * kSecond,         // icmp
    600 * kSecond,        // other
};
}  // namespace

const char* to_string(CtState s) {
  switch (s) {
    case CtState::Untracked: return "untracked";
    case CtState::New: return "new";
    case CtState::Established: return "established";
    case CtState::Related: return "related";
    case CtState::Invalid: return "invalid";
  }
  return "untracked";
}

std::string ct_text(uint8_t mask) {
  if (!mask) return "any";
  std::string s;
  int n = 0;
  for (unsigned v = 0; v <= 4; ++v)
    if (mask & (1u << v)) s += (n++ ? "," : "") + std::string(to_string(static_cast<CtState>(v)));
  return n == 1 ? s : "{" + s + "}";
}

const char* timeout_name(CtTimeout t) { return kTimeoutNames[static_cast<size_t>(t)]; }

std::optional<CtTimeout> timeout_by_name(std::string_view name) {
  for (size_t i = 0; i < kCtTimeouts; ++i)
    if (name == kTimeoutNames[i]) return static_cast<CtTimeout>(i);
  return std::nullopt;
}

uint64_t default_timeout_ns(CtTimeout t) { return kDefaults[static_cast<size_t>(t)]; }

Conntrack::Conntrack() {
  for (size_t i = 0; i < kCtTimeouts; ++i) timeouts_ns[i] = kDefaults[i];
}

void Conntrack::print(std::string& out) const {
  out += "conntrack established ";
  out += accept_established ? "allow" : "rules";
  for (size_t i = 0; i < kCtTimeouts; ++i) {
    out += " timeout ";
    out += kTimeoutNames[i];
    out += ' ';
    append_ns(out, timeouts_ns[i]);
  }
  append_loc(out, loc);
  out += '\n';
}

void Conntrack::parse_header(TextLine& in) {
  in.keyword("established");
  auto w = in.word();
  if (w == "allow")
    accept_established = true;
  else if (w == "rules")
    accept_established = false;
  else
    text_fail("expected `allow` or `rules`, found `" + std::string(w) + "`");
  for (size_t i = 0; i < kCtTimeouts; ++i) {
    in.keyword("timeout");
    in.keyword(kTimeoutNames[i]);
    timeouts_ns[i] = in.ns();
  }
  in.trailer(nullptr, &loc);
}

void Conntrack::parse_item(std::string_view keyword, TextLine&) {
  text_fail("unexpected `" + std::string(keyword) + "` in the conntrack block");
}

std::unique_ptr<Block> make_conntrack_block() { return std::make_unique<Conntrack>(); }

}  // namespace sentinel::pir
