/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* sn_xdp_firewall: L3/L4 classification by tuple-space search with exact
 * first-match (see sentinel/abi/firewall.h). Everything a policy edit can
 * change lives in maps and in .rodata.sncfg, so the object only changes with
 * the variant switches:
 *   SN_FW_IPV6  compile the IPv6 path (some rule can match IPv6). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "sentinel/abi/firewall.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader before load; the verifier prunes on these. */
const volatile struct sn_fw_config sn_cfg SEC(".rodata.sncfg") = {};

/* Per-generation maps, filled from the bundle's images. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SN_FW_MAX_TUPLES);
	__type(key, __u32);
	__type(value, struct sn_fw_tuple);
} sn_fw_tuples SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* resized by the loader */
	__type(key, struct sn_fw_key);
	__type(value, struct sn_fw_match);
} sn_fw_keys SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* resized by the loader: nrules + 1 */
	__type(key, __u32);
	__type(value, struct sn_fw_rule);
} sn_fw_rules SEC(".maps");

/* The generation's policy text, never read here: it lets the enforcer read
 * the live policy back from the kernel. */
struct sn_fw_pir_chunk {
	char bytes[SN_FW_PIR_CHUNK];
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* resized by the loader */
	__type(key, __u32);
	__type(value, struct sn_fw_pir_chunk);
} sn_fw_pir SEC(".maps");

/* Shared state, reused across generations by pinning. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	/* Shared by every generation of this interface, so it is sized for any
	 * policy rather than for the first one; entries are allocated on use. */
	__uint(max_entries, SN_FW_MAX_COUNTERS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct sn_counter);
} sn_fw_cnt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} sn_fw_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sn_ring_stats);
} sn_fw_rstat SEC(".maps");

#define ETH_P_8021Q_ 0x8100
#define ETH_P_8021AD_ 0x88A8
#define SN_MAX_VLANS 2
#define SN_MAX_V6_EXT 4

/* What classification needs from a packet. */
struct sn_pkt {
	__u32 src[4];
	__u32 dst[4];
	__u16 sport;
	__u16 dport;
	__u8 family;
	__u8 proto;
	__u8 has_ports;
	__u8 pad;
};

struct sn_walk {
	const struct sn_pkt *pkt;
	__u32 best;
};

struct vlan_hdr_ {
	__be16 tci;
	__be16 encap;
};

static __always_inline void count(__u64 key, __u64 bytes)
{
	struct sn_counter *c = bpf_map_lookup_elem(&sn_fw_cnt, &key);
	if (!c) {
		struct sn_counter zero = {};
		/* Another CPU may insert first: NOEXIST failing is fine. */
		bpf_map_update_elem(&sn_fw_cnt, &key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&sn_fw_cnt, &key);
		if (!c)
			return;
	}
	c->packets++;
	c->bytes += bytes;
}

/* Adaptive backpressure: skip (and count) when the ring is over 3/4 of its
 * own size, whatever size the loader gave it. */
static __always_inline void emit(const struct sn_pkt *p, __u64 counter_key, __u32 rule,
				 __u32 action, __u32 verdict, __u32 len)
{
	__u32 zero = 0;
	struct sn_ring_stats *rs = bpf_map_lookup_elem(&sn_fw_rstat, &zero);
	__u64 avail = bpf_ringbuf_query(&sn_fw_events, BPF_RB_AVAIL_DATA);
	__u64 size = bpf_ringbuf_query(&sn_fw_events, BPF_RB_RING_SIZE);
	if (avail > size / 4 * 3) {
		if (rs)
			rs->skipped++;
		return;
	}
	struct sn_fw_event *e = bpf_ringbuf_reserve(&sn_fw_events, sizeof(*e), 0);
	if (!e) {
		if (rs)
			rs->skipped++;
		return;
	}
	e->counter_key = counter_key;
	e->rule = rule;
	e->action = action;
	e->verdict = verdict;
	e->family = p->family;
	e->proto = p->proto;
	e->sport = p->sport;
	e->dport = p->dport;
	e->pkt_len = len;
	__builtin_memcpy(e->src, p->src, sizeof(e->src));
	__builtin_memcpy(e->dst, p->dst, sizeof(e->dst));
	bpf_ringbuf_submit(e, 0);
	if (rs)
		rs->emitted++;
}

/* One tuple of the walk. Returns 1 to stop: tuples are sorted by min_rule,
 * so once a tuple's smallest rule cannot beat the best match, none can. */
static long walk_tuple(__u32 i, void *arg)
{
	struct sn_walk *w = arg;
	const struct sn_pkt *p = w->pkt;
	const struct sn_fw_tuple *t = bpf_map_lookup_elem(&sn_fw_tuples, &i);
	if (!t || t->min_rule >= w->best)
		return 1;
	if (t->family != p->family || (t->needs_ports && !p->has_ports))
		return 0;
	struct sn_fw_key k = {};
	k.tuple = i;
	k.family = p->family;
	k.proto = p->proto & t->proto_mask;
	k.sport = p->sport & t->sport_mask;
	k.dport = p->dport & t->dport_mask;
	k.src[0] = p->src[0] & t->src_mask[0];
	k.dst[0] = p->dst[0] & t->dst_mask[0];
#ifdef SN_FW_IPV6
	k.src[1] = p->src[1] & t->src_mask[1];
	k.src[2] = p->src[2] & t->src_mask[2];
	k.src[3] = p->src[3] & t->src_mask[3];
	k.dst[1] = p->dst[1] & t->dst_mask[1];
	k.dst[2] = p->dst[2] & t->dst_mask[2];
	k.dst[3] = p->dst[3] & t->dst_mask[3];
#endif
	const struct sn_fw_match *m = bpf_map_lookup_elem(&sn_fw_keys, &k);
	if (m && m->rule < w->best)
		w->best = m->rule;
	return 0;
}

