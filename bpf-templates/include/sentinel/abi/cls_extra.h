/* SPDX-License-Identifier: Apache-2.0 */
/* The match fields of a classifier record beyond the ones the classifier
 * cuts on (family, addresses, ports, protocol, ct state): checked only in a
 * leaf, record by record (sentinel/bpf/cls_extra.h). `has` says which are
 * constrained; a record with has == 0 constrains none of them. The values
 * are those of the record's family (an ICMP type is the ICMPv6 type in an
 * IPv6 record). */
#ifndef SENTINEL_ABI_CLS_EXTRA_H
#define SENTINEL_ABI_CLS_EXTRA_H

#include "common.h"

enum sn_cls_extra_bits {
	SN_CX_TCP_FLAGS = 1 << 0,  /* TCP, with its header: (flags & tcp_mask) == tcp_flags */
	SN_CX_ICMP_TYPE = 1 << 1,  /* ICMP of the family, with its header: type == icmp_type */
	SN_CX_ICMP_CODE = 1 << 2,  /* ... code == icmp_code */
	SN_CX_DSCP = 1 << 3,       /* dscp == dscp */
	SN_CX_VLAN = 1 << 4,       /* at least one tag, the outer id == vlan */
	SN_CX_VLAN_INNER = 1 << 5, /* two tags, the inner id == vlan_inner */
	SN_CX_IFACE = 1 << 6,      /* the arrival interface's bit is in ifaces */
	SN_CX_IFACE_NOT = 1 << 7,  /* ... is not in ifaces */
};

/* Interfaces that rules name, policy-wide: slot i is bit i of `ifaces`. The
 * compiler numbers them (sorted names); the enforcer maps each interface it
 * attaches to its bit (firewall.h: sn_fw_ifaces). */
#define SN_CLS_MAX_IFACES 16

struct sn_cls_extra {
	__u32 has; /* bit set of enum sn_cls_extra_bits; 0: none */
	__u8 tcp_flags;
	__u8 tcp_mask;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 dscp;
	__u8 pad;
	__u16 vlan;
	__u16 vlan_inner;
	__u16 ifaces; /* SN_CX_IFACE / SN_CX_IFACE_NOT: bit set of interface slots */
};

SN_ASSERT_SIZE(struct sn_cls_extra, 16);

#endif
