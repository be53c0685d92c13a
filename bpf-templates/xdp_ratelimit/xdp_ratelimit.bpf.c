/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* sn_xdp_ratelimit: first-match rate-limit rules (sentinel/abi/ratelimit.h,
 * classify.h), tail-called from the firewall in the XDP chain. The matching
 * rule's bucket (per source, per source prefix, per destination port, or
 * one per rule) admits or refuses the packet; buckets are host state, one
 * 64-bit word each, updated by compare-and-swap. Variant:
 *   SN_RL_IPV6  the IPv6 path; without it IPv6 packets match no rule
 * A packet with no rule, or within its limit, passes on. Over the limit it
 * is counted and reported, and dropped when the rule says drop and the mode
 * is enforce. Quiet packets touch no bucket, counter or event. */
#include "sentinel/bpf/compat.h"

#include "sentinel/abi/ratelimit.h"
#include "sentinel/bpf/chain.h"
#include "sentinel/bpf/cls_walk.h"
#include "sentinel/bpf/counters.h"
#include "sentinel/bpf/parse.h"
#include "sentinel/bpf/pctx.h"
#include "sentinel/bpf/ring.h"
#include "sentinel/bpf/rl_algo.h"
#include "sentinel/bpf/summary.h"

#ifdef SN_RL_IPV6
#define SN_RL_WITH_V6 1
#else
#define SN_RL_WITH_V6 0
#endif

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile struct sn_rl_config sn_cfg SEC(".rodata.sncfg") = {};

SN_CLS_DECLARE_MAPS(sn_rl_nodes, sn_rl_leaves, sn_rl_recs);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* sized by the loader: nrules */
	__type(key, __u32);
	__type(value, struct sn_rl_rule);
} sn_rl_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SN_RL_MAX_BUCKETS);
	__type(key, struct sn_rl_bucket_key);
	__type(value, struct sn_rl_bucket);
} sn_rl_buckets SEC(".maps");

SN_RING_DECLARE(sn_rl_events, sn_rl_rstat, SN_RING_DEFAULT_SIZE);

SN_CLS_DEFINE_WALK(sn_rl_classify, sn_rl_nodes, sn_rl_leaves, sn_rl_recs, SN_RL_WITH_V6)

enum sn_rl_outcome {
	SN_RL_WITHIN = 0,
	SN_RL_OVER = 1,
	SN_RL_CONTENDED = 2, /* over: every compare-and-swap lost */
};

/* Word `i` of a network-order mask of `len` bits. */
SN_INLINE __u32 sn_prefix_word(__u32 len, __u32 i)
{
	if (len <= i * 32)
		return 0;
	if (len >= i * 32 + 32)
		return ~0u;
	return bpf_htonl(~0u << (32 - (len - i * 32)));
}

SN_INLINE void sn_rl_key_make(struct sn_rl_bucket_key *k, const struct sn_rl_rule *r,
			      const struct sn_pkt *p)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->bucket_id = r->bucket_id;
	__u8 kind = r->key;
	if (kind == SN_RL_PER_SOURCE || kind == SN_RL_PER_CIDR) {
		k->family = p->family;
		if (p->family == 4) {
			__u32 len = kind == SN_RL_PER_CIDR ? r->v4_len : 32;
			k->addr[0] = p->src[0] & sn_prefix_word(len, 0);
		} else if (SN_RL_WITH_V6) {
			__u32 len = kind == SN_RL_PER_CIDR ? r->v6_len : 128;
#pragma unroll
			for (int i = 0; i < 4; i++)
				k->addr[i] = p->src[i] & sn_prefix_word(len, i);
		}
	} else if (kind == SN_RL_PER_PORT) {
		k->port = p->dport;
	}
}

/* One packet against its bucket: bounded compare-and-swap retries. A CAS
 * lost to another CPU retries with the winner's word and a fresh clock (the
 * winner may have read a later time; judging an older time against its word
 * would roll a window back). */
SN_INLINE int sn_rl_admit(struct sn_rl_bucket *b, const struct sn_rl_rule *r,
			  const struct sn_pctx *c, __u64 *time)
{
	__u8 algorithm = r->algorithm;
	__u64 interval = r->interval;
	__u64 tolerance = r->tolerance;
	__u64 now = *time;
	__u64 word = READ_ONCE(b->state);

	for (int i = 0; i < SN_RL_CAS_TRIES; i++) {
		__u64 next;
		if (!sn_rl_step(algorithm, word, now, interval, tolerance, &next))
			return SN_RL_OVER;
		__u64 seen = __sync_val_compare_and_swap(&b->state, word, next);
		if (seen == word)
			return SN_RL_WITHIN;
		word = seen;
		now = *time = sn_now(c);
	}
	return SN_RL_CONTENDED;
}

SEC("xdp")
int sn_xdp_ratelimit(struct xdp_md *ctx)
{
	struct sn_pctx c;
	struct sn_pkt p;

	sn_pctx_xdp(ctx, &c);
	/* A quiet packet is within any limit: whatever its rule, it passes on. */
	if (sn_quiet(&c))
		return sn_chain_next(ctx, sn_cfg.next_slot);
	/* Non-IP and malformed packets are the firewall's business. */
	if (sn_parse_xdp(ctx, &p, SN_RL_WITH_V6, 0) != SN_PARSE_OK)
		return sn_chain_next(ctx, sn_cfg.next_slot);
	if (!SN_RL_WITH_V6 && p.family != 4)
		return sn_chain_next(ctx, sn_cfg.next_slot);

	__u32 rule = sn_rl_classify(&p, 0, sn_cfg.cls_steps, sn_cfg.nrules);
	if (rule >= sn_cfg.nrules)
		return sn_chain_next(ctx, sn_cfg.next_slot);
	struct sn_rl_rule *r = bpf_map_lookup_elem(&sn_rl_rules, &rule);
	if (!r)
		return sn_chain_next(ctx, sn_cfg.next_slot);

	struct sn_rl_bucket_key bk;
	sn_rl_key_make(&bk, r, &p);
	struct sn_rl_bucket *b = bpf_map_lookup_elem(&sn_rl_buckets, &bk);
	if (!b) {
		struct sn_rl_bucket fresh = {};
		bpf_map_update_elem(&sn_rl_buckets, &bk, &fresh, BPF_NOEXIST);
		b = bpf_map_lookup_elem(&sn_rl_buckets, &bk);
		if (!b)
			return sn_chain_next(ctx, sn_cfg.next_slot);
	}

	__u64 now = sn_now(&c);
	int outcome = sn_rl_admit(b, r, &c, &now);
	if (outcome == SN_RL_WITHIN) {
		sn_count(r->pass_counter_key, p.len);
		return sn_chain_next(ctx, sn_cfg.next_slot);
	}
	sn_count(r->counter_key, p.len);
	if (outcome == SN_RL_CONTENDED)
		sn_count(sn_cfg.contended_counter_key, p.len);

	int drop = r->action == SN_RL_DROP && sn_cfg.mode == SN_RL_ENFORCE;
	struct sn_rl_event *e = SN_RING_RESERVE(sn_rl_events, sn_rl_rstat, struct sn_rl_event);
	if (e) {
		sn_event_hdr(&e->hdr, now, r->counter_key, rule, r->action, drop,
			     SN_RL_EVENT_OVER);
		sn_summarize(&e->pkt, &p, 0, ctx->ingress_ifindex);
		bpf_ringbuf_submit(e, 0);
	}
	if (drop)
		return XDP_DROP;
	return sn_chain_next(ctx, sn_cfg.next_slot);
}
