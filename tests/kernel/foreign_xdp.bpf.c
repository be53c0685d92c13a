/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* An XDP program that is not Sentinel's: attached to an interface of a group
 * before apply, it makes that interface's link creation fail. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int foreign_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
