/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* The firewall's `reject`: the frame is turned into the answer in place and
 * sent back out of the interface it came in on (XDP_TX):
 *   TCP         a RST, as RFC 793 resets a segment for a closed port: with
 *               ACK set, <SEQ=SEG.ACK><CTL=RST>; otherwise
 *               <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (SYN and FIN count)
 *   otherwise   ICMP destination unreachable, port unreachable (type 3 code
 *               3), or ICMPv6 destination unreachable, port unreachable
 *               (type 1 code 4), quoting the first SN_REJECT_QUOTE bytes of
 *               the offending packet from its IP header on
 * Addresses and ports swapped, MACs swapped, VLAN tags kept; every checksum
 * (IPv4 header, TCP and ICMPv6 with their pseudo-headers) computed.
 *
 * Never answered, only dropped: a RST; an ICMP error (RFC 1122); a non-first
 * fragment; a packet to a multicast or broadcast address; and a source over
 * its budget. The budget is a token bucket per source address (GCRA: one
 * theoretical arrival time per source) in sn_fw_reject, a host LRU map, so
 * that a spoofed flood cannot turn the firewall into a reflector and the
 * buckets outlive a switch of generations. */
#ifndef SENTINEL_BPF_REJECT_H
#define SENTINEL_BPF_REJECT_H

#include "sentinel/abi/firewall.h"
#include "sentinel/bpf/compat.h"
#include "sentinel/bpf/parse.h"

#define SN_REJECT_QUOTE SN_FW_QUOTE

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SN_FW_REJECT_SOURCES);
	__type(key, struct sn_fw_reject_key);
	__type(value, struct sn_fw_reject_state);
} sn_fw_reject SEC(".maps");

/* The quote of an ICMP answer is gathered here, not on the stack: sn_reject
 * runs as a function of its own, whose frame adds to the program's. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sn_fw_quote);
} sn_fw_quote SEC(".maps");

/* May this source be answered now? Takes one token when it may. */
SN_INLINE int sn_reject_budget(const struct sn_pkt *p, __u64 now, __u64 interval, __u32 burst)
{
	struct sn_fw_reject_key k = {};
	__builtin_memcpy(k.addr, p->src, sizeof(k.addr));
	k.family = p->family;
	struct sn_fw_reject_state *s = bpf_map_lookup_elem(&sn_fw_reject, &k);
	if (!s) {
		struct sn_fw_reject_state n = { .tat_ns = now + interval };
		bpf_map_update_elem(&sn_fw_reject, &k, &n, BPF_ANY);
		return 1;
	}
	__u64 tat = s->tat_ns > now ? s->tat_ns : now;
	if (tat - now > interval * (burst - 1))
		return 0;
	s->tat_ns = tat + interval;
	return 1;
}

SN_INLINE __u32 sn_csum_add(__u32 sum, const void *buf, __u32 words)
{
	const __u16 *w = buf;
	for (__u32 i = 0; i < words; i++)
		sum += w[i];
	return sum;
}

SN_INLINE __u16 sn_csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

SN_INLINE int sn_reject_unanswerable(const struct sn_pkt *p)
{
	if (p->frag || p->icmp == SN_ICMP_ERROR)
		return 1;
	if (p->proto == SN_IPPROTO_TCP && (!p->has_ports || (p->tcp_flags & 0x04)))
		return 1;
	if (p->family == 4) {
		__u8 first = ((const __u8 *)&p->dst[0])[0];
		return first >= 224 || p->dst[0] == 0xffffffff;
	}
	return ((const __u8 *)&p->dst[0])[0] == 0xff;
}

struct sn_l2 {
	__u8 b[14 + 4 * SN_MAX_VLANS];
};

/* Writes the saved L2 header back with the MACs swapped. */
SN_INLINE int sn_reject_l2(void *data, void *end, const struct sn_l2 *l2)
{
	__u8 *d = data;
	if ((void *)(d + sizeof(l2->b)) > end)
		return -1;
	__builtin_memcpy(d, l2->b + 6, 6);
	__builtin_memcpy(d + 6, l2->b, 6);
	__builtin_memcpy(d + 12, l2->b + 12, sizeof(l2->b) - 12);
	return 0;
}

struct sn_tcphdr {
	__u16 sport, dport;
	__u32 seq, ack;
	__u8 doff, flags;
	__u16 win, csum, urg;
};

struct sn_ip4hdr {
	__u8 vihl, tos;
	__u16 tot_len, id, frag;
	__u8 ttl, proto;
	__u16 csum;
	__u32 saddr, daddr;
};

struct sn_ip6hdr {
	__u32 vtcfl;
	__u16 plen;
	__u8 nh, hlim;
	__u32 saddr[4], daddr[4];
};

