/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* The floor of every per-packet figure: the cost of BPF_PROG_TEST_RUN
 * itself (frame setup, program entry and exit) with no work in between. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int bench_xdp_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}
