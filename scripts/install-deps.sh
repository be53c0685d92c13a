#!/usr/bin/env bash
# Installs everything Sentinel needs to build, test and run on Debian 12.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=(
  build-essential cmake ninja-build pkg-config git
  clang-19 llvm-19-dev libclang-19-dev llvm-19-tools libclang-rt-19-dev
  libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev
  antlr4 libantlr4-runtime-dev
  libfmt-dev nlohmann-json3-dev libssl-dev libcli11-dev catch2
  iproute2 iputils-ping procps nftables iptables python3 strace
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# bpffs is where generations are pinned; most systems mount it already.
if ! mount | grep -q ' /sys/fs/bpf type bpf'; then
  mount -t bpf bpf /sys/fs/bpf
fi
