/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* A bpfilter-style linear peer: the rules sit in an array in priority order
 * and every packet scans them with bpf_loop until the first match, so its
 * cost grows with the position of the deciding rule. Same packet parsing
 * and the same per-rule counting as the Sentinel firewall, so the two
 * differ only in how they classify. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "linear.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile struct bench_linear_config lin_cfg = {};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* resized by the loader */
	__type(key, __u32);
	__type(value, struct bench_linear_rule);
} lin_rules SEC(".maps");

struct lin_counter {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1); /* resized by the loader: nrules + 1 */
	__type(key, __u32);
	__type(value, struct lin_counter);
} lin_cnt SEC(".maps");

struct lin_pkt {
	__u32 src[4];
	__u32 dst[4];
	__u16 sport, dport;
	__u8 family, proto, has_ports, pad;
};

struct lin_scan {
	const struct lin_pkt *pkt;
	__u32 hit;
};

static __always_inline int addr_match(const __u32 *a, const __u32 *net, const __u32 *mask,
				      int words)
{
	if ((a[0] & mask[0]) != net[0])
		return 0;
	if (words == 1)
		return 1;
	return (a[1] & mask[1]) == net[1] && (a[2] & mask[2]) == net[2] &&
	       (a[3] & mask[3]) == net[3];
}

static long scan_rule(__u32 i, void *arg)
{
	struct lin_scan *s = arg;
	const struct lin_pkt *p = s->pkt;
	const struct bench_linear_rule *r = bpf_map_lookup_elem(&lin_rules, &i);
	if (!r)
		return 1;
	if (r->family != p->family)
		return 0;
	if (r->proto && r->proto != p->proto)
		return 0;
	if (r->needs_ports) {
		if (!p->has_ports)
			return 0;
		if (p->sport < r->sport_lo || p->sport > r->sport_hi ||
		    p->dport < r->dport_lo || p->dport > r->dport_hi)
			return 0;
	}
	int words = p->family == 4 ? 1 : 4;
	if (!addr_match(p->src, r->src, r->src_mask, words) ||
	    !addr_match(p->dst, r->dst, r->dst_mask, words))
		return 0;
	s->hit = i;
	return 1;
}

static __always_inline void parse_ports(struct lin_pkt *p, void *l4, void *end)
{
	if (p->proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;
		if ((void *)(th + 1) > end)
			return;
		p->sport = bpf_ntohs(th->source);
		p->dport = bpf_ntohs(th->dest);
		p->has_ports = 1;
	} else if (p->proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;
		if ((void *)(uh + 1) > end)
			return;
		p->sport = bpf_ntohs(uh->source);
		p->dport = bpf_ntohs(uh->dest);
		p->has_ports = 1;
	}
}

SEC("xdp")
int bench_xdp_linear(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	void *l3 = eth + 1;
	struct lin_pkt pkt = {};
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;
		if ((void *)(ip + 1) > end || ip->ihl < 5)
			return XDP_DROP;
		pkt.family = 4;
		pkt.proto = ip->protocol;
		pkt.src[0] = ip->saddr;
		pkt.dst[0] = ip->daddr;
		if (!(ip->frag_off & bpf_htons(0x1fff)))
			parse_ports(&pkt, l3 + ip->ihl * 4, end);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l3;
		if ((void *)(ip6 + 1) > end)
			return XDP_DROP;
		pkt.family = 6;
		pkt.proto = ip6->nexthdr; /* extension headers: not in the probes */
		__builtin_memcpy(pkt.src, &ip6->saddr, 16);
		__builtin_memcpy(pkt.dst, &ip6->daddr, 16);
		parse_ports(&pkt, ip6 + 1, end);
	} else {
		return XDP_PASS;
	}

	struct lin_scan s = { .pkt = &pkt, .hit = lin_cfg.nrules };
	bpf_loop(lin_cfg.nrules, scan_rule, &s, 0);

	__u32 action = lin_cfg.default_action;
	__u32 idx = s.hit;
	if (idx < lin_cfg.nrules) {
		const struct bench_linear_rule *r = bpf_map_lookup_elem(&lin_rules, &idx);
		if (r)
			action = r->action;
	}
	struct lin_counter *c = bpf_map_lookup_elem(&lin_cnt, &idx);
	if (c) {
		c->packets++;
		c->bytes += (__u64)(end - data);
	}
	return action == BENCH_LINEAR_DENY ? XDP_DROP : XDP_PASS;
}
