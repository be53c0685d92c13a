/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* Does a packet meet a record's extra match fields (abi/cls_extra.h)? */
#ifndef SENTINEL_BPF_CLS_EXTRA_H
#define SENTINEL_BPF_CLS_EXTRA_H

#include "sentinel/abi/cls_extra.h"
#include "sentinel/bpf/parse.h"

SN_INLINE int sn_cls_extra_match(const struct sn_cls_extra *x, const struct sn_pkt *p)
{
	__u32 has = x->has;

	if (!has)
		return 1;
	if (has & SN_CX_TCP_FLAGS) {
		if (p->proto != SN_IPPROTO_TCP || !p->has_ports ||
		    (p->tcp_flags & x->tcp_mask) != x->tcp_flags)
			return 0;
	}
	if (has & (SN_CX_ICMP_TYPE | SN_CX_ICMP_CODE)) {
		__u8 icmp = p->family == 4 ? SN_IPPROTO_ICMP : SN_IPPROTO_ICMPV6;
		/* p->icmp is set exactly when the family's ICMP header was read. */
		if (p->proto != icmp || p->frag || p->icmp == SN_ICMP_NONE)
			return 0;
		if ((has & SN_CX_ICMP_TYPE) && p->icmp_type != x->icmp_type)
			return 0;
		if ((has & SN_CX_ICMP_CODE) && p->icmp_code != x->icmp_code)
			return 0;
	}
	if ((has & SN_CX_DSCP) && p->dscp != x->dscp)
		return 0;
	if ((has & SN_CX_VLAN) && (p->nvlans < 1 || p->vlan[0] != x->vlan))
		return 0;
	if ((has & SN_CX_VLAN_INNER) && (p->nvlans < 2 || p->vlan[1] != x->vlan_inner))
		return 0;
	if ((has & SN_CX_IFACE) && !(p->ifaces & x->ifaces))
		return 0;
	if ((has & SN_CX_IFACE_NOT) && (p->ifaces & x->ifaces))
		return 0;
	return 1;
}

#endif
