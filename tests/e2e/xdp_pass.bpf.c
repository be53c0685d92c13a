// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
// Passes every frame. On the client's veth of an end-to-end test it makes the
// veth take frames its peer's XDP program sends back with XDP_TX (a veth
// receives those only with an XDP program of its own).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
