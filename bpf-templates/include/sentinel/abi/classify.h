/* SPDX-License-Identifier: Apache-2.0 */
/* L3/L4 classification with exact first match, shared by every domain whose
 * rules match packets (firewall, rate limiting): tuple-space search.
 *
 * The compiler expands every rule into (family, src prefix, dst prefix,
 * protocol, source-port prefix, destination-port prefix, ct state) entries.
 * Entries that share a mask shape form a tuple. The key map holds, for each
 * (tuple, masked fields), the smallest rule index that produces it. Per
 * packet the program walks the tuples in ascending order of their smallest
 * rule index, masks the packet with each tuple's masks and looks it up; the
 * walk stops as soon as the next tuple cannot beat the best rule found.
 * Addresses in network order, ports and everything else in host order. */
#ifndef SENTINEL_ABI_CLASSIFY_H
#define SENTINEL_ABI_CLASSIFY_H

#include "common.h"

#define SN_MAX_TUPLES 1024

struct sn_cls_key {
	__u32 tuple;
	__u8 family; /* 4 or 6 */
	__u8 proto;  /* masked IP protocol */
	__u16 sport; /* masked */
	__u16 dport; /* masked */
	__u8 ct;     /* masked enum sn_ct_pkt_state */
	__u8 pad;
	__u32 src[4]; /* masked, network order; IPv4 uses src[0] only */
	__u32 dst[4];
};

struct sn_cls_match {
	__u32 rule; /* index into the domain's rules array: lower wins */
};

struct sn_cls_tuple {
	__u32 min_rule; /* smallest rule index of any entry in this tuple */
	__u8 family;
	__u8 proto_mask; /* 0 (any protocol) or 0xff */
	__u16 sport_mask;
	__u16 dport_mask;
	__u8 needs_ports; /* 1: only packets that carry L4 ports can match */
	__u8 ct_mask;     /* 0 (any state) or 0xff */
	__u32 src_mask[4];
	__u32 dst_mask[4];
	__u32 pad; /* zero */
};

SN_ASSERT_SIZE(struct sn_cls_key, 44);
SN_ASSERT_SIZE(struct sn_cls_match, 4);
SN_ASSERT_SIZE(struct sn_cls_tuple, 48);

#endif
