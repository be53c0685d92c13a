/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* A firewall-shaped object the verifier must reject: same program name,
 * same maps and config section as the real template, but it reads the packet
 * without a bounds check. Kernel tests swap it into an otherwise valid bundle
 * to check that a verifier rejection leaves the running generation alone. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "sentinel/abi/firewall.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile struct sn_fw_config sn_cfg SEC(".rodata.sncfg") = {};

struct sn_fw_pir_chunk {
	char bytes[SN_FW_PIR_CHUNK];
};

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, SN_FW_MAX_TUPLES);
	 __type(key, __u32); __type(value, struct sn_fw_tuple); } sn_fw_tuples SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1);
	 __type(key, struct sn_fw_key); __type(value, struct sn_fw_match); } sn_fw_keys SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1);
	 __type(key, __u32); __type(value, struct sn_fw_rule); } sn_fw_rules SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1);
	 __type(key, __u32); __type(value, struct sn_fw_pir_chunk); } sn_fw_pir SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 65536);
	 __type(key, __u64); __type(value, struct sn_counter); } sn_fw_cnt SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 256 * 1024); } sn_fw_events SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1);
	 __type(key, __u32); __type(value, struct sn_ring_stats); } sn_fw_rstat SEC(".maps");

SEC("xdp")
int sn_xdp_firewall(struct xdp_md *ctx)
{
	unsigned char *data = (unsigned char *)(long)ctx->data;
	/* No check against data_end: the verifier refuses this access. */
	return data[40] == sn_cfg.nrules ? XDP_DROP : XDP_PASS;
}
