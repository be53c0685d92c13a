/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* The tuple-space walk of classify.h, for any domain's own tuple and key
 * maps. SN_CLS_DECLARE_MAPS declares the generation's two maps;
 * SN_CLS_DEFINE_WALK(name, tuples, keys, with_v6) defines
 *
 *   __u32 name(const struct sn_pkt *p, __u8 ct, __u32 ntuples, __u32 nrules)
 *
 * which returns the smallest matching rule index, or nrules when none
 * matches. The tuples come sorted by their smallest rule, so the walk stops
 * at the first tuple that cannot beat the best rule found. The per-tuple
 * step runs under bpf_loop: the verifier checks it once, whatever ntuples
 * is, and the cost stays one array and one hash lookup per visited tuple. */
#ifndef SENTINEL_BPF_CLS_WALK_H
#define SENTINEL_BPF_CLS_WALK_H

#include "sentinel/abi/classify.h"
#include "sentinel/bpf/parse.h"

struct sn_cls_walk {
	const struct sn_pkt *pkt;
	__u32 best;
	__u8 ct;
};

#define SN_CLS_DECLARE_MAPS(tuples, keys)                        \
	struct {                                                 \
		__uint(type, BPF_MAP_TYPE_ARRAY);                \
		__uint(max_entries, SN_MAX_TUPLES);              \
		__type(key, __u32);                              \
		__type(value, struct sn_cls_tuple);              \
	} tuples SEC(".maps");                                   \
	struct {                                                 \
		__uint(type, BPF_MAP_TYPE_HASH);                 \
		__uint(max_entries, 1); /* sized by the loader */ \
		__type(key, struct sn_cls_key);                  \
		__type(value, struct sn_cls_match);              \
	} keys SEC(".maps")

#define SN_CLS_DEFINE_WALK(name, tuples, keys, with_v6)                                   \
	static long name##_step(__u32 i, void *arg)                                       \
	{                                                                                 \
		struct sn_cls_walk *w = arg;                                              \
		const struct sn_cls_tuple *t = bpf_map_lookup_elem(&tuples, &i);          \
		if (!t || t->min_rule >= w->best)                                         \
			return 1;                                                         \
		const struct sn_pkt *p = w->pkt;                                          \
		if (t->family != p->family || (t->needs_ports && !p->has_ports))          \
			return 0;                                                         \
		struct sn_cls_key k;                                                      \
		k.tuple = i;                                                              \
		k.family = p->family;                                                     \
		k.proto = p->proto & t->proto_mask;                                       \
		k.sport = p->sport & t->sport_mask;                                       \
		k.dport = p->dport & t->dport_mask;                                       \
		k.ct = w->ct & t->ct_mask;                                                \
		k.pad = 0;                                                                \
		k.src[0] = p->src[0] & t->src_mask[0];                                    \
		k.dst[0] = p->dst[0] & t->dst_mask[0];                                    \
		if (with_v6) {                                                            \
			k.src[1] = p->src[1] & t->src_mask[1];                            \
			k.src[2] = p->src[2] & t->src_mask[2];                            \
			k.src[3] = p->src[3] & t->src_mask[3];                            \
			k.dst[1] = p->dst[1] & t->dst_mask[1];                            \
			k.dst[2] = p->dst[2] & t->dst_mask[2];                            \
			k.dst[3] = p->dst[3] & t->dst_mask[3];                            \
		} else {                                                                  \
			k.src[1] = k.src[2] = k.src[3] = 0;                               \
			k.dst[1] = k.dst[2] = k.dst[3] = 0;                               \
		}                                                                         \
		const struct sn_cls_match *m = bpf_map_lookup_elem(&keys, &k);            \
		if (m && m->rule < w->best)                                               \
			w->best = m->rule;                                                \
		return 0;                                                                 \
	}                                                                                 \
	SN_INLINE __u32 name(const struct sn_pkt *p, __u8 ct, __u32 ntuples, __u32 nrules) \
	{                                                                                 \
		struct sn_cls_walk w = { .pkt = p, .best = nrules, .ct = ct };            \
		if (ntuples)                                                              \
			bpf_loop(ntuples, name##_step, &w, 0);                            \
		return w.best;                                                            \
	}

#endif
