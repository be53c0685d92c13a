// PIR text of the rate-limiting block:
//   ratelimit mode enforce loc "edge.sen":20:1
//   rule api drop tcp src any dst any sport any dport {443} rate 100/s algorithm token-bucket burst 100 window 0ns key source loc ...
// `key` is `source`, `cidr/V4/V6`, `port` or `global`.
#include "compiler/pir/domains/ratelimit.h"

#include "compiler/pir/text.h"

namespace sentinel::pir {

namespace {

constexpr const char* kAlgorithms[] = {"token-bucket", "leaky-bucket", "fixed-window", "sliding-window"};

RateAction action_of(std::string_view w) {
  if (w == "drop") return RateAction::Drop;
  if (w == "log") return RateAction::Log;
  text_fail("unknown rate-limit action `" + std::string(w) + "`");
}

Rate rate_of(std::string_view w) {
  Rate r;
  auto slash = w.find('/');
  if (slash == std::string_view::npos || slash + 2 != w.size()) text_fail("bad rate `" + std::string(w) + "`");
  TextLine n(w.substr(0, slash));
  r.count = n.number64();
  r.unit = w[slash + 1];
  if (r.unit != 's' && r.unit != 'm' && r.unit != 'h') text_fail("bad rate unit in `" + std::string(w) + "`");
  return r;
}

}  // namespace

const char* to_string(RateAction a) { return a == RateAction::Log ? "log" : "drop"; }

const char* to_string(RateAlgorithm a) {
  int i = static_cast<int>(a) - 1;
  return i >= 0 && i < 4 ? kAlgorithms[i] : "token-bucket";
}

std::optional<RateAlgorithm> algorithm_by_name(std::string_view name) {
  for (int i = 0; i < 4; ++i)
    if (name == kAlgorithms[i]) return static_cast<RateAlgorithm>(i + 1);
  return std::nullopt;
}

uint64_t Rate::unit_ns() const {
  switch (unit) {
    case 'm': return 60ull * 1000000000ull;
    case 'h': return 3600ull * 1000000000ull;
    default: return 1000000000ull;
  }
}

uint64_t RateRule::window_limit() const {
  // count * window / unit; sema keeps both factors small enough.
  return static_cast<uint64_t>(static_cast<unsigned __int128>(rate.count) * window_ns / rate.unit_ns());
}

RateWords kernel_params(const RateRule& r) {
  RateWords p;
  if (is_window(r.algorithm)) {
    p.interval = r.window_ns;
    p.tolerance = r.window_limit();
  } else {
    p.interval = (r.rate.unit_ns() << 6) / r.rate.count;  // SN_RL_TICK_SHIFT
    p.tolerance = (r.burst ? r.burst - 1 : 0) * p.interval;
  }
  return p;
}

std::string key_text(const RateRule& r) {
  switch (r.key) {
    case RateKey::Source: return "per source";
    case RateKey::Cidr: {
      unsigned f = r.match.families();
      std::string s = "per source";
      if (f & 1) s += " /" + std::to_string(r.v4_len);
      if (f & 2) s += " /" + std::to_string(r.v6_len);
      return s;
    }
    case RateKey::Port: return "per port";
    case RateKey::Global: return "global";
  }
  return "per source";
}

void RateLimit::print(std::string& out) const {
  out += "ratelimit mode ";
  out += to_string(mode);
  append_loc(out, loc);
  out += '\n';
  for (const auto& r : rules) {
    out += "rule ";
    append_name(out, r.id);
    out += ' ';
    out += to_string(r.action);
    out += ' ';
    append_match(out, r.match);
    out += " rate ";
    out += std::to_string(r.rate.count);
    out += '/';
    out += r.rate.unit;
    out += " algorithm ";
    out += to_string(r.algorithm);
    out += " burst ";
    out += std::to_string(r.burst);
    out += " window ";
    append_ns(out, r.window_ns);
    out += " key ";
    switch (r.key) {
      case RateKey::Source: out += "source"; break;
      case RateKey::Cidr:
        out += "cidr/" + std::to_string(r.v4_len) + "/" + std::to_string(r.v6_len);
        break;
      case RateKey::Port: out += "port"; break;
      case RateKey::Global: out += "global"; break;
    }
    append_desc(out, r.description);
    append_loc(out, r.loc);
    out += '\n';
  }
}

void RateLimit::parse_header(TextLine& in) {
  in.keyword("mode");
  mode = mode_of(in.word());
  in.trailer(nullptr, &loc);
}

void RateLimit::parse_item(std::string_view keyword, TextLine& in) {
  if (keyword != "rule") text_fail("unknown ratelimit item `" + std::string(keyword) + "`");
  RateRule r;
  r.id = in.name();
  r.action = action_of(in.word());
  r.match = in.match();
  in.keyword("rate");
  r.rate = rate_of(in.word());
  in.keyword("algorithm");
  auto alg = in.word();
  auto a = algorithm_by_name(alg);
  if (!a) text_fail("unknown algorithm `" + std::string(alg) + "`");
  r.algorithm = *a;
  in.keyword("burst");
  r.burst = in.number64();
  in.keyword("window");
  r.window_ns = in.ns();
  in.keyword("key");
  auto k = in.word();
  if (k == "source") {
    r.key = RateKey::Source;
  } else if (k == "port") {
    r.key = RateKey::Port;
  } else if (k == "global") {
    r.key = RateKey::Global;
  } else if (k.substr(0, 5) == "cidr/") {
    r.key = RateKey::Cidr;
    TextLine lens(k.substr(5));
    uint32_t a4 = lens.number();
    lens.expect('/');
    uint32_t a6 = lens.number();
    if (!lens.done() || a4 > 32 || a6 > 128) text_fail("bad key `" + std::string(k) + "`");
    r.v4_len = static_cast<uint8_t>(a4);
    r.v6_len = static_cast<uint8_t>(a6);
  } else {
    text_fail("unknown key `" + std::string(k) + "`");
  }
  in.trailer(&r.description, &r.loc);
  rules.push_back(std::move(r));
}

std::unique_ptr<Block> make_ratelimit_block() { return std::make_unique<RateLimit>(); }

}  // namespace sentinel::pir
