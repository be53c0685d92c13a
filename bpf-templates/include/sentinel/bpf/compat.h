/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* What every Sentinel BPF program includes first: kernel uapi, libbpf's
 * helpers, and the constants that the build's uapi headers (6.1) lack. */
#ifndef SENTINEL_BPF_COMPAT_H
#define SENTINEL_BPF_COMPAT_H

#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* Helpers are inlined so that rodata switches and constant arguments (map
 * pointers, record sizes) reach the verifier as constants. */
#define SN_INLINE static __always_inline

/* TCX return codes (uapi 6.6 enum tcx_action_base). */
#define SN_TCX_NEXT (-1)
#define SN_TCX_PASS 0
#define SN_TCX_DROP 2

#define SN_ETH_P_IP 0x0800
#define SN_ETH_P_IPV6 0x86DD
#define SN_ETH_P_8021Q 0x8100
#define SN_ETH_P_8021AD 0x88A8

#define SN_IPPROTO_HOPOPTS 0
#define SN_IPPROTO_ICMP 1
#define SN_IPPROTO_TCP 6
#define SN_IPPROTO_UDP 17
#define SN_IPPROTO_ROUTING 43
#define SN_IPPROTO_FRAGMENT 44
#define SN_IPPROTO_AH 51
#define SN_IPPROTO_ICMPV6 58
#define SN_IPPROTO_DSTOPTS 60

#define SN_TCP_FIN 0x01
#define SN_TCP_SYN 0x02
#define SN_TCP_RST 0x04
#define SN_TCP_PSH 0x08
#define SN_TCP_ACK 0x10
#define SN_TCP_URG 0x20

/* The variant the object was compiled as: sentinelc passes
 * -DSN_VARIANT="<template>:<sorted defines, comma-separated>" and the
 * enforcer reads it back before loading, so an object of another variant
 * (or another template) than the manifest says is refused. */
#ifdef SN_VARIANT
__attribute__((used)) const volatile char sn_variant[] SEC(".rodata.snvariant") = SN_VARIANT;
#endif

/* An open-coded loop's guard (the kernel's may_goto, 6.9+): true until the
 * kernel's per-call loop budget runs out. The verifier checks such a loop
 * until its state repeats, not once per iteration, and a step costs a
 * compare and a jump where a bpf_loop callback costs a call and a return. */
#define SN_CAN_LOOP                                                        \
	({                                                                 \
		__label__ sn_l_break, sn_l_continue;                       \
		int sn_ret = 1;                                            \
		asm volatile goto("may_goto %l[sn_l_break]" :::: sn_l_break); \
		goto sn_l_continue;                                        \
	sn_l_break:                                                        \
		sn_ret = 0;                                                \
	sn_l_continue:                                                     \
		sn_ret;                                                    \
	})

#ifndef READ_ONCE
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#endif

#endif
