/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* A chain slot that drops whatever reaches it: shows which frames a program
 * passed on and which it passed to the stack. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int sn_test_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}