SN_INLINE void sn_reject_ip4(struct sn_ip4hdr *h, const struct sn_pkt *p, __u8 proto, __u16 len)
{
	__builtin_memset(h, 0, sizeof(*h));
	h->vihl = 0x45;
	h->tot_len = bpf_htons(len);
	h->frag = bpf_htons(0x4000); /* DF */
	h->ttl = 64;
	h->proto = proto;
	h->saddr = p->dst[0];
	h->daddr = p->src[0];
	h->csum = sn_csum_fold(sn_csum_add(0, h, sizeof(*h) / 2));
}

SN_INLINE void sn_reject_ip6(struct sn_ip6hdr *h, const struct sn_pkt *p, __u8 nh, __u16 plen)
{
	h->vtcfl = bpf_htonl(0x60000000);
	h->plen = bpf_htons(plen);
	h->nh = nh;
	h->hlim = 64;
	__builtin_memcpy(h->saddr, p->dst, 16);
	__builtin_memcpy(h->daddr, p->src, 16);
}

/* The pseudo-header sum of TCP or ICMPv6 over the reply's addresses. */
SN_INLINE __u32 sn_pseudo_sum(const struct sn_pkt *p, __u8 proto, __u32 len)
{
	__u32 sum = 0;
	if (p->family == 4) {
		sum = sn_csum_add(sum, &p->src[0], 2);
		sum = sn_csum_add(sum, &p->dst[0], 2);
	} else {
		sum = sn_csum_add(sum, p->src, 8);
		sum = sn_csum_add(sum, p->dst, 8);
	}
	__u32 w[2] = { bpf_htonl(len), bpf_htonl(proto) };
	return sn_csum_add(sum, w, 4);
}

/* The answer's last step, once the frame has its final size: the saved L2
 * header back in front, then the IP header (`proto4` or `proto6` as the next
 * protocol) and the `l4size` bytes of `l4` behind it; `payload` is what
 * follows the IP header in all. Inlined with constant sizes. */
SN_INLINE int sn_reject_put(struct xdp_md *ctx, const struct sn_pkt *p, const struct sn_l2 *l2, __u32 l3,
			    __u8 proto4, __u8 proto6, const void *l4, __u32 l4size, __u32 payload)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	if (sn_reject_l2(data, end, l2))
		return XDP_DROP;
	__u8 *out = data + (l3 & 0x1f);
	if (p->family == 4) {
		if ((void *)(out + sizeof(struct sn_ip4hdr) + l4size) > end)
			return XDP_DROP;
		struct sn_ip4hdr h;
		sn_reject_ip4(&h, p, proto4, sizeof(h) + payload);
		__builtin_memcpy(out, &h, sizeof(h));
		__builtin_memcpy(out + sizeof(h), l4, l4size);
	} else {
		if ((void *)(out + sizeof(struct sn_ip6hdr) + l4size) > end)
			return XDP_DROP;
		struct sn_ip6hdr h;
		sn_reject_ip6(&h, p, proto6, payload);
		__builtin_memcpy(out, &h, sizeof(h));
		__builtin_memcpy(out + sizeof(h), l4, l4size);
	}
	return XDP_TX;
}

SN_INLINE int sn_reject_tcp(struct xdp_md *ctx, const struct sn_pkt *p)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	/* First, so that no later, stronger check stands in for it. */
	struct sn_l2 l2;
	if (data + sizeof(l2.b) > end)
		return XDP_DROP;
	__builtin_memcpy(l2.b, data, sizeof(l2.b));
	__u32 l3 = 14 + 4 * (p->nvlans & 3);
	__u32 l4 = p->l4_off & SN_PKT_OFF_MASK;
	__u8 *th = data + l4;
	if ((void *)(th + 20) > end)
		return XDP_DROP;
	__u32 seq = bpf_ntohl(*(__u32 *)(th + 4));
	__u32 ack = bpf_ntohl(*(__u32 *)(th + 8));
	__u32 doff = (th[12] >> 4) * 4;
	__u8 flags = th[13];

	/* The segment's length, from the IP header (the frame may be padded). */
	__u8 *ip = data + (l3 & 0x1f);
	if ((void *)(ip + 20) > end || (p->family == 6 && (void *)(ip + 40) > end))
		return XDP_DROP;
	__u32 l4len;
	if (p->family == 4)
		l4len = bpf_ntohs(*(__u16 *)(ip + 2)) - (l4 - l3);
	else
		l4len = bpf_ntohs(*(__u16 *)(ip + 4)) + 40 - (l4 - l3);
	__u32 seglen = l4len > doff ? l4len - doff : 0;

	struct sn_tcphdr t = {};
	t.sport = bpf_htons(p->dport);
	t.dport = bpf_htons(p->sport);
	t.doff = 5 << 4;
	if (flags & 0x10) {
		t.seq = bpf_htonl(ack);
		t.flags = 0x04;
	} else {
		t.ack = bpf_htonl(seq + seglen + !!(flags & 0x02) + !!(flags & 0x01));
		t.flags = 0x14;
	}
	t.csum = sn_csum_fold(sn_csum_add(sn_pseudo_sum(p, SN_IPPROTO_TCP, sizeof(t)), &t, sizeof(t) / 2));

	__u32 iplen = p->family == 4 ? sizeof(struct sn_ip4hdr) : sizeof(struct sn_ip6hdr);
	/* p->len: the frame's length as it came (sn_parse_xdp). */
	int delta = (int)(l3 + iplen + sizeof(t)) - (int)p->len;
	if (delta < 0 && bpf_xdp_adjust_tail(ctx, delta))
		return XDP_DROP;
	return sn_reject_put(ctx, p, &l2, l3, SN_IPPROTO_TCP, SN_IPPROTO_TCP, &t, sizeof(t), sizeof(t));
}

