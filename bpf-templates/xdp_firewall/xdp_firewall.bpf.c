/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* sn_xdp_firewall: first-match L3/L4 rules by decision trees
 * (sentinel/abi/firewall.h, classify.h), first in the XDP chain of a
 * generation. Everything a policy edit can change lives in maps and in
 * .rodata.sncfg; the object changes only with its variant switches:
 *   SN_FW_IPV6  the IPv6 path (extension headers, IPv6 rules); without it an
 *               IPv6 packet gets the default rule
 *   SN_FW_CT    read the connection table (conntrack.h) and give each packet
 *               its ct state, for the rules and for SN_FW_CT_ACCEPT; without
 *               it every packet is untracked (ct 0)
 * Per packet: non-IP passes (XDP_PASS, the chain is not for it); malformed
 * is counted, dropped when enforcing, passed on when auditing; established
 * and related pass on before the rules under SN_FW_CT_ACCEPT; otherwise the
 * first matching rule (or the default, index nrules) is counted and decides.
 * A `reject` rule drops like deny and, within the source's budget, answers
 * with a TCP RST or an ICMP/ICMPv6 unreachable by XDP_TX (reject.h); a quiet
 * packet is only dropped.
 * Quiet packets are judged the same, but count nothing and emit nothing. */
#include "sentinel/bpf/compat.h"

#include "sentinel/abi/firewall.h"
#include "sentinel/bpf/chain.h"
#include "sentinel/bpf/cls_walk.h"
#include "sentinel/bpf/counters.h"
#include "sentinel/bpf/parse.h"
#include "sentinel/bpf/pctx.h"
#include "sentinel/bpf/reject.h"
#include "sentinel/bpf/ring.h"
#include "sentinel/bpf/summary.h"
#ifdef SN_FW_CT
#include "sentinel/bpf/ct_state.h"
#endif

#ifdef SN_FW_IPV6
#define SN_FW_WITH_V6 1
#else
#define SN_FW_WITH_V6 0
#endif

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader before load; the verifier prunes on these. */
const volatile struct sn_fw_config sn_cfg SEC(".rodata.sncfg") = {};

/* Generation maps, filled from the bundle's images. */
SN_CLS_DECLARE_MAPS(sn_fw_nodes, sn_fw_leaves, sn_fw_recs);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* sized by the loader: nrules + 1 */
	__type(key, __u32);
	__type(value, struct sn_fw_rule);
} sn_fw_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SN_FW_IFACES_MAX);
	__type(key, __u32);
	__type(value, __u32);
} sn_fw_ifaces SEC(".maps");

/* Host maps, shared across generations. */
SN_RING_DECLARE(sn_fw_events, sn_fw_rstat, SN_RING_DEFAULT_SIZE);

SN_CLS_DEFINE_WALK(sn_fw_classify, sn_fw_nodes, sn_fw_leaves, sn_fw_recs, SN_FW_WITH_V6)

SN_INLINE void sn_fw_emit(struct xdp_md *ctx, const struct sn_pkt *p, const struct sn_pctx *c,
			  __u8 ct, __u64 counter_key, __u32 rule, __u32 action, __u16 kind)
{
	struct sn_fw_event *e = SN_RING_RESERVE(sn_fw_events, sn_fw_rstat, struct sn_fw_event);
	if (!e)
		return;
	sn_event_hdr(&e->hdr, sn_now(c), counter_key, rule, action, 0, kind);
	sn_summarize(&e->pkt, p, ct, ctx->ingress_ifindex);
	bpf_ringbuf_submit(e, 0);
}

SEC("xdp")
int sn_xdp_firewall(struct xdp_md *ctx)
{
	struct sn_pctx c;
	struct sn_pkt p;

	sn_pctx_xdp(ctx, &c);
	int quiet = sn_quiet(&c);
	/* Always with the embedded packet of ICMP errors, so that what counts
	 * as malformed does not depend on the variant. */
	int rc = sn_parse_xdp(ctx, &p, SN_FW_WITH_V6, 1);
	if (rc == SN_PARSE_NOT_IP)
		return XDP_PASS;
	if (rc == SN_PARSE_MALFORMED) {
		if (!quiet)
			sn_count(sn_cfg.malformed_counter_key, p.len);
		if (sn_cfg.mode == SN_FW_ENFORCE)
			return XDP_DROP;
		return sn_chain_next(ctx, sn_cfg.next_slot);
	}
	/* Without the IPv6 variant no rule can match IPv6: the default decides. */
	int classify = SN_FW_WITH_V6 || p.family == 4;

	__u8 ct = 0;
#ifdef SN_FW_CT
	if (sn_cfg.ct_mode != SN_FW_CT_OFF && classify) {
		ct = sn_ct_state(&p, &c);
		if (sn_cfg.ct_mode == SN_FW_CT_ACCEPT &&
		    (ct == SN_CT_ESTABLISHED || ct == SN_CT_RELATED)) {
			if (!quiet)
				sn_count(sn_cfg.established_counter_key, p.len);
			return sn_chain_next(ctx, sn_cfg.next_slot);
		}
	}
#endif

	if (sn_cfg.iface_rules) {
		__u32 ifindex = ctx->ingress_ifindex;
		const __u32 *bits = bpf_map_lookup_elem(&sn_fw_ifaces, &ifindex);
		p.ifaces = bits ? (__u16)*bits : 0;
	}

	__u32 rule = sn_cfg.nrules;
	if (classify)
		rule = sn_fw_classify(&p, ct, sn_cfg.cls_steps, sn_cfg.nrules);

	__u32 action = sn_cfg.default_action;
	__u64 counter_key = 0;
	struct sn_fw_rule *r = bpf_map_lookup_elem(&sn_fw_rules, &rule);
	if (r) {
		action = r->action;
		counter_key = r->counter_key;
		if (!quiet)
			sn_count(counter_key, p.len);
	}

	if (action == SN_FW_DENY || action == SN_FW_REJECT) {
		if (sn_cfg.mode == SN_FW_ENFORCE) {
			if (action == SN_FW_DENY || quiet)
				return XDP_DROP;
			return sn_reject(ctx, &p, sn_now(&c), sn_cfg.reject_interval_ns, sn_cfg.reject_burst);
		}
		if (!quiet)
			sn_fw_emit(ctx, &p, &c, ct, counter_key, rule, action, SN_FW_EVENT_AUDIT);
	} else if (action == SN_FW_LOG) {
		if (!quiet)
			sn_fw_emit(ctx, &p, &c, ct, counter_key, rule, action, SN_FW_EVENT_LOG);
	}
	return sn_chain_next(ctx, sn_cfg.next_slot);
}