/* Ports for TCP and UDP; a header cut short is malformed. Returns -1 then. */
static __always_inline int parse_ports(struct sn_pkt *p, void *l4, void *end)
{
	if (p->proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;
		if ((void *)(th + 1) > end)
			return -1;
		p->sport = bpf_ntohs(th->source);
		p->dport = bpf_ntohs(th->dest);
		p->has_ports = 1;
	} else if (p->proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;
		if ((void *)(uh + 1) > end)
			return -1;
		p->sport = bpf_ntohs(uh->source);
		p->dport = bpf_ntohs(uh->dest);
		p->has_ports = 1;
	}
	return 0;
}

static __always_inline int parse_ipv4(struct sn_pkt *p, void *l3, void *end)
{
	struct iphdr *ip = l3;
	if ((void *)(ip + 1) > end || ip->version != 4 || ip->ihl < 5)
		return -1;
	void *l4 = l3 + ip->ihl * 4;
	if (l4 > end)
		return -1;
	p->family = 4;
	p->proto = ip->protocol;
	p->src[0] = ip->saddr;
	p->dst[0] = ip->daddr;
	/* Non-first fragments carry no L4 header. */
	if (ip->frag_off & bpf_htons(0x1fff))
		return 0;
	return parse_ports(p, l4, end);
}

static __always_inline int is_v6_ext(__u8 nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_FRAGMENT;
}

static __always_inline int parse_ipv6(struct sn_pkt *p, void *l3, void *end)
{
	struct ipv6hdr *ip6 = l3;
	if ((void *)(ip6 + 1) > end || ip6->version != 6)
		return -1;
	p->family = 6;
	__builtin_memcpy(p->src, &ip6->saddr, 16);
	__builtin_memcpy(p->dst, &ip6->daddr, 16);
	__u8 nh = ip6->nexthdr;
	void *cur = ip6 + 1;
	int first_fragment = 1;
#pragma unroll
	for (int i = 0; i < SN_MAX_V6_EXT; i++) {
		if (!is_v6_ext(nh))
			break;
		__u8 *eh = cur;
		if ((void *)(eh + 8) > end)
			return -1;
		if (nh == IPPROTO_FRAGMENT) {
			__u16 off = ((__u16)eh[2] << 8 | eh[3]) & 0xfff8;
			if (off)
				first_fragment = 0;
			cur = eh + 8;
		} else {
			cur = eh + ((__u32)eh[1] + 1) * 8;
		}
		nh = eh[0];
	}
	p->proto = nh;
	if (!first_fragment || is_v6_ext(nh))
		return 0;
	if (cur > end)
		return -1;
	return parse_ports(p, cur, end);
}

SEC("xdp")
int sn_xdp_firewall(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	void *meta = (void *)(long)ctx->data_meta;
	__u32 len = (__u32)(end - data);
	/* The enforcer's smoke test marks its frames; they leave no trace. */
	int quiet = 0;
	if (meta + sizeof(__u64) <= data)
		quiet = *(__u64 *)meta == SN_SMOKE_META_MAGIC;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	__u16 h_proto = eth->h_proto;
	void *l3 = eth + 1;
#pragma unroll
	for (int i = 0; i < SN_MAX_VLANS; i++) {
		if (h_proto != bpf_htons(ETH_P_8021Q_) && h_proto != bpf_htons(ETH_P_8021AD_))
			break;
		struct vlan_hdr_ *vh = l3;
		if ((void *)(vh + 1) > end)
			return XDP_PASS;
		h_proto = vh->encap;
		l3 = vh + 1;
	}

	struct sn_pkt pkt = {};
	int rc;
	__u32 best = sn_cfg.nrules;
	if (h_proto == bpf_htons(ETH_P_IP)) {
		rc = parse_ipv4(&pkt, l3, end);
	} else if (h_proto == bpf_htons(ETH_P_IPV6)) {
#ifdef SN_FW_IPV6
		rc = parse_ipv6(&pkt, l3, end);
#else
		/* No rule can match IPv6 in this variant: the default decides. */
		pkt.family = 6;
		rc = 0;
		goto decide;
#endif
	} else {
		return XDP_PASS; /* ARP and other non-IP traffic is not ours */
	}
	if (rc < 0) {
		if (!quiet)
			count(sn_cfg.malformed_counter_key, len);
		return sn_cfg.mode == SN_FW_AUDIT ? XDP_PASS : XDP_DROP;
	}

	struct sn_walk w = { .pkt = &pkt, .best = best };
	bpf_loop(sn_cfg.ntuples, walk_tuple, &w, 0);
	best = w.best;

#ifndef SN_FW_IPV6
decide:
#endif
	;
	__u32 action = sn_cfg.default_action;
	__u64 ckey = 0;
	struct sn_fw_rule *r = bpf_map_lookup_elem(&sn_fw_rules, &best);
	if (r) {
		action = r->action;
		ckey = r->counter_key;
		if (!quiet)
			count(ckey, len);
	}
	__u32 verdict = XDP_PASS;
	if (action == SN_FW_DENY) {
		if (sn_cfg.mode == SN_FW_AUDIT) {
			if (!quiet)
				emit(&pkt, ckey, best, action, XDP_PASS, len);
		} else {
			verdict = XDP_DROP;
		}
	} else if (action == SN_FW_LOG && !quiet) {
		emit(&pkt, ckey, best, action, XDP_PASS, len);
	}
	return verdict;
}
