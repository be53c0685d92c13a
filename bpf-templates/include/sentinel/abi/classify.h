/* SPDX-License-Identifier: Apache-2.0 */
/* L3/L4 classification with exact first match, shared by every domain whose
 * rules match packets (firewall, rate limiting): decision trees with bit
 * cuts (docs/classifier.md).
 *
 * The compiler expands every rule into records: one family, one source and
 * one destination prefix (each possibly negated), one range per port, one
 * protocol, the ct states, and the extra fields of cls_extra.h. Records are
 * split into at most SN_CLS_MAX_TREES trees per family by which address
 * fields are narrow (a partition that keeps wide rules from being copied
 * into every branch). An inner node cuts a region of the field space into
 * 2^bits children by `bits` bits of one packet word; a leaf lists records in
 * ascending rule order. Per packet the program walks the trees in ascending
 * order of their smallest rule, from the root down to one leaf, and scans
 * that leaf until the first record that matches or that cannot beat the best
 * rule found; a tree whose smallest rule cannot beat it is not entered.
 *
 * Maps of a domain X: X_nodes (ARRAY of sn_cls_node; the roots of family 4
 * at 0 .. SN_CLS_MAX_TREES-1, of family 6 at SN_CLS_MAX_TREES ..
 * 2*SN_CLS_MAX_TREES-1; an unused root is an empty leaf with min_rule
 * SN_CLS_NO_RULE), X_leaves (ARRAY of __u32 record indexes) and X_recs
 * (ARRAY of sn_cls_rec). The domain's config carries cls_steps: a bound on
 * the walk's steps for any packet, computed by the compiler. */
#ifndef SENTINEL_ABI_CLASSIFY_H
#define SENTINEL_ABI_CLASSIFY_H

#include "cls_extra.h"
#include "common.h"

#define SN_CLS_MAX_TREES 4
#define SN_CLS_NO_RULE 0xffffffffu

/* The packet words a node can cut on, host order: the source address in
 * words 0-3 (IPv4 in word 0), the destination in 4-7, then the ports and
 * the protocol. */
enum sn_cls_word {
	SN_CLS_W_SRC = 0,
	SN_CLS_W_DST = 4,
	SN_CLS_W_SPORT = 8,
	SN_CLS_W_DPORT = 9,
	SN_CLS_W_PROTO = 10,
	SN_CLS_WORDS = 16, /* the walk's word array, padded */
};

#define SN_CLS_LEAF 0xff /* sn_cls_node.word of a leaf */

struct sn_cls_node {
	__u32 base;     /* inner: index of child 0 in the nodes map; leaf: first index in the leaves map */
	__u32 min_rule; /* smallest rule of any record under this node; SN_CLS_NO_RULE when none */
	__u32 count;    /* leaf: records in the leaf; inner: 0 */
	__u8 word;      /* inner: enum sn_cls_word; leaf: SN_CLS_LEAF */
	__u8 shift;     /* inner: child = base + ((word value >> shift) & ((1 << bits) - 1)) */
	__u8 bits;      /* inner: 1 .. 16 */
	__u8 pad;
};

enum sn_cls_rec_flags {
	SN_CLS_NEG_SRC = 1,     /* the packet's source is outside the prefix */
	SN_CLS_NEG_DST = 2,
	SN_CLS_NEEDS_PORTS = 4, /* only packets that carry L4 ports */
};

struct sn_cls_rec {
	__u32 rule;       /* index into the domain's rules array: lower wins */
	__u8 proto;       /* masked IP protocol */
	__u8 proto_mask;  /* 0 (any protocol) or 0xff */
	__u8 flags;       /* enum sn_cls_rec_flags */
	__u8 ct_states;   /* bit (1 << enum sn_ct_pkt_state); 0: any state */
	__u8 src_len;     /* prefix lengths */
	__u8 dst_len;
	__u8 family;      /* 4 or 6 */
	__u8 pad;
	__u16 sport_lo, sport_hi; /* inclusive, host order */
	__u16 dport_lo, dport_hi;
	__u32 src[4]; /* prefix, host-order words, bits past the length zero */
	__u32 dst[4];
	struct sn_cls_extra x;
	__u32 pad2;
};

SN_ASSERT_SIZE(struct sn_cls_node, 16);
SN_ASSERT_SIZE(struct sn_cls_rec, 56 + sizeof(struct sn_cls_extra));

#endif
