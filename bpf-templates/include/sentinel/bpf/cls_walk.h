/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* The decision-tree walk of classify.h, for any domain's own nodes, leaves
 * and records maps. SN_CLS_DECLARE_MAPS declares the generation's three
 * maps; SN_CLS_DEFINE_WALK(name, nodes, leaves, recs, with_v6) defines
 *
 *   __u32 name(const struct sn_pkt *p, __u8 ct, __u32 steps, __u32 nrules)
 *
 * which returns the smallest matching rule index, or nrules when none
 * matches. One step visits one node or checks one record; the steps run in
 * open-coded loops guarded by SN_CAN_LOOP, so the verifier checks a loop
 * until its state repeats, whatever the trees are, and `steps` (the
 * config's cls_steps, from the compiler) bounds them. The function is
 * global (noinline): verified once, however many paths reach it. */
#ifndef SENTINEL_BPF_CLS_WALK_H
#define SENTINEL_BPF_CLS_WALK_H

#include "sentinel/abi/classify.h"
#include "sentinel/bpf/cls_extra.h"
#include "sentinel/bpf/parse.h"

struct sn_cls_walk {
	const struct sn_pkt *pkt;
	__u32 v[SN_CLS_WORDS]; /* the packet's words, host order (enum sn_cls_word) */
	__u32 best;            /* the best rule so far; nrules: none */
	__u8 ct;
};

/* Does the packet lie in the prefix `a`/`len` of `words` words? */
SN_INLINE int sn_cls_prefix(const __u32 *v, const __u32 *a, __u32 len, int words)
{
#pragma unroll
	for (int i = 0; i < words; i++) {
		if (len == 0)
			return 1;
		__u32 take = len > 32 ? 32 : len;
		__u32 mask = ~0u << (32 - take);
		if (take == 32)
			mask = ~0u;
		if ((v[i] ^ a[i]) & mask)
			return 0;
		len -= take;
	}
	return 1;
}

SN_INLINE int sn_cls_rec_match(const struct sn_cls_rec *r, const struct sn_cls_walk *w, int v6)
{
	const struct sn_pkt *p = w->pkt;
	if ((p->proto & r->proto_mask) != r->proto)
		return 0;
	if ((r->flags & SN_CLS_NEEDS_PORTS) && !p->has_ports)
		return 0;
	if (p->sport < r->sport_lo || p->sport > r->sport_hi || p->dport < r->dport_lo || p->dport > r->dport_hi)
		return 0;
	if (r->ct_states && !((r->ct_states >> (w->ct & 7)) & 1))
		return 0;
	int in_src = v6 ? sn_cls_prefix(&w->v[SN_CLS_W_SRC], r->src, r->src_len, 4)
			: sn_cls_prefix(&w->v[SN_CLS_W_SRC], r->src, r->src_len, 1);
	if (in_src == !!(r->flags & SN_CLS_NEG_SRC))
		return 0;
	int in_dst = v6 ? sn_cls_prefix(&w->v[SN_CLS_W_DST], r->dst, r->dst_len, 4)
			: sn_cls_prefix(&w->v[SN_CLS_W_DST], r->dst, r->dst_len, 1);
	if (in_dst == !!(r->flags & SN_CLS_NEG_DST))
		return 0;
	return sn_cls_extra_match(&r->x, p);
}

#define SN_CLS_DECLARE_MAPS(nodes, leaves, recs)                  \
	struct {                                                  \
		__uint(type, BPF_MAP_TYPE_ARRAY);                 \
		__uint(max_entries, 1); /* sized by the loader */ \
		__type(key, __u32);                               \
		__type(value, struct sn_cls_node);                \
	} nodes SEC(".maps");                                     \
	struct {                                                  \
		__uint(type, BPF_MAP_TYPE_ARRAY);                 \
		__uint(max_entries, 1);                           \
		__type(key, __u32);                               \
		__type(value, __u32);                             \
	} leaves SEC(".maps");                                    \
	struct {                                                  \
		__uint(type, BPF_MAP_TYPE_ARRAY);                 \
		__uint(max_entries, 1);                           \
		__type(key, __u32);                               \
		__type(value, struct sn_cls_rec);                 \
	} recs SEC(".maps")

/* The walk of one family (V6 a constant): the verifier checks a family's
 * paths only in its own function. */
#define SN_CLS_DEFINE_WALK_OF(name, nodes, leaves, recs, V6)                                    \
	__attribute__((noinline)) __u32 name(const struct sn_pkt *p, __u32 ct, __u32 steps,    \
					      __u32 nrules)                                     \
	{                                                                                       \
		if (!p)                                                                         \
			return nrules;                                                          \
		struct sn_cls_walk w = {                                                        \
			.pkt = p, .best = nrules, .ct = (__u8)ct,                               \
		};                                                                              \
		const int v6 = V6;                                                              \
		__u32 tree = v6 ? SN_CLS_MAX_TREES : 0, last_tree = tree + SN_CLS_MAX_TREES;    \
		w.v[SN_CLS_W_SRC] = bpf_ntohl(p->src[0]);                                       \
		w.v[SN_CLS_W_DST] = bpf_ntohl(p->dst[0]);                                       \
		if (v6) {                                                                       \
			w.v[SN_CLS_W_SRC + 1] = bpf_ntohl(p->src[1]);                           \
			w.v[SN_CLS_W_SRC + 2] = bpf_ntohl(p->src[2]);                           \
			w.v[SN_CLS_W_SRC + 3] = bpf_ntohl(p->src[3]);                           \
			w.v[SN_CLS_W_DST + 1] = bpf_ntohl(p->dst[1]);                           \
			w.v[SN_CLS_W_DST + 2] = bpf_ntohl(p->dst[2]);                           \
			w.v[SN_CLS_W_DST + 3] = bpf_ntohl(p->dst[3]);                           \
		}                                                                               \
		w.v[SN_CLS_W_SPORT] = p->sport;                                                 \
		w.v[SN_CLS_W_DPORT] = p->dport;                                                 \
		w.v[SN_CLS_W_PROTO] = p->proto;                                                 \
		__u32 left = steps;                                                             \
		for (; tree < last_tree && SN_CAN_LOOP; tree++) {                               \
			/* Down from the root: one step a node. */                              \
			const struct sn_cls_node *n = 0;                                        \
			__u32 node = tree;                                                      \
			while (SN_CAN_LOOP) {                                                   \
				if (!left)                                                      \
					return w.best;                                          \
				left--;                                                         \
				n = bpf_map_lookup_elem(&nodes, &node);                         \
				if (!n)                                                         \
					return w.best;                                          \
				if (n->min_rule >= w.best || n->word == SN_CLS_LEAF)            \
					break;                                                  \
				__u32 val = w.v[n->word & (SN_CLS_WORDS - 1)];                  \
				node = n->base +                                                \
				       ((val >> (n->shift & 31)) & ((1u << (n->bits & 31)) - 1)); \
			}                                                                       \
			if (!n || n->min_rule >= w.best) {                                      \
				/* Roots come in ascending min_rule: no later tree can win. */  \
				if (node == tree)                                               \
					return w.best;                                          \
				continue;                                                       \
			}                                                                       \
			if (n->word != SN_CLS_LEAF)                                             \
				return w.best;                                                  \
			/* The leaf, in rule order: one step a record. */                      \
			for (__u32 pos = n->base, end = n->base + n->count; pos < end && SN_CAN_LOOP; \
			     pos++) {                                                           \
				if (!left)                                                      \
					return w.best;                                          \
				left--;                                                         \
				const __u32 *id = bpf_map_lookup_elem(&leaves, &pos);           \
				if (!id)                                                        \
					return w.best;                                          \
				const struct sn_cls_rec *r = bpf_map_lookup_elem(&recs, id);    \
				if (!r || r->rule >= w.best)                                    \
					break;                                                  \
				if (sn_cls_rec_match(r, &w, v6)) {                              \
					w.best = r->rule;                                       \
					break;                                                  \
				}                                                               \
			}                                                                       \
		}                                                                               \
		return w.best;                                                                  \
	} \

#define SN_CLS_DEFINE_WALK(name, nodes, leaves, recs, with_v6)                                  \
	SN_CLS_DEFINE_WALK_OF(name##_v4, nodes, leaves, recs, 0)                                \
	SN_CLS_DEFINE_WALK_OF(name##_v6, nodes, leaves, recs, 1)                                \
	SN_INLINE __u32 name(const struct sn_pkt *p, __u32 ct, __u32 steps, __u32 nrules)      \
	{                                                                                       \
		if ((with_v6) && p->family == 6)                                                \
			return name##_v6(p, ct, steps, nrules);                                 \
		return name##_v4(p, ct, steps, nrules);                                         \
	}

#endif
