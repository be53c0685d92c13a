/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* Packet parsing shared by every XDP and TC program: Ethernet, up to two
 * VLAN tags, IPv4 or IPv6 (with its extension headers), then TCP, UDP,
 * ICMP or ICMPv6, and for ICMP errors the tuple of the embedded packet.
 *
 * Outcome: SN_PARSE_OK, SN_PARSE_NOT_IP (not ours: the programs pass it), or
 * SN_PARSE_MALFORMED (a header cut short, a bad version or length, or a
 * third VLAN tag, which would hide the frame's real protocol). The VLAN ids
 * (802.1Q, or 802.1ad outside 802.1Q) and the DSCP are kept for matching.
 *
 * Offsets are bounded scalars (SN_PKT_OFF_MASK) added to data at each access:
 * paths that reach a header through different options or extension headers
 * then look alike to the verifier, which prunes them. The IPv6 extension
 * headers are walked under bpf_loop (see sn_v6_ext_step). */
#ifndef SENTINEL_BPF_PARSE_H
#define SENTINEL_BPF_PARSE_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "sentinel/bpf/compat.h"

#define SN_MAX_VLANS 2
#define SN_V6_MAX_EXT 8
/* Bounds every variable offset for the verifier; larger than any header
 * chain we walk (22 + 40 + 8 * 2048), so it never changes a real value. */
#define SN_PKT_OFF_MASK 0x7fff
/* How much of a non-linear skb the TC programs pull to see its headers. */
#define SN_TC_PULL_MAX 1024

enum sn_parse_rc {
	SN_PARSE_OK = 0,
	SN_PARSE_NOT_IP = 1,
	SN_PARSE_MALFORMED = 2,
};

enum sn_icmp_kind {
	SN_ICMP_NONE = 0, /* not ICMP (or ICMP of the other family) */
	SN_ICMP_ECHO_REQUEST = 1,
	SN_ICMP_ECHO_REPLY = 2,
	SN_ICMP_ERROR = 3, /* v4: 3, 4, 5, 11, 12; v6: 1, 2, 3, 4 */
	SN_ICMP_OTHER = 4,
};

/* The embedded packet of an ICMP error: its L3 addresses, protocol, and
 * ports (TCP, UDP) or echo identifier (as both ports); host-order ports. */
struct sn_inner {
	__u32 src[4];
	__u32 dst[4];
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct sn_pkt {
	__u32 src[4]; /* network order; IPv4 in word 0, the rest zero */
	__u32 dst[4];
	__u16 sport; /* host order; 0 without ports */
	__u16 dport;
	__u32 len;     /* frame length: set by the program, not the parser */
	__u8 family;   /* 4 or 6 once parsed */
	__u8 proto;    /* upper-layer protocol, or the 9th extension header */
	__u8 has_ports; /* TCP or UDP with its header (not a non-first fragment) */
	__u8 tcp_flags; /* TCP header byte 13 */
	__u8 frag;      /* a non-first fragment */
	__u8 icmp;      /* enum sn_icmp_kind */
	__u8 icmp_type;
	__u8 icmp_code;
	__u16 icmp_id; /* echo identifier, host order */
	__u8 dscp;     /* DSCP of the IPv4 TOS or IPv6 traffic class */
	__u8 nvlans;   /* VLAN tags in front of the IP header: 0, 1 or 2 */
	__u16 vlan[SN_MAX_VLANS]; /* their ids (TCI & 0xfff), outer first */
	struct sn_inner inner; /* icmp == SN_ICMP_ERROR */
	__u16 l4_off; /* where the upper-layer header starts, when it was read */
	__u16 ifaces; /* the arrival interface's slot bits (cls_extra.h): set by the program */
	__u16 pad3[2];
};

SN_INLINE __u8 sn_icmp4_kind(__u8 type)
{
	if (type == 8)
		return SN_ICMP_ECHO_REQUEST;
	if (type == 0)
		return SN_ICMP_ECHO_REPLY;
	if (type == 3 || type == 4 || type == 5 || type == 11 || type == 12)
		return SN_ICMP_ERROR;
	return SN_ICMP_OTHER;
}

SN_INLINE __u8 sn_icmp6_kind(__u8 type)
{
	if (type == 128)
		return SN_ICMP_ECHO_REQUEST;
	if (type == 129)
		return SN_ICMP_ECHO_REPLY;
	if (type >= 1 && type <= 4)
		return SN_ICMP_ERROR;
	return SN_ICMP_OTHER;
}

SN_INLINE __u16 sn_load_be16(const void *p)
{
	return bpf_ntohs(*(const __u16 *)p);
}

/* The embedded packet of an ICMP error at `off`: its IP header and the
 * first 8 bytes of what follows, which an ICMP error must carry (less is
 * malformed). The extension headers of an embedded IPv6 packet are not
 * walked: an error about such a packet names no flow. */
SN_INLINE int sn_parse_embedded(struct sn_pkt *p, void *data, void *end, __u32 off, int v6)
{
	__u8 *l4;
	__u8 proto;

	if (!v6) {
		struct iphdr *ip = data + off;
		if ((void *)(ip + 1) > end)
			return SN_PARSE_MALFORMED;
		__u8 vihl = *(__u8 *)ip;
		if ((vihl >> 4) != 4 || (vihl & 0xf) < 5)
			return SN_PARSE_MALFORMED;
		l4 = data + ((off + (vihl & 0xf) * 4) & SN_PKT_OFF_MASK);
		if ((void *)(l4 + 8) > end)
			return SN_PARSE_MALFORMED;
		proto = ip->protocol;
		p->inner.src[0] = ip->saddr;
		p->inner.dst[0] = ip->daddr;
		p->inner.proto = proto;
		if (ip->frag_off & bpf_htons(0x1fff))
			return SN_PARSE_OK;
		if (proto == SN_IPPROTO_ICMP) {
			if (l4[0] == 8 || l4[0] == 0)
				p->inner.sport = p->inner.dport = sn_load_be16(l4 + 4);
			return SN_PARSE_OK;
		}
	} else {
		struct ipv6hdr *ip6 = data + off;
		if ((void *)(ip6 + 1) > end)
			return SN_PARSE_MALFORMED;
		if ((*(__u8 *)ip6 >> 4) != 6)
			return SN_PARSE_MALFORMED;
		l4 = (__u8 *)(ip6 + 1);
		if ((void *)(l4 + 8) > end)
			return SN_PARSE_MALFORMED;
		proto = ip6->nexthdr;
		__builtin_memcpy(p->inner.src, &ip6->saddr, 16);
		__builtin_memcpy(p->inner.dst, &ip6->daddr, 16);
		p->inner.proto = proto;
		if (proto == SN_IPPROTO_ICMPV6) {
			if (l4[0] == 128 || l4[0] == 129)
				p->inner.sport = p->inner.dport = sn_load_be16(l4 + 4);
			return SN_PARSE_OK;
		}
	}
	if (proto == SN_IPPROTO_TCP || proto == SN_IPPROTO_UDP) {
		p->inner.sport = sn_load_be16(l4);
		p->inner.dport = sn_load_be16(l4 + 2);
	}
	return SN_PARSE_OK;
}

/* The upper-layer header at `off`, for p->proto. */
SN_INLINE int sn_parse_l4(struct sn_pkt *p, void *data, void *end, __u32 off, int v6,
			  int with_inner)
{
	__u8 *l4 = data + off;

	p->l4_off = off;
	if (p->proto == SN_IPPROTO_TCP) {
		if ((void *)(l4 + 20) > end)
			return SN_PARSE_MALFORMED;
		p->sport = sn_load_be16(l4);
		p->dport = sn_load_be16(l4 + 2);
		p->tcp_flags = l4[13];
		p->has_ports = 1;
	} else if (p->proto == SN_IPPROTO_UDP) {
		if ((void *)(l4 + 8) > end)
			return SN_PARSE_MALFORMED;
		p->sport = sn_load_be16(l4);
		p->dport = sn_load_be16(l4 + 2);
		p->has_ports = 1;
	} else if (p->proto == (v6 ? SN_IPPROTO_ICMPV6 : SN_IPPROTO_ICMP)) {
		if ((void *)(l4 + 8) > end)
			return SN_PARSE_MALFORMED;
		__u8 kind = v6 ? sn_icmp6_kind(l4[0]) : sn_icmp4_kind(l4[0]);
		p->icmp = kind;
		p->icmp_type = l4[0];
		p->icmp_code = l4[1];
		if (kind == SN_ICMP_ECHO_REQUEST || kind == SN_ICMP_ECHO_REPLY)
			p->icmp_id = sn_load_be16(l4 + 4);
		else if (kind == SN_ICMP_ERROR && with_inner)
			return sn_parse_embedded(p, data, end, (off + 8) & SN_PKT_OFF_MASK, v6);
	}
	return SN_PARSE_OK;
}

SN_INLINE int sn_parse_ipv4(struct sn_pkt *p, void *data, void *end, __u32 off, int with_inner)
{
	struct iphdr *ip = data + off;
	if ((void *)(ip + 1) > end)
		return SN_PARSE_MALFORMED;
	__u8 vihl = *(__u8 *)ip;
	if ((vihl >> 4) != 4 || (vihl & 0xf) < 5)
		return SN_PARSE_MALFORMED;
	__u32 l4 = (off + (vihl & 0xf) * 4) & SN_PKT_OFF_MASK;
	if (data + l4 > end)
		return SN_PARSE_MALFORMED;
	p->family = 4;
	p->dscp = ip->tos >> 2;
	p->proto = ip->protocol;
	p->src[0] = ip->saddr;
	p->dst[0] = ip->daddr;
	/* A non-first fragment carries no L4 header. */
	if (ip->frag_off & bpf_htons(0x1fff)) {
		p->frag = 1;
		return SN_PARSE_OK;
	}
	return sn_parse_l4(p, data, end, l4, 0, with_inner);
}

SN_INLINE int sn_v6_is_ext(__u8 nh)
{
	return nh == SN_IPPROTO_HOPOPTS || nh == SN_IPPROTO_ROUTING || nh == SN_IPPROTO_DSTOPTS ||
	       nh == SN_IPPROTO_FRAGMENT || nh == SN_IPPROTO_AH;
}

/* Variants without the IPv6 path still say what they saw: family, addresses
 * and next header, never ports and never malformed. */
SN_INLINE int sn_parse_ipv6_base(struct sn_pkt *p, void *data, void *end, __u32 off)
{
	struct ipv6hdr *ip6 = data + off;
	p->family = 6;
	if ((void *)(ip6 + 1) <= end) {
		p->dscp = (((__u8 *)ip6)[0] & 0x0f) << 2 | ((__u8 *)ip6)[1] >> 6;
		__builtin_memcpy(p->src, &ip6->saddr, 16);
		__builtin_memcpy(p->dst, &ip6->daddr, 16);
		p->proto = ip6->nexthdr;
	}
	return SN_PARSE_OK;
}

/* The extension-header walk, one header per bpf_loop step. Unrolled, every
 * mix of header kinds leaves a differently-shaped offset, and the verifier
 * would explore each mix through the whole program; as a loop body it checks
 * one step, and the program sees one bounded offset after the walk. Costs
 * nothing for packets without extension headers. */
struct sn_v6_walk {
	void *data;
	void *end;
	__u32 off;
	__u8 nh;
	__u8 rc;   /* SN_PARSE_MALFORMED when a header is cut short */
	__u8 frag; /* stopped at a non-first fragment */
	__u8 pad;
};

static long sn_v6_ext_step(__u32 i, void *arg)
{
	struct sn_v6_walk *w = arg;
	__u8 nh = w->nh;
	if (!sn_v6_is_ext(nh))
		return 1;
	__u8 *eh = w->data + (w->off & SN_PKT_OFF_MASK);
	/* Every extension header is at least 8 bytes long. */
	if ((void *)(eh + 8) > w->end) {
		w->rc = SN_PARSE_MALFORMED;
		return 1;
	}
	__u32 hlen;
	if (nh == SN_IPPROTO_FRAGMENT) {
		if (sn_load_be16(eh + 2) & 0xfff8) {
			/* A non-first fragment: what follows is data. */
			w->nh = eh[0];
			w->frag = 1;
			return 1;
		}
		hlen = 8;
	} else if (nh == SN_IPPROTO_AH) {
		hlen = ((__u32)eh[1] + 2) << 2; /* 4-byte units, minus 2 */
	} else {
		hlen = ((__u32)eh[1] + 1) << 3; /* 8-byte units, minus 1 */
	}
	w->nh = eh[0];
	w->off = (w->off & SN_PKT_OFF_MASK) + hlen;
	return 0;
}

SN_INLINE int sn_parse_ipv6(struct sn_pkt *p, void *data, void *end, __u32 off, int with_inner)
{
	struct ipv6hdr *ip6 = data + off;
	if ((void *)(ip6 + 1) > end)
		return SN_PARSE_MALFORMED;
	if ((*(__u8 *)ip6 >> 4) != 6)
		return SN_PARSE_MALFORMED;
	p->family = 6;
	p->dscp = (((__u8 *)ip6)[0] & 0x0f) << 2 | ((__u8 *)ip6)[1] >> 6;
	__builtin_memcpy(p->src, &ip6->saddr, 16);
	__builtin_memcpy(p->dst, &ip6->daddr, 16);

	struct sn_v6_walk w = {
		.data = data, .end = end, .off = off + sizeof(*ip6), .nh = ip6->nexthdr,
	};
	if (sn_v6_is_ext(w.nh))
		bpf_loop(SN_V6_MAX_EXT, sn_v6_ext_step, &w, 0);
	if (w.rc)
		return SN_PARSE_MALFORMED;
	p->proto = w.nh;
	if (w.frag) {
		p->frag = 1;
		return SN_PARSE_OK;
	}
	off = w.off & SN_PKT_OFF_MASK;
	if (data + off > end)
		return SN_PARSE_MALFORMED; /* an extension header ran past the end */
	/* Past SN_V6_MAX_EXT headers the next one is the protocol: no ports. */
	if (sn_v6_is_ext(w.nh))
		return SN_PARSE_OK;
	return sn_parse_l4(p, data, end, off, 1, with_inner);
}

/* Parses the frame in [data, end). with_v6: walk IPv6 (else the base header
 * only); with_inner: parse the packet embedded in ICMP errors. Both are
 * compile-time constants at every call site. */
SN_INLINE int sn_parse(struct sn_pkt *p, void *data, void *end, int with_v6, int with_inner)
{
	__builtin_memset(p, 0, sizeof(*p));
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return SN_PARSE_NOT_IP;
	__u16 h = eth->h_proto;
	__u32 off = sizeof(*eth);

#pragma unroll
	for (int i = 0; i < SN_MAX_VLANS; i++) {
		if (h != bpf_htons(SN_ETH_P_8021Q) && h != bpf_htons(SN_ETH_P_8021AD))
			break;
		__u8 *vh = data + off;
		if ((void *)(vh + 4) > end)
			return SN_PARSE_MALFORMED;
		h = *(__u16 *)(vh + 2);
		p->vlan[i] = sn_load_be16(vh) & 0x0fff;
		p->nvlans = i + 1;
		off += 4;
	}
	if (h == bpf_htons(SN_ETH_P_IP))
		return sn_parse_ipv4(p, data, end, off, with_inner);
	if (h == bpf_htons(SN_ETH_P_IPV6)) {
		if (with_v6)
			return sn_parse_ipv6(p, data, end, off, with_inner);
		return sn_parse_ipv6_base(p, data, end, off);
	}
	if (h == bpf_htons(SN_ETH_P_8021Q) || h == bpf_htons(SN_ETH_P_8021AD))
		return SN_PARSE_MALFORMED;
	return SN_PARSE_NOT_IP;
}

SN_INLINE int sn_parse_xdp(struct xdp_md *ctx, struct sn_pkt *p, int with_v6, int with_inner)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	int rc = sn_parse(p, data, end, with_v6, with_inner);
	/* A pointer difference: privileged loads only, as the enforcer's are. */
	p->len = ctx->data_end - ctx->data;
	return rc;
}

/* TC: the headers may sit outside the linear area. Parse what is linear;
 * when that falls short of a packet that is longer, pull and parse again. */
SN_INLINE int sn_parse_skb(struct __sk_buff *skb, struct sn_pkt *p, int with_v6, int with_inner)
{
	int rc = SN_PARSE_MALFORMED;

#pragma clang loop unroll(disable)
	for (int i = 0; i < 2; i++) {
		void *data = (void *)(long)skb->data;
		void *end = (void *)(long)skb->data_end;
		rc = sn_parse(p, data, end, with_v6, with_inner);
		if (rc != SN_PARSE_MALFORMED || i)
			break;
		__u32 want = skb->len < SN_TC_PULL_MAX ? skb->len : SN_TC_PULL_MAX;
		/* Already linear that far: the packet itself is short. */
		if (data + want <= end || bpf_skb_pull_data(skb, want))
			break;
	}
	p->len = skb->len;
	return rc;
}

#endif