SN_INLINE int sn_reject_icmp(struct xdp_md *ctx, const struct sn_pkt *p)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct sn_l2 l2;
	if (data + sizeof(l2.b) > end)
		return XDP_DROP;
	__builtin_memcpy(l2.b, data, sizeof(l2.b));
	__u32 l3 = 14 + 4 * (p->nvlans & 3);
	int v4 = p->family == 4;
	__u8 *ip = data + (l3 & 0x1f);
	if ((void *)(ip + 20) > end || (!v4 && (void *)(ip + 40) > end))
		return XDP_DROP;
	/* The offending packet from its IP header on, without frame padding. */
	__u32 iplen = v4 ? bpf_ntohs(*(__u16 *)(ip + 2)) : bpf_ntohs(*(__u16 *)(ip + 4)) + 40;
	__u32 avail = p->len - l3;
	__u32 q = iplen < avail ? iplen : avail;
	if (q > SN_REJECT_QUOTE)
		q = SN_REJECT_QUOTE;
	if (q < 8)
		return XDP_DROP;

	__u32 zero = 0;
	struct sn_fw_quote *qb = bpf_map_lookup_elem(&sn_fw_quote, &zero);
	if (!qb)
		return XDP_DROP;
	__u8 *quote = qb->b;
	__builtin_memset(quote, 0, SN_REJECT_QUOTE);
	if (bpf_xdp_load_bytes(ctx, l3, quote, q))
		return XDP_DROP;

	__u8 icmp[8] = { v4 ? 3 : 1, v4 ? 3 : 4, 0, 0, 0, 0, 0, 0 };
	__u32 sum = v4 ? 0 : sn_pseudo_sum(p, SN_IPPROTO_ICMPV6, sizeof(icmp) + q);
	sum = sn_csum_add(sum, icmp, sizeof(icmp) / 2);
	sum = sn_csum_add(sum, quote, SN_REJECT_QUOTE / 2); /* zero beyond q */
	__u16 csum = sn_csum_fold(sum);
	__builtin_memcpy(icmp + 2, &csum, 2);

	/* Room in front for the new IP and ICMP headers: the old IP header
	 * then already sits where the quote goes. */
	int grow = v4 ? sizeof(struct sn_ip4hdr) + 8 : sizeof(struct sn_ip6hdr) + 8;
	if (bpf_xdp_adjust_head(ctx, -grow))
		return XDP_DROP;
	int delta = (int)(l3 + q) - (int)p->len; /* grown by `grow` at the front */
	if (delta < 0 && bpf_xdp_adjust_tail(ctx, delta))
		return XDP_DROP;
	return sn_reject_put(ctx, p, &l2, l3, SN_IPPROTO_ICMP, SN_IPPROTO_ICMPV6, icmp, sizeof(icmp), sizeof(icmp) + q);
}

/* Answers a rejected packet within its source's budget (XDP_TX), or drops it.
 * A global function: the verifier checks it once, on its own, instead of
 * once for every path of the caller that reaches it (with connection
 * tracking and IPv6 those paths are many). */
__attribute__((noinline)) int sn_reject(struct xdp_md *ctx, const struct sn_pkt *p, __u64 now, __u64 interval,
					 __u32 burst)
{
	if (!ctx || !p)
		return XDP_DROP;
	if (sn_reject_unanswerable(p))
		return XDP_DROP;
	if (!sn_reject_budget(p, now, interval, burst))
		return XDP_DROP;
	if (p->proto == SN_IPPROTO_TCP)
		return sn_reject_tcp(ctx, p);
	return sn_reject_icmp(ctx, p);
}

#endif
