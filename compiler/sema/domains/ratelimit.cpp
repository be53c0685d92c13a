// Checks of the rate-limiting block: rule ids and matches, each option once
// and only where it applies, rates, bursts and windows the kernel can hold
// exactly, and prefix lengths that fit the rule's families.
#include "compiler/ast/domains/ratelimit.h"
#include "compiler/sema/checks.h"

namespace sentinel::sema {

namespace {

constexpr uint64_t kSecond = 1000000000ull;
// Beyond this a "limit" is no limit, and the kernel's 1/64 ns arithmetic
// would lose its precision.
constexpr uint64_t kMaxPerSecond = 100000000ull;

// The key as written, for messages: `per source /24`, `global`.
std::string key_text(const ast::RlKey& k) {
  switch (k.kind) {
    case pir::RateKey::Port: return "per port";
    case pir::RateKey::Global: return "global";
    default: break;
  }
  std::string s = "per source";
  for (const auto& n : k.lens) s += " /" + std::to_string(n.value);
  return s;
}

uint64_t unit_ns(char u) { return u == 'm' ? 60 * kSecond : u == 'h' ? 3600 * kSecond : kSecond; }

template <class Option>
void unique_option(const std::vector<Option>& opts, const char* what, DiagEngine& diags,
                   Span (*span_of)(const Option&)) {
  for (size_t i = 1; i < opts.size(); ++i)
    diags.report(DiagCode::E0111, span_of(opts[i]), std::string("duplicate `") + what + "` option")
        .notes.push_back({span_of(opts[0]), "first given here"});
}

void check_rule(const ast::RlRule& r, Context& ctx) {
  auto& diags = ctx.diags;
  std::optional<unsigned> fams = check_match(r.match, r.id, ctx);
  if (!r.match.iface.empty())
    diags.report(DiagCode::E0115, r.match.iface[0].span, "`on` does not apply to rate-limit rules").help =
        "the limiter runs on the interfaces of the policy's group; scope the firewall rule instead";
  unique_option<ast::Number>(r.bursts, "burst", diags, [](const ast::Number& n) { return n.span; });
  // `per ...` and `global` are one option, the bucket key: say which two met.
  for (size_t i = 1; i < r.keys.size(); ++i)
    diags.report(DiagCode::E0111, r.keys[i].span, "duplicate bucket key `" + key_text(r.keys[i]) + "`")
        .notes.push_back({r.keys[0].span, "the key is already `" + key_text(r.keys[0]) + "` here"});
  unique_option<ast::Name>(r.algorithms, "algorithm", diags, [](const ast::Name& n) { return n.span; });
  unique_option<ast::DurationLit>(r.windows, "window", diags, [](const ast::DurationLit& d) { return d.span; });

  pir::RateAlgorithm alg = pir::RateAlgorithm::TokenBucket;
  Span alg_span = r.rate.span;
  if (!r.algorithms.empty()) {
    const ast::Name& a = r.algorithms[0];
    alg_span = a.span;
    if (auto known = pir::algorithm_by_name(a.text)) {
      alg = *known;
    } else {
      std::vector<std::string> names;
      for (int i = 1; i <= 4; ++i) names.push_back(pir::to_string(static_cast<pir::RateAlgorithm>(i)));
      auto& d = diags.report(DiagCode::E0116, a.span, "unknown algorithm `" + a.text + "`");
      auto hint = did_you_mean(a.text, names);
      if (!hint.empty()) d.notes.push_back({Span{}, hint});
      d.help = "the algorithms are token-bucket, leaky-bucket, fixed-window and sliding-window";
      return;
    }
  }

  const uint64_t count = r.rate.count, unit = unit_ns(r.rate.unit);
  if (count == 0) {
    diags.report(DiagCode::E0118, r.rate.span, "a rate of 0 admits no packet").help =
        "to drop this traffic, write a firewall rule";
    return;
  }
  if (count > kMaxPerSecond * (unit / kSecond)) {
    diags.report(DiagCode::E0118, r.rate.span, "rate above 100,000,000 packets a second");
    return;
  }

  const char* alg_name = pir::to_string(alg);
  if (pir::is_window(alg)) {
    if (!r.bursts.empty()) {
      diags.report(DiagCode::E0115, r.bursts[0].span, std::string("`burst` does not apply to ") + alg_name)
          .notes.push_back({alg_span, "the algorithm counts packets per window"});
    }
    uint64_t window = r.windows.empty() ? unit : r.windows[0].ns;
    Span wspan = r.windows.empty() ? r.rate.span : r.windows[0].span;
    if (window < kSecond || window > 86400 * kSecond) {
      diags.report(DiagCode::E0119, wspan, "a window must be from 1s to 24h");
      return;
    }
    unsigned __int128 scaled = static_cast<unsigned __int128>(count) * window;
    uint64_t limit = static_cast<uint64_t>(scaled / unit);
    uint64_t max = pir::max_window_limit(alg);
    if (scaled % unit != 0 || limit == 0) {
      diags.report(DiagCode::E0119, wspan,
                   "the rate over this window is not a whole number of packets").help =
          "choose a window that is a whole multiple of the rate's unit, or a rate that divides evenly";
    } else if (limit > max) {
      diags.report(DiagCode::E0119, wspan,
                   std::to_string(limit) + " packets per window; " + alg_name + " counts at most " +
                       std::to_string(max))
          .help = "use a shorter window, or token-bucket for high rates";
    }
  } else {
    if (!r.windows.empty()) {
      auto& d = diags.report(DiagCode::E0115, r.windows[0].span, std::string("`window` does not apply to ") + alg_name);
      // Without `algorithm`, point at nothing: the rate is not the algorithm.
      if (r.algorithms.empty())
        d.notes.push_back({Span{}, "the rule has no `algorithm`: it is a token bucket, which refills continuously"});
      else
        d.notes.push_back({alg_span, "the algorithm refills continuously; `burst` sets its depth"});
      d.help = "windows belong to `algorithm fixed-window` and `algorithm sliding-window`";
    }
    if (!r.bursts.empty()) {
      const ast::Number& b = r.bursts[0];
      // tolerance = (burst - 1) * interval must stay far below 2^64.
      uint64_t interval = (unit << 6) / count;
      if (b.value == 0)
        diags.report(DiagCode::E0118, b.span, "a burst of 0 admits no packet");
      else if (b.value - 1 > (1ull << 62) / interval)
        diags.report(DiagCode::E0118, b.span, "burst too large for this rate");
    }
  }

  // ICMP carries no ports: every packet of the rule would share port 0's
  // bucket, a `global` limit under another name.
  auto proto = ast::resolve_proto(r.match);
  if (!r.keys.empty() && r.keys[0].kind == pir::RateKey::Port && (r.match.proto || r.match.proto_lit) && proto &&
      *proto != pir::Proto::Tcp && *proto != pir::Proto::Udp && *proto != pir::Proto::Any) {
    auto& d = diags.report(DiagCode::E0115, r.keys[0].span,
                           std::string("`per port` does not apply to `") + pir::to_string(*proto) + "` rules");
    bool icmp = *proto == pir::Proto::Icmp || *proto == pir::Proto::Icmpv6 || *proto == pir::Proto::IcmpAny;
    d.notes.push_back({r.match.proto_span, (icmp ? std::string("ICMP") : std::string("`") + pir::to_string(*proto) + "`") +
                                               " packets carry no ports"});
    d.help = "use `global` for one limit over all of them, or `per source`";
  }

  if (!r.keys.empty() && r.keys[0].kind == pir::RateKey::Cidr) {
    const ast::RlKey& k = r.keys[0];
    if (k.lens.size() == 2) {
      if (k.lens[0].value > 32) diags.report(DiagCode::E0120, k.lens[0].span, "IPv4 prefix length above 32");
      if (k.lens[1].value > 128) diags.report(DiagCode::E0120, k.lens[1].span, "IPv6 prefix length above 128");
    } else if (fams) {
      const ast::Number& n = k.lens[0];
      if (*fams == 3) {
        diags.report(DiagCode::E0121, k.span, "rule `" + r.id.text + "` matches IPv4 and IPv6, but `per source` gives one prefix length")
            .help = "give one for each: `per source /" + std::to_string(std::min<uint64_t>(n.value, 32)) + " /64`";
      } else if (*fams == 1 && n.value > 32) {
        diags.report(DiagCode::E0120, n.span, "IPv4 prefix length above 32");
      } else if (*fams == 2 && n.value > 128) {
        diags.report(DiagCode::E0120, n.span, "IPv6 prefix length above 128");
      }
    }
  }
}

}  // namespace

void check_ratelimit(const ast::Block& block, Context& ctx) {
  const auto& rl = static_cast<const ast::RateLimitBlock&>(block);
  check_unique(rl.modes, "mode", ctx.diags);
  check_rule_ids(rl.rules, ctx.diags);
  for (const auto& r : rl.rules) check_rule(r, ctx);
}

}  // namespace sentinel::sema
